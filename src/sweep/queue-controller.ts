/**
 * `slurry sweep ... --queue redis://HOST:PORT`: enqueue the cells left to run as BullMQ
 * jobs (the caller has checked that Redis answers: checkRedis) and follow them until each is done or has failed for good. Workers
 * (`slurry worker`) run them. The controller polls job states once a second: a Redis
 * restart only pauses it (its commands wait for the reconnect), and a job that vanished
 * (a Redis that lost its data) is queued again, under the same id.
 */
import { Queue } from 'bullmq';
import { join } from 'node:path';
import { cellStatus } from './cell-state.js';
import type { SweepEvents } from './events.js';
import { connectionOptions, parseQueueUrl } from './queue-connection.js';
import { enqueueCell, jobId } from './queue-jobs.js';
import type { CellJob, CellOutcome, CellProgress } from './run-cell.js';

export interface QueuedSweepOptions {
  url: string;
  queueName: string;
  events: SweepEvents;
  log: (line: string) => void;
  /** Stop following (the jobs stay queued for the workers). */
  signal?: AbortSignal;
  pollMs?: number;
}

export interface QueuedSweepResult {
  done: number;
  failed: { hash: string; message: string }[];
  /** Counts of enqueue outcomes: added, exists (already queued: a no-op), retried. */
  enqueued: Record<'added' | 'exists' | 'retried', number>;
  interrupted: boolean;
}

export async function runQueuedSweep(jobs: readonly CellJob[], opts: QueuedSweepOptions): Promise<QueuedSweepResult> {
  const queue = new Queue<CellJob>(opts.queueName, { connection: connectionOptions(parseQueueUrl(opts.url)) });
  queue.on('error', () => {});
  const result: QueuedSweepResult = {
    done: 0,
    failed: [],
    enqueued: { added: 0, exists: 0, retried: 0 },
    interrupted: false,
  };
  try {
    for (const job of jobs) result.enqueued[await enqueueCell(queue, job)]++;
    opts.log(
      `queue ${opts.queueName} at ${opts.url}: ${result.enqueued.added} added, ${result.enqueued.exists} already queued, ${result.enqueued.retried} retried`,
    );
    const pending = new Map(jobs.map((j) => [jobId(j), j]));
    const started = new Set<string>();
    while (pending.size && !opts.signal?.aborted) {
      await Promise.all(
        [...pending].map(async ([id, cell]) => {
          const job = await queue.getJob(id);
          if (!job) {
            // Gone from Redis (flushed, or a restart without persistence): done on disk, or queued again.
            if (cellStatus(join(cell.sweep, cell.dir)) === 'done')
              finish(id, cell, () => opts.events.cellDone(cell, 0, true));
            else await enqueueCell(queue, cell);
            return;
          }
          const state = await job.getState();
          if (state === 'active') {
            if (!started.has(id)) opts.events.cellStarted(cell);
            started.add(id);
            if (typeof job.progress === 'object' && job.progress !== null)
              opts.events.cellProgress(cell, job.progress as unknown as CellProgress);
          } else if (state === 'completed') {
            const outcome = job.returnvalue as CellOutcome | undefined;
            finish(id, cell, () => opts.events.cellDone(cell, outcome?.seconds ?? 0, outcome?.status === 'skipped'));
          } else if (state === 'failed') {
            const message = `${job.failedReason ?? 'failed'} (after ${job.attemptsMade} attempts)`;
            finish(id, cell, () => opts.events.cellFailed(cell, message));
            result.failed.push({ hash: cell.hash, message });
          }
        }),
      );
      if (pending.size) await new Promise((r) => setTimeout(r, opts.pollMs ?? 1000));
    }
    result.interrupted = pending.size > 0;
    return result;

    function finish(id: string, cell: CellJob, report: () => void) {
      if (!pending.delete(id)) return;
      report();
      if (cellStatus(join(cell.sweep, cell.dir)) === 'done') result.done++;
    }
  } finally {
    await queue.close();
  }
}
