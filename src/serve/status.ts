/**
 * A run's status from what its files say (a pure function, so the runs list and a run's
 * page agree): training while metrics.jsonl grows (within STALE_MS); probing while a live
 * process holds probes.lock and training is not going on; done when training reached
 * its budget (a grokking run: when summary.json exists); failed when it stopped short of
 * its budget without a new line since.
 */
import type { RunStatus } from './wire.js';

/** A run with no new metric line for this long is not training any more. */
export const STALE_MS = 60_000;

export interface StatusFacts {
  kind: 'train' | 'grok';
  lastStep: number | null;
  /** The config's step budget, when it has one. */
  budget: number | null;
  summaryWritten: boolean;
  /** mtime of metrics.jsonl, null when there is none. */
  metricsMtimeMs: number | null;
  probingPid: number | null;
  now: number;
}

export function runStatus(f: StatusFacts): { status: RunStatus; reason: string } {
  const fresh = f.metricsMtimeMs !== null && f.now - f.metricsMtimeMs < STALE_MS;
  const probing = f.probingPid !== null ? `probes.lock held by process ${f.probingPid}` : null;
  if (f.lastStep === null) {
    if (probing) return { status: 'probing', reason: probing };
    return fresh || f.metricsMtimeMs === null
      ? { status: 'empty', reason: 'no training record yet' }
      : { status: 'failed', reason: 'metrics.jsonl has no training record' };
  }
  const of = f.budget !== null ? ` of ${f.budget}` : '';
  const finished = f.kind === 'grok' ? f.summaryWritten : f.budget !== null && f.lastStep >= f.budget;
  // `slurry train --probe` holds the lock while it trains: training wins while records come.
  if (probing && (finished || !fresh)) return { status: 'probing', reason: probing };
  if (finished)
    return {
      status: 'done',
      reason: f.kind === 'grok' ? `summary.json written at step ${f.lastStep}` : `step ${f.lastStep}${of}`,
    };
  if (fresh)
    return { status: 'training', reason: `step ${f.lastStep}${of}${probing ? ', probing each checkpoint' : ''}` };
  const idle = Math.round((f.now - (f.metricsMtimeMs ?? f.now)) / 1000);
  return {
    status: 'failed',
    reason:
      `stopped at step ${f.lastStep}${of}: no new record for ${idle} s ` +
      '(crashed or killed; `slurry train --resume` continues it)',
  };
}

/** The pid in a lock file when that process is alive, else null. */
export function liveLockPid(text: string | null): number | null {
  const pid = Number((text ?? '').trim());
  if (!Number.isInteger(pid) || pid <= 0) return null;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM' ? pid : null;
  }
}
