/**
 * The default executor: a pool of `workers` child processes on this machine, each running
 * cells one after another (cell-process.ts). Each child gets SLURRY_THREADS = threads,
 * with workers x threads <= cores; when the pool takes every core, children also run V8
 * single-threaded (workerExecArgv). stop() (Ctrl-C) kills the running cells; everything
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
  if (!Number.isSafeInteger(workers) || workers < 1)
    throw new SlurryError(`--workers ${workers}: expected an integer >= 1`);
  if (workers > cores)
    throw new SlurryError(
      `--workers ${workers}: more workers than this machine's ${cores} cores (each needs at least one thread)`,
    );
  const t = threads ?? Math.max(1, Math.floor(cores / workers));
  if (!Number.isSafeInteger(t) || t < 1) throw new SlurryError(`--threads ${threads}: expected an integer >= 1`);
  if (workers * t > cores)
    throw new SlurryError(
      `--workers ${workers} x --threads ${t} = ${workers * t} threads on ${cores} cores; lower one of them`,
    );
  return t;
}

/**
 * Node flags for the cell processes. V8 compiles and collects garbage on helper threads of
 * its own; a worker of tiny cells spent about 0.4 s of such helper time per second of its
 * main thread (1.3 s against 3.0 s over 24 cells, /proc/self/task). When the pool's
 * threads take every core, that helper time comes out of another worker's core, so the
 * children run V8 single-threaded (`--single-threaded`: the same work on the main thread,
 * in less CPU time all told). With a core to spare, the helpers use it.
 */
export function workerExecArgv(workers: number, threads: number, cores = availableParallelism()): string[] {
  return workers * threads >= cores ? [...process.execArgv, '--single-threaded'] : process.execArgv;
}

export function runLocalPool(jobs: readonly CellJob[], opts: PoolOptions): Pool {
  const threads = threadsPerWorker(opts.workers, opts.threads);
  const execArgv = workerExecArgv(opts.workers, threads);
  const queue = [...jobs];
  const workers = new Set<ChildProcess>();
  const result: PoolResult = { done: [], failed: [], interrupted: false };
  let stopping = false;
  let finish: (r: PoolResult) => void;
  const promise = new Promise<PoolResult>((resolve) => (finish = resolve));

  const settle = () => {
    if (workers.size === 0) finish({ ...result, interrupted: stopping && (queue.length > 0 || result.interrupted) });
  };

  const spawnWorker = () => {
    const child = fork(CELL_PROCESS, [], {
      execArgv,
      env: { ...process.env, SLURRY_THREADS: String(threads) },
      stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
    });
    workers.add(child);
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    let current: CellJob | null = null;
    // The next cell, or the end of this worker when none is left.
    const next = () => {
      current = stopping ? null : (queue.shift() ?? null);
      if (current) {
        opts.events.cellStarted(current);
        child.send(current);
      } else child.disconnect();
    };
    child.on('message', (m: ToParent) => {
      const job = current;
      if (!job || m.hash !== job.hash) return;
      if (m.type === 'progress') opts.events.cellProgress(job, m.progress);
      else if (m.type === 'log') opts.events.log(job, m.line);
      else {
        if (m.type === 'done') {
          result.done.push(job.hash);
          opts.events.cellDone(job, m.seconds, m.status === 'skipped');
        } else {
          result.failed.push({ hash: job.hash, message: m.message });
          opts.events.cellFailed(job, m.message);
        }
        next();
      }
    });
    child.on('exit', (code, signal) => {
      workers.delete(child);
      const job = current;
      if (job) {
        if (stopping) result.interrupted = true;
        else {
          const message = `cell process exited (${signal ?? `code ${code}`})${stderr ? `: ${stderr.trim().split('\n').slice(-3).join(' | ')}` : ''}`;
          result.failed.push({ hash: job.hash, message });
          opts.events.cellFailed(job, message);
          // A worker that died mid-cell is replaced while cells are left.
          if (queue.length) spawnWorker();
        }
      }
      settle();
    });
    next();
  };

  for (let i = 0; i < Math.min(opts.workers, queue.length); i++) spawnWorker();
  settle();
  return {
    result: promise,
    stop() {
      if (stopping) return;
      stopping = true;
      for (const child of workers) child.kill('SIGTERM');
    },
  };
}
