/**
 * What one normalised curve says: its logistic fit, and from it a status (fitted, flat,
 * saturated at start, midpoint beyond the run), onset, midpoint, saturation, width and the
 * time to reach each target share of the ceiling. The same function summarises the
 * full-data curve and every bootstrap resample, so the intervals describe exactly the
 * estimator that produced the point values.
 */
import {
  FLAT_MIN_RISE,
  FLAT_NOISE_Z,
  MIDPOINT_SHARE,
  ONSET_SHARE,
  SATURATION_SHARE,
  TARGETS,
} from './definitions.js';
import { logisticAt, positionOf, positionOfLevel, type LogisticFit } from './logistic.js';

export type CurveStatus = 'fitted' | 'flat' | 'saturated_at_start' | 'midpoint_beyond_run';

export interface CurveSummary {
  status: CurveStatus;
  fit: LogisticFit;
  /** Rise of the fitted curve across the probed checkpoints (normalised units). */
  observedRise: number;
  /** log10(tokens) positions; null unless status is 'fitted'. */
  onset: number | null;
  midpoint: number | null;
  saturation: number | null;
  /** Decades from onset to saturation; null unless 'fitted'. */
  width: number | null;
  /**
   * The midpoint with censoring, for ordering and intervals: -Infinity when it lies before
   * the first probed checkpoint, +Infinity when after the last or never (flat).
   */
  midpointCensored: number;
  /** log10(tokens) to reach each of TARGETS (share of the ceiling); +-Infinity censored. */
  timeToTarget: number[];
}

export interface CurveFrame {
  /** log10(tokens) per checkpoint; -Infinity at step 0. */
  x: number[];
  /** First and last finite x (the probed range). */
  xFirst: number;
  xLast: number;
  /** Whether the scale's ceiling is the probe's (a 10% rise then means 10% of the way). */
  ceilingDefined: boolean;
  /** Typical standard error of a checkpoint mean, normalised (item noise). */
  noise: number;
  /** The logistic fit on this frame's x (logisticFitter(x)). */
  fit: (y: ArrayLike<number>) => LogisticFit;
}

export function summarizeCurve(y: ArrayLike<number>, frame: CurveFrame): CurveSummary {
  const fit = frame.fit(y);
  const p = fit.params;
  let lo = Infinity;
  let hi = -Infinity;
  for (const xi of frame.x) {
    const v = logisticAt(p, xi);
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const observedRise = hi - lo;
  const minRise = Math.max(frame.ceilingDefined ? FLAT_MIN_RISE : 0, FLAT_NOISE_Z * frame.noise);
  const atFirst = logisticAt(p, frame.xFirst);
  const timeToTarget = TARGETS.map((target) => {
    if (atFirst >= target) return -Infinity;
    if (observedRise < minRise) return Infinity;
    const x = positionOfLevel(p, target);
    return x === null || x > frame.xLast ? Infinity : x;
  });
  const base = { fit, observedRise, onset: null, midpoint: null, saturation: null, width: null, timeToTarget };

  if (observedRise < minRise) {
    // No visible rise: either the curve sits at chance, or (without a step-0 anchor) it was
    // already up at the first probed checkpoint.
    const saturated = frame.ceilingDefined && atFirst >= 0.5;
    return { ...base, status: saturated ? 'saturated_at_start' : 'flat', midpointCensored: saturated ? -Infinity : Infinity };
  }
  const midpoint = positionOf(p, MIDPOINT_SHARE);
  if (midpoint < frame.xFirst) return { ...base, status: 'saturated_at_start', midpointCensored: -Infinity };
  if (midpoint > frame.xLast) return { ...base, status: 'midpoint_beyond_run', midpointCensored: Infinity };
  const onset = positionOf(p, ONSET_SHARE);
  const saturation = positionOf(p, SATURATION_SHARE);
  return { ...base, status: 'fitted', onset, midpoint, saturation, width: saturation - onset, midpointCensored: midpoint };
}

/** Median of the finite values (0 when none). */
export function median(values: ArrayLike<number>): number {
  const v = Array.from(values).filter(Number.isFinite).sort((a, b) => a - b);
  if (v.length === 0) return 0;
  const h = v.length >> 1;
  return v.length % 2 ? v[h] : (v[h - 1] + v[h]) / 2;
}

/**
 * Percentile interval of `values` at `level` (linear interpolation between order
 * statistics). Infinite values take part in the ordering (censored estimates) and come
 * back as null: "beyond the probed range on this side".
 */
export function percentileInterval(values: number[], level: number): { lo: number | null; hi: number | null } {
  if (values.length === 0) return { lo: null, hi: null };
  const v = [...values].sort((a, b) => a - b);
  const q = (p: number) => {
    const pos = p * (v.length - 1);
    const i = Math.floor(pos);
    const frac = pos - i;
    const a = v[i];
    const b = v[Math.min(i + 1, v.length - 1)];
    if (!Number.isFinite(a) || !Number.isFinite(b)) return frac === 0 || a === b ? a : a === -Infinity ? -Infinity : Infinity;
    return a + frac * (b - a);
  };
  const lo = q((1 - level) / 2);
  const hi = q((1 + level) / 2);
  return { lo: Number.isFinite(lo) ? lo : null, hi: Number.isFinite(hi) ? hi : null };
}
