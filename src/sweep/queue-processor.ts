/**
 * BullMQ's sandboxed processor: this module runs in a child process of `slurry worker`,
 * so CPU-bound training never blocks the worker's event loop and its job-lock renewal.
 * It runs the cell (resuming whatever an earlier attempt left on disk) and returns a
 * summary; the results themselves are in the shared sweep directory.
 */
import type { SandboxedJob } from 'bullmq';
import { exitWithParent } from './parent-watch.js';
import { runCell, type CellJob, type CellOutcome } from './run-cell.js';

/** Progress goes to Redis at most this often. */
const PROGRESS_INTERVAL_MS = 1000;

export default async function processCell(job: SandboxedJob<CellJob, CellOutcome>): Promise<CellOutcome> {
  const watch = exitWithParent();
  let last = 0;
  return runCell(job.data, {
    checkpoint: watch,
    progress: (p) => {
      const now = Date.now();
      if (now - last < PROGRESS_INTERVAL_MS && p.done !== p.total) return;
      last = now;
      void job.updateProgress(p as unknown as object);
    },
    log: (line) => process.stderr.write(`slurry: cell ${job.data.hash}: ${line}\n`),
  });
}
