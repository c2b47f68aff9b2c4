/**
 * `slurry worker --queue redis://HOST:PORT`: pulls cells from the BullMQ queue, one at a
 * time, and runs each in a sandboxed child process (queue-processor.ts) with
 * SLURRY_THREADS threads. Retries, backoff, job locks and stalled-job recovery are
 * BullMQ's: a worker that dies stops renewing its job's lock, and after `lockMs` another
 * worker picks the job up and resumes the cell from its last checkpoint on the shared DIR.
 */
import { Worker } from 'bullmq';
import { fileURLToPath } from 'node:url';
import { checkRedis, connectionOptions, parseQueueUrl } from './queue-connection.js';
import type { CellJob, CellOutcome } from './run-cell.js';

const PROCESSOR = fileURLToPath(new URL('./queue-processor.js', import.meta.url));

export interface WorkerOptions {
  url: string;
  queueName: string;
  threads: number;
  /** Job lock time: a dead worker's cell is picked up again after about this long. */
  lockMs: number;
  log: (line: string) => void;
}

export async function startWorker(opts: WorkerOptions): Promise<Worker<CellJob, CellOutcome>> {
  const address = parseQueueUrl(opts.url);
  await checkRedis(address);
  // The sandboxed child inherits the environment: the native pool starts with these threads.
  process.env.SLURRY_THREADS = String(opts.threads);
  const worker = new Worker<CellJob, CellOutcome>(opts.queueName, PROCESSOR, {
    connection: connectionOptions(address),
    concurrency: 1,
    useWorkerThreads: false,
    lockDuration: opts.lockMs,
    stalledInterval: Math.max(1000, Math.round(opts.lockMs / 2)),
    // A cell may be stalled by several worker deaths in a row; each resumes from disk.
    maxStalledCount: 5,
  });
  worker.on('active', (job) =>
    opts.log(`cell ${job.data.hash} (${job.data.label}): started (attempt ${job.attemptsMade + 1})`),
  );
  worker.on('completed', (job, r) =>
    opts.log(`cell ${job.data.hash}: ${r.status === 'skipped' ? 'already done' : `done in ${r.seconds.toFixed(1)} s`}`),
  );
  worker.on('failed', (job, err) => opts.log(`cell ${job?.data.hash ?? '?'}: failed: ${err.message}`));
  worker.on('error', (err) => opts.log(`queue: ${err.message}`));
  return worker;
}
