/**
 * A worker process of the local pool: receives CellJobs over IPC one at a time, runs each,
 * and reports progress and the outcome back; it lives as long as the pool has cells for
 * it, so the cost of starting Node and loading the engine is paid once per worker, not per
 * cell. SLURRY_THREADS is set by the parent before the fork, so the native thread pool
 * starts with this worker's share of the cores.
 *
 * If the parent dies (kill -9 of the controller), this process is re-parented; it notices
 * at its next training step or probed checkpoint (or at once when idle: the IPC channel
 * closes) and exits, so a re-run never finds a cell worked on by an orphan for longer
 * than one step.
 */
import { exitWithParent } from './parent-watch.js';
import { runCell, type CellJob, type CellProgress } from './run-cell.js';

export type ToParent =
  | { type: 'progress'; hash: string; progress: CellProgress }
  | { type: 'log'; hash: string; line: string }
  | { type: 'done'; hash: string; status: 'done' | 'skipped'; seconds: number }
  | { type: 'failed'; hash: string; message: string };

const send = (m: ToParent) => process.send?.(m);
const watch = exitWithParent();

process.on('message', (job: CellJob) => {
  runCell(job, {
    checkpoint: watch,
    progress: (progress) => send({ type: 'progress', hash: job.hash, progress }),
    log: (line) => send({ type: 'log', hash: job.hash, line }),
  }).then(
    (outcome) => send({ type: 'done', hash: job.hash, status: outcome.status, seconds: outcome.seconds }),
    (err: unknown) =>
      send({ type: 'failed', hash: job.hash, message: err instanceof Error ? err.message : String(err) }),
  );
});
