import type { Command } from 'commander';
import { analyzeRun } from '../analysis/analyze-run.js';
import { DEFAULT_RESAMPLES } from '../analysis/definitions.js';
import { runPaths } from '../run/layout.js';
import { summaryParagraphs, wavesAnswer } from '../report/summary.js';
import { choiceFlag, intFlag } from './flags.js';

export interface AnalysisFlags {
  seed: string;
  resamples: string;
  metric: string;
}

/** Parses the flags shared by `analyze` and `report` into AnalyzeOptions. */
export function analysisOptions(flags: AnalysisFlags) {
  const seed = intFlag('--seed', flags.seed, 0);
  const resamples = intFlag('--resamples', flags.resamples, 10);
  const primaryMetric = choiceFlag('--metric', flags.metric, ['d', 'c'] as const);
  return { seed, resamples, primaryMetric };
}

export function addAnalysisFlags(cmd: Command): Command {
  return cmd
    .option('--seed <n>', 'seed of the bootstrap resampling', '0')
    .option('--resamples <n>', 'bootstrap resamples over probe items', String(DEFAULT_RESAMPLES))
    .option('--metric <d|c>', 'metric for the verdict: d (discrete) or c (continuous)', 'd');
}

/** `slurry analyze RUN`: fits, verdict and transitions into RUN/analysis.json. */
export function registerAnalyze(program: Command): void {
  addAnalysisFlags(
    program
      .command('analyze')
      .description('fit capability curves, decide stages or slurry, write RUN/analysis.json')
      .argument('<run>', 'run directory'),
  )
    .option('--json', 'print analysis.json to stdout as well')
    .action((run: string, flags: AnalysisFlags & { json?: boolean }) => {
      const analysis = analyzeRun(run, analysisOptions(flags));
      if (flags.json) {
        console.log(JSON.stringify(analysis));
        return;
      }
      for (const p of [wavesAnswer(analysis), ...summaryParagraphs(analysis)]) console.log(p + '\n');
      console.log(`wrote ${runPaths(run).analysis}`);
    });
}
