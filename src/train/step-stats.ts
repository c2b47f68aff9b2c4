/**
 * Per-step statistics the loop logs: mean loss per source of a batch, and per-source
 * values as a record by name. Plain loops over preallocated arrays: they run every step.
 */
import type { Batch } from '../data/sampler.js';

/** Mean loss per source of one batch into `out` (NaN for sources with no tokens in it); sum and count are scratch. */
export function lossPerSource(
  rowLosses: ArrayLike<number>,
  batch: Batch,
  sum: Float64Array,
  count: Float64Array,
  out: Float64Array,
): void {
  sum.fill(0);
  count.fill(0);
  const { sources, targets } = batch;
  for (let i = 0; i < targets.length; i++) {
    if (targets[i] < 0) continue;
    sum[sources[i]] += rowLosses[i];
    count[sources[i]] += 1;
  }
  for (let k = 0; k < out.length; k++) out[k] = count[k] > 0 ? sum[k] / count[k] : NaN;
}

/** Sources with a value (absent sources are left out rather than written as NaN, which JSON cannot hold). */
export function byName(names: readonly string[], values: ArrayLike<number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (let i = 0; i < names.length; i++) if (!Number.isNaN(values[i])) out[names[i]] = values[i];
  return out;
}
