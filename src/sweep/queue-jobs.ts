/**
 * Cells as BullMQ jobs. A job's id is deterministic (the cell's config hash and a hash of
 * the sweep directory), so enqueueing a cell that is already waiting, delayed or running
 * is a no-op: two controllers, or a controller started twice, never queue a cell twice.
 * A cell whose job failed for good is retried (same id); one whose job completed but whose
 * run directory is not done any more is queued afresh.
 *
 * Results travel through the shared sweep directory, not the queue: a cell's checkpoints
 * are what another worker resumes from after a crash, and they are megabytes each, so
 * every worker must see the same DIR (a network file system) at the same path. The job's
 * return value is only a summary for the controller's view.
 */
import { createHash } from 'node:crypto';
import type { Job, Queue } from 'bullmq';
import type { CellJob } from './run-cell.js';

/** Attempts per cell and the wait before each retry (exponential: 10 s, 20 s, ...). */
export const JOB_OPTIONS = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 10_000 },
  removeOnComplete: { age: 7 * 24 * 3600 },
  removeOnFail: { age: 30 * 24 * 3600 },
} as const;

export function jobId(job: CellJob): string {
  const sweep = createHash('sha256').update(job.sweep).digest('hex').slice(0, 8);
  return `cell-${job.hash}-${sweep}`;
}

/** added: add issued (itself a no-op when another controller added the same id meanwhile). */
export type EnqueueResult = 'added' | 'exists' | 'retried';

export async function enqueueCell(queue: Queue<CellJob>, job: CellJob): Promise<EnqueueResult> {
  const id = jobId(job);
  const existing: Job<CellJob> | undefined = await queue.getJob(id);
  if (existing) {
    const state = await existing.getState();
    if (state === 'failed') {
      await existing.retry('failed');
      return 'retried';
    }
    if (state !== 'completed' && state !== 'unknown') return 'exists';
    await existing.remove();
  }
  await queue.add('cell', job, { ...JOB_OPTIONS, jobId: id });
  return 'added';
}
