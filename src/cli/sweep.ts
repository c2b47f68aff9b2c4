/**
 * `slurry sweep SWEEP.yaml --out DIR [--workers N] [--queue redis://HOST:PORT]` and
 * `slurry sweep --preset seeds|emergence|schedules --out DIR`: many runs, one per cell.
 * Rerunning the same command skips finished cells, resumes interrupted ones and retries
 * failed ones.
 */
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildCorpus } from '../data/build.js';
import { presetConfig } from '../data/config.js';
import { sweepView } from '../sweep/events.js';
import { runLocalPool, threadsPerWorker } from '../sweep/local-pool.js';
import { SWEEP_PRESETS, sweepPreset } from '../sweep/presets.js';
import { readSweepFile, type SweepSpec } from '../sweep/spec.js';
import { prepareSweep } from '../sweep/sweep.js';
import { SlurryError } from '../util/errors.js';
import { resolveMode, type ProgressMode } from '../util/progress.js';
import { intFlag } from './flags.js';

interface SweepFlags {
  preset?: string;
  out?: string;
  corpus?: string;
  workers: string;
  threads?: string;
  queue?: string;
  queueName: string;
  yes?: boolean;
  progress: string;
}

const PROGRESS_MODES = ['auto', 'bar', 'lines', 'silent'];

export function registerSweep(program: Command): void {
  program
    .command('sweep')
    .description('many runs: one per cell of a grid or random sample over config keys (train, probe, analyze each)')
    .argument('[file]', 'a sweep file (YAML or JSON): base, axes, sample, derived, suites')
    .option('--preset <name>', `a built-in sweep: ${Object.keys(SWEEP_PRESETS).join(', ')}`)
    .option('--out <dir>', 'the sweep directory (cells go to DIR/cells/<hash>)')
    .option('--corpus <dir>', 'corpus for every cell (default for presets: DIR/corpus, built when missing)')
    .option('--workers <n>', 'local worker processes', '1')
    .option('--threads <n>', 'threads per worker (default: cores / workers)')
    .option('--queue <url>', 'enqueue the cells on BullMQ at redis://HOST:PORT for `slurry worker` processes instead')
    .option('--queue-name <name>', 'BullMQ queue name', 'slurry-cells')
    .option('--yes', `run a sweep of more than 10,000 cells`)
    .option('--progress <mode>', 'auto (a bar on a terminal, lines otherwise), bar, lines or silent', 'auto')
    .action(async (file: string | undefined, flags: SweepFlags) => {
      if (!PROGRESS_MODES.includes(flags.progress))
        throw new SlurryError(`--progress ${flags.progress}: expected one of ${PROGRESS_MODES.join(', ')}`);
      if (flags.out === undefined) throw new SlurryError('--out DIR is required (the sweep directory)');
      if ((file === undefined) === (flags.preset === undefined))
        throw new SlurryError(
          'give a sweep file or --preset (one of ' + Object.keys(SWEEP_PRESETS).join(', ') + '), not both',
        );
      const workers = intFlag('--workers', flags.workers, 1);
      const threads = flags.threads === undefined ? undefined : intFlag('--threads', flags.threads, 1);
      if (flags.queue === undefined) threadsPerWorker(workers, threads);
      const mode = flags.progress as ProgressMode;
      const print = (line: string) =>
        process.stderr.write(`${resolveMode(mode, process.stderr) === 'bar' ? '\r\x1b[2K' : ''}slurry: ${line}\n`);

      const spec: SweepSpec = file !== undefined ? readSweepFile(file) : sweepPreset(flags.preset!);
      const where = file ?? `--preset ${flags.preset}`;
      if (flags.corpus !== undefined) spec.base.corpus = resolve(flags.corpus);
      else if (flags.preset !== undefined) spec.base.corpus = await presetCorpus(flags.out, mode, print);

      // An unreachable queue is refused before anything is planned or written. The queue's
      // client libraries load only for a queued sweep.
      let queue: typeof import('../sweep/queue-controller.js') | null = null;
      if (flags.queue !== undefined) {
        const { checkRedis, parseQueueUrl } = await import('../sweep/queue-connection.js');
        await checkRedis(parseQueueUrl(flags.queue));
        queue = await import('../sweep/queue-controller.js');
      }
      const sweep = prepareSweep(spec, { out: flags.out, where, yes: flags.yes });
      print(
        `sweep ${sweep.dir}: ${sweep.cells.length} cells, ${sweep.alreadyDone} already done, ${sweep.jobs.length} to run`,
      );
      const view = sweepView(sweep.cells.length, sweep.alreadyDone, mode, print);

      if (queue && flags.queue !== undefined) {
        const stop = new AbortController();
        const onStop = () => stop.abort();
        process.once('SIGINT', onStop);
        const r = await queue.runQueuedSweep(sweep.jobs, {
          url: flags.queue,
          queueName: flags.queueName,
          events: view,
          log: print,
          signal: stop.signal,
        });
        process.off('SIGINT', onStop);
        view.close(`${r.done} done, ${r.failed.length} failed`);
        if (r.interrupted)
          throw new SlurryError(
            'stopped following the sweep; its cells stay queued for the workers (run the same command to follow it again)',
            130,
          );
        if (r.failed.length)
          throw new SlurryError(
            `${r.failed.length} cell(s) failed: ${r.failed.map((f) => `${f.hash}: ${f.message}`).join('; ')}`,
          );
        return;
      }
      const pool = runLocalPool(sweep.jobs, { workers, threads, events: view });
      const onSignal = () => pool.stop();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      const r = await pool.result;
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      view.close(`${r.done.length} run, ${r.failed.length} failed`);
      if (r.interrupted)
        throw new SlurryError(
          `interrupted; run the same command again to continue (finished cells are kept, the others resume)`,
          130,
        );
      if (r.failed.length) {
        throw new SlurryError(
          `${r.failed.length} cell(s) failed (rerun to retry them): ${r.failed.map((f) => `${f.hash}: ${f.message}`).join('; ')}`,
        );
      }
      print(`report: slurry report ${flags.out}`);
    });
}

/** The quick corpus at DIR/corpus, built the first time. */
async function presetCorpus(out: string, progress: ProgressMode, print: (line: string) => void): Promise<string> {
  const corpus = resolve(join(out, 'corpus'));
  if (!existsSync(join(corpus, 'manifest.json'))) {
    print(`corpus: building the quick corpus into ${corpus}`);
    await buildCorpus({ config: presetConfig('quick'), out: corpus, progress, log: print, force: existsSync(corpus) });
  }
  return corpus;
}
