/**
 * The default executor: a pool of `workers` child processes on this machine, one cell per
 * process (a fresh process per cell keeps memory and the native thread pool per cell
 * clean, for well under a second of start-up). Each child gets SLURRY_THREADS = threads,
 * with workers x threads <= cores. stop() (Ctrl-C) kills the running cells; everything
 * they wrote is crash-safe, so the next call resumes them from their last checkpoint.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { SlurryError } from '../util/errors.js';
import type { ToParent } from './cell-process.js';
import type { CellJob } from './run-cell.js';
import type { SweepEvents } from './events.js';

const CELL_PROCESS = new URL('./cell-process.js', import.meta.url);

export interface PoolOptions {
  workers: number;
  /** Threads per worker (default: cores / workers, at least 1). */
  threads?: number;
  events: SweepEvents;
}

export interface PoolResult {
  done: string[];
  failed: { hash: string; message: string }[];
  /** True when stop() ended the pool before every cell ran. */
  interrupted: boolean;
}

export interface Pool {
  result: Promise<PoolResult>;
  /** Stops starting cells and kills the running ones (their progress is on disk). */
  stop(): void;
}

/** Threads per worker so that workers x threads <= cores; refuses more workers than cores. */
export function threadsPerWorker(workers: number, threads: number | undefined, cores = availableParallelism()): number {
  if (!Number.isSafeInteger(workers) || workers < 1) throw new SlurryError(`--workers ${workers}: expected an integer >= 1`);
  if (workers > cores) throw new SlurryError(`--workers ${workers}: more workers than this machine's ${cores} cores (each needs at least one thread)`);
  const t = threads ?? Math.max(1, Math.floor(cores / workers));
  if (!Number.isSafeInteger(t) || t < 1) throw new SlurryError(`--threads ${threads}: expected an integer >= 1`);
  if (workers * t > cores) throw new SlurryError(`--workers ${workers} x --threads ${t} = ${workers * t} threads on ${cores} cores; lower one of them`);
  return t;
}

export function runLocalPool(jobs: readonly CellJob[], opts: PoolOptions): Pool {
  const threads = threadsPerWorker(opts.workers, opts.threads);
  const queue = [...jobs];
  const running = new Map<string, ChildProcess>();
  const result: PoolResult = { done: [], failed: [], interrupted: false };
  let stopping = false;
  let finish: (r: PoolResult) => void;
  const promise = new Promise<PoolResult>((resolve) => (finish = resolve));

  const startNext = () => {
    while (!stopping && running.size < opts.workers && queue.length) start(queue.shift()!);
    if (running.size === 0 && (stopping || queue.length === 0)) finish({ ...result, interrupted: stopping && (queue.length > 0 || result.interrupted) });
  };

  const start = (job: CellJob) => {
    const child = fork(CELL_PROCESS, [], { env: { ...process.env, SLURRY_THREADS: String(threads) }, stdio: ['ignore', 'inherit', 'pipe', 'ipc'] });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    running.set(job.hash, child);
    let reported = false;
    opts.events.cellStarted(job);
    child.on('message', (m: ToParent) => {
      if (m.type === 'progress') opts.events.cellProgress(job, m.progress);
      else if (m.type === 'log') opts.events.log(job, m.line);
      else if (m.type === 'done') {
        reported = true;
        result.done.push(job.hash);
        opts.events.cellDone(job, m.seconds, m.status === 'skipped');
      } else if (m.type === 'failed') {
        reported = true;
        result.failed.push({ hash: job.hash, message: m.message });
        opts.events.cellFailed(job, m.message);
      }
    });
    child.on('exit', (code, signal) => {
      running.delete(job.hash);
      if (!reported) {
        if (stopping) result.interrupted = true;
        else {
          const message = `cell process exited (${signal ?? `code ${code}`})${stderr ? `: ${stderr.trim().split('\n').slice(-3).join(' | ')}` : ''}`;
          result.failed.push({ hash: job.hash, message });
          opts.events.cellFailed(job, message);
        }
      }
      startNext();
    });
    child.send(job);
  };

  startNext();
  return {
    result: promise,
    stop() {
      if (stopping) return;
      stopping = true;
      for (const child of running.values()) child.kill('SIGTERM');
      startNext();
    },
  };
}
