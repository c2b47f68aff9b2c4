/**
 * `slurry experiment --list` and `slurry experiment NAME --out DIR [--scale quick|full]
 * [--seeds N] [--workers N]`: one claim of the seed conversation, run as sweep cells (each
 * arm under each seed), answered in DIR/report.md. Rerunning the same command continues.
 */
import { Option, type Command } from 'commander';
import { EXPERIMENTS, findExperiment } from '../experiment/catalogue.js';
import { checkSeeds, runExperiment } from '../experiment/runner.js';
import { SCALES } from '../experiment/types.js';
import { sweepView } from '../sweep/events.js';
import { threadsPerWorker } from '../sweep/local-pool.js';
import { SlurryError } from '../util/errors.js';
import { resolveMode } from '../util/progress.js';
import { choiceFlag, intFlag, progressFlag, progressOption } from './flags.js';

interface ExperimentFlags {
  list?: boolean;
  out?: string;
  scale: string;
  seeds?: string;
  workers: string;
  threads?: string;
  progress: string;
}

export function registerExperiment(program: Command): void {
  program
    .command('experiment')
    .description('one claim of the seed conversation as an experiment: its question, design, runs and answer')
    .argument('[name]', 'the experiment (see --list)')
    .option('--list', 'name each experiment with its question')
    .option('--out <dir>', 'the experiment directory (corpora, cells, report.md, experiment.json)')
    .addOption(
      new Option(
        '--scale <scale>',
        "quick (about 30 min on 2 cores with 2 seeds) or full (the presets' budgets)",
      ).default('quick'),
    )
    .option('--seeds <n>', "seeds per arm (default: the experiment's, 2 for most)")
    .option('--workers <n>', 'local worker processes', '1')
    .option('--threads <n>', 'threads per worker (default: cores / workers)')
    .addOption(progressOption())
    .action(async (name: string | undefined, flags: ExperimentFlags) => {
      if (flags.list) {
        for (const e of EXPERIMENTS) console.log(`${e.name}\n  ${e.question}`);
        return;
      }
      if (name === undefined) throw new SlurryError('give an experiment name (slurry experiment --list names them)');
      const experiment = findExperiment(name);
      if (flags.out === undefined) throw new SlurryError('--out DIR is required (the experiment directory)');
      const scale = choiceFlag('--scale', flags.scale, SCALES);
      const seeds = flags.seeds === undefined ? experiment.defaultSeeds : intFlag('--seeds', flags.seeds, 1);
      checkSeeds(seeds);
      const workers = intFlag('--workers', flags.workers, 1);
      const threads = flags.threads === undefined ? undefined : intFlag('--threads', flags.threads, 1);
      threadsPerWorker(workers, threads);
      const mode = progressFlag(flags.progress);
      const print = (line: string) =>
        process.stderr.write(`${resolveMode(mode, process.stderr) === 'bar' ? '\r\x1b[2K' : ''}slurry: ${line}\n`);
      // Signals are caught only while cells run (their pool stops them); otherwise they keep
      // their default action, and a corpus build cleans up through its own handler.
      let stop: (() => void) | null = null;
      const onSignal = () => stop?.();
      const onPool = (s: (() => void) | null) => {
        stop = s;
        for (const signal of ['SIGINT', 'SIGTERM'] as const)
          if (s) process.on(signal, onSignal);
          else process.off(signal, onSignal);
      };
      const result = await runExperiment(experiment, {
        out: flags.out,
        scale,
        seeds,
        workers,
        threads,
        progress: mode,
        log: print,
        events: (total, done) => sweepView(total, done, mode, print),
        onPool,
      });
      console.log(result.answer.sentence);
      console.log(`\nExperiment finished in ${(result.seconds / 60).toFixed(1)} min. Report: ${result.report}`);
    });
}
