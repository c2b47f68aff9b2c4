/**
 * The child process of the local pool: receives one CellJob over IPC, runs it, reports
 * progress and the outcome back, and exits. SLURRY_THREADS is set by the parent before
 * the fork, so the native thread pool starts with this worker's share of the cores.
 *
 * If the parent dies (kill -9 of the controller), this process is re-parented; it notices
 * at its next training step or probed checkpoint and exits, so a re-run never finds a
 * cell worked on by an orphan for longer than one step.
 */
import { exitWithParent } from './parent-watch.js';
import { runCell, type CellJob, type CellProgress } from './run-cell.js';

export type ToParent =
  | { type: 'progress'; hash: string; progress: CellProgress }
  | { type: 'log'; hash: string; line: string }
  | { type: 'done'; hash: string; status: 'done' | 'skipped'; seconds: number }
  | { type: 'failed'; hash: string; message: string };

const send = (m: ToParent) => process.send?.(m);
/** The last message, then exit once it is flushed to the parent. */
const finish = (m: ToParent, code: number) => (process.send ? process.send(m, () => process.exit(code)) : process.exit(code));

process.once('message', (job: CellJob) => {
  const watch = exitWithParent();
  runCell(job, {
    checkpoint: watch,
    progress: (progress) => send({ type: 'progress', hash: job.hash, progress }),
    log: (line) => send({ type: 'log', hash: job.hash, line }),
  }).then(
    (outcome) => finish({ type: 'done', hash: job.hash, status: outcome.status, seconds: outcome.seconds }, 0),
    (err: unknown) => finish({ type: 'failed', hash: job.hash, message: err instanceof Error ? err.message : String(err) }, 1),
  );
});
