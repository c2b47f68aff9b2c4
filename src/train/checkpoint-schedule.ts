/**
 * Which steps get a checkpoint: log-spaced early (0, 1, 2, 4, ..., up to `logUntil`), then
 * every `every` steps, plus the last step. Early learning is fast, so dense early
 * checkpoints are what make its curves visible (as in Pythia's suite).
 */
export interface CheckpointScheduleOptions {
  /** Last step of the log-spaced part (powers of two up to it). */
  logUntil: number;
  /** Spacing of the linear part after logUntil. */
  every: number;
}

export function checkpointSteps(totalSteps: number, opts: CheckpointScheduleOptions): number[] {
  if (!(opts.every > 0)) throw new Error(`checkpoint schedule: every must be > 0, got ${opts.every}`);
  const steps = new Set<number>([0]);
  for (let s = 1; s <= Math.min(opts.logUntil, totalSteps); s *= 2) steps.add(s);
  for (let s = opts.every; s <= totalSteps; s += opts.every) if (s > opts.logUntil) steps.add(s);
  steps.add(totalSteps);
  return [...steps].sort((a, b) => a - b);
}
