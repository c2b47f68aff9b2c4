/**
 * One cell, start to finish, in this process: train (or resume from the last checkpoint),
 * probe every checkpoint, analyse, then mark the cell done. Each stage skips what is
 * already on disk, so running a cell again after any crash continues where it stopped.
 * Executors (the local pool, a queue worker) run this in a child process of their own.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeRun } from '../analysis/analyze-run.js';
import { resolveSuites } from '../probes/registry.js';
import { probeRun } from '../probes/runner.js';
import { runPaths } from '../run/layout.js';
import type { LockWait } from '../run/lock.js';
import { train } from '../train/trainer.js';
import { SlurryError } from '../util/errors.js';
import { cellStatus, clearCellRecord, lockCell, writeCellRecord } from './cell-state.js';

/** Everything a process needs to run a cell: what the local pool and the queue hand over. */
export interface CellJob {
  /** The sweep directory (absolute; shared by every worker). */
  sweep: string;
  hash: string;
  /** The cell's run directory, relative to the sweep. */
  dir: string;
  label: string;
  /** The composed training config. */
  config: Record<string, unknown>;
  /** Probe suites (empty: every built-in). */
  suites: string[];
}

export type CellStage = 'train' | 'probe' | 'analyze';

export interface CellProgress {
  stage: CellStage;
  done: number;
  total: number;
}

export interface CellHooks {
  progress?: (p: CellProgress) => void;
  log?: (line: string) => void;
  /** Called at every training step and probed checkpoint: throw or exit to stop the cell there. */
  checkpoint?: () => void;
}

export interface CellOutcome {
  hash: string;
  status: 'done' | 'skipped';
  seconds: number;
}

/**
 * How long a cell waits for an earlier process still holding it (its cell.lock, or the
 * train.lock or probes.lock of its run): a cell process whose controller was killed ends
 * at its next training step or probed checkpoint, and init reaps it soon after.
 */
const HOLDER_WAIT_MS = 120_000;

export async function runCell(job: CellJob, hooks: CellHooks = {}): Promise<CellOutcome> {
  const run = join(job.sweep, job.dir);
  const log = hooks.log ?? ((line: string) => process.stderr.write(`slurry: ${line}\n`));
  const t0 = performance.now();
  const lockWait = { ms: HOLDER_WAIT_MS, log };
  const unlock = await lockCell(run, lockWait);
  try {
    if (cellStatus(run) === 'done') return { hash: job.hash, status: 'skipped', seconds: 0 };
    clearCellRecord(run);
    try {
      await runStages(job, run, hooks, lockWait);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      writeCellRecord(run, {
        status: 'failed',
        hash: job.hash,
        label: job.label,
        seconds: (performance.now() - t0) / 1000,
        error: message,
      });
      throw err;
    }
    const seconds = (performance.now() - t0) / 1000;
    writeCellRecord(run, { status: 'done', hash: job.hash, label: job.label, seconds });
    return { hash: job.hash, status: 'done', seconds };
  } finally {
    unlock();
  }
}

async function runStages(job: CellJob, run: string, hooks: CellHooks, lockWait: LockWait): Promise<void> {
  const { log } = lockWait;
  const resume = existsSync(runPaths(run).config);
  await train(job.config, {
    out: run,
    resume,
    where: `cell ${job.hash} (${job.label})`,
    log,
    lockWait,
    onProgress: (p) => {
      hooks.checkpoint?.();
      hooks.progress?.({ stage: 'train', done: p.step, total: p.steps });
    },
  });
  const probed = probeRun(run, {
    suites: resolveSuites(job.suites),
    badRows: 'refuse',
    log,
    lockWait,
    progress: (p) => {
      hooks.checkpoint?.();
      hooks.progress?.({ stage: 'probe', done: p.done, total: p.total });
    },
  });
  if (probed.failed.length) {
    throw new SlurryError(
      `cell ${job.hash}: ${probed.failed.length} checkpoint(s) could not be probed: ${probed.failed.map((f) => f.message).join('; ')}`,
    );
  }
  hooks.progress?.({ stage: 'analyze', done: 0, total: 1 });
  analyzeRun(run);
  hooks.progress?.({ stage: 'analyze', done: 1, total: 1 });
}
