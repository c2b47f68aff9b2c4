import type { Command } from 'commander';
import { writeReport } from '../report/write-report.js';
import { numberFlag, withFlagNames } from './flags.js';
import { isSweepDir } from '../sweep/manifest.js';
import { writeSweepReport } from '../sweep/sweep-report.js';
import { addAnalysisFlags, analysisOptions, type AnalysisFlags } from './analyze.js';

/** `slurry report RUN [RUN2 ...]`: the HTML report (with a comparison when several runs). */
export function registerReport(program: Command): void {
  addAnalysisFlags(
    program
      .command('report')
      .description('write RUN/report/index.html (charts as SVG and PNG); with several runs, compare them')
      .argument('<runs...>', 'run directories (the first is the reference of the comparison), or one sweep directory'),
  )
    .option('--out <dir>', "output directory (default: the first run's report/)")
    .option('--target <share>', 'share of the ceiling for time-to-target across runs', '0.5')
    .option(
      '--reanalyze',
      'analyse every run again even when its analysis.json is current (implied by --seed, --resamples or --metric)',
    )
    .action(
      async (
        runs: string[],
        flags: AnalysisFlags & { out?: string; target: string; reanalyze?: boolean },
        cmd: Command,
      ) => {
        const target = numberFlag('--target', flags.target, Number.isFinite, 'a number such as 0.5');
        if (runs.length === 1 && isSweepDir(runs[0])) {
          const sweep = await writeSweepReport(runs[0], { outDir: flags.out, target });
          for (const w of sweep.warnings) console.warn(`chart warning: ${w}`);
          console.log(`wrote ${sweep.index}`);
          return;
        }
        // Analysis flags given on the command line only mean something if the runs are analysed again.
        const explicit = ['seed', 'resamples', 'metric'].some((k) => cmd.getOptionValueSource(k) === 'cli');
        const options = {
          outDir: flags.out,
          target,
          analyze: analysisOptions(flags),
          reanalyze: flags.reanalyze || explicit,
        };
        const result = await withFlagNames({ target: '--target' }, () => writeReport(runs, options));
        for (const run of result.analysed) console.log(`analysed ${run}`);
        for (const w of result.warnings) console.warn(`chart warning: ${w}`);
        console.log(`wrote ${result.index}`);
      },
    );
}
