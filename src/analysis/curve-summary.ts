/**
 * What one normalised curve says: its logistic fit, and from it a status, the midpoint
 * (where the curve crosses MIDPOINT_LEVEL, half of the chance-to-ceiling range), the
 * window of its own fitted rise (onset, shape midpoint, saturation, width) and the time to
 * reach each target share of the ceiling. The same function summarises the full-data
 * curve and every bootstrap resample, so the intervals describe exactly the estimator that
 * produced the point values.
 */
import {
  FLAT_MIN_RISE,
  FLAT_NOISE_Z,
  MIDPOINT_LEVEL,
  MIDPOINT_SHARE,
  ONSET_SHARE,
  SATURATION_SHARE,
  TARGETS,
} from './definitions.js';
import { logisticAt, positionOf, positionOfLevel, type LogisticFit } from './logistic.js';

/**
 * crossed: the curve rises through MIDPOINT_LEVEL of its range inside the probed
 * checkpoints; still_rising: a visible rise that is still below it at the last one; flat:
 * no visible rise; saturated_at_start: already above it at the first checkpoint after step 0.
 */
export type CurveStatus = 'crossed' | 'still_rising' | 'flat' | 'saturated_at_start';

export interface CurveSummary {
  status: CurveStatus;
  fit: LogisticFit;
  /** Rise of the fitted curve across the probed checkpoints (normalised units). */
  observedRise: number;
  /** Fitted level at the last probed checkpoint (normalised units). */
  lastLevel: number;
  /** log10(tokens) where the fitted curve crosses MIDPOINT_LEVEL; null unless 'crossed'. */
  midpoint: number | null;
  /**
   * The fitted curve's own rise (floor to ceiling of the fit): onset at ONSET_SHARE, shape
   * midpoint at MIDPOINT_SHARE, saturation at SATURATION_SHARE, width from onset to
   * saturation (decades). Null without a visible rise; they may lie outside the probed range.
   */
  onset: number | null;
  shapeMidpoint: number | null;
  saturation: number | null;
  width: number | null;
  /**
   * The midpoint with censoring, for ordering and intervals: -Infinity when the crossing lies
   * before the first probed checkpoint, +Infinity when after the last or never.
   */
  midpointCensored: number;
  /** The shape midpoint, -Infinity / +Infinity outside the probed range (or never). */
  shapeMidpointCensored: number;
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
  const rises = observedRise >= Math.max(frame.ceilingDefined ? FLAT_MIN_RISE : 0, FLAT_NOISE_Z * frame.noise);
  const atFirst = logisticAt(p, frame.xFirst);
  const lastLevel = logisticAt(p, frame.xLast);
  /** Where the fitted curve reaches `level`, censored to the probed range. */
  const crossing = (level: number) => {
    if (atFirst >= level) return -Infinity;
    if (!rises) return Infinity;
    const x = positionOfLevel(p, level);
    return x === null || x > frame.xLast ? Infinity : x;
  };
  const timeToTarget = TARGETS.map(crossing);
  const inRange = (x: number) => (x < frame.xFirst ? -Infinity : x > frame.xLast ? Infinity : x);
  const shape = rises
    ? {
        onset: positionOf(p, ONSET_SHARE),
        shapeMidpoint: positionOf(p, MIDPOINT_SHARE),
        saturation: positionOf(p, SATURATION_SHARE),
        shapeMidpointCensored: inRange(positionOf(p, MIDPOINT_SHARE)),
      }
    : { onset: null, shapeMidpoint: null, saturation: null, shapeMidpointCensored: Infinity };
  const width = shape.onset === null ? null : shape.saturation! - shape.onset;
  const base = { fit, observedRise, lastLevel, ...shape, width, timeToTarget, midpoint: null };

  if (!rises) {
    // No visible rise: either the curve sits at chance, or (without a step-0 anchor) it was
    // already up at the first probed checkpoint.
    const saturated = frame.ceilingDefined && atFirst >= MIDPOINT_LEVEL;
    return {
      ...base,
      status: saturated ? 'saturated_at_start' : 'flat',
      midpointCensored: saturated ? -Infinity : Infinity,
    };
  }
  const midpoint = crossing(MIDPOINT_LEVEL);
  if (midpoint === -Infinity) return { ...base, status: 'saturated_at_start', midpointCensored: -Infinity };
  if (midpoint === Infinity) return { ...base, status: 'still_rising', midpointCensored: Infinity };
  return { ...base, status: 'crossed', midpoint, midpointCensored: midpoint };
}

/** Median of the finite values (0 when none). */
export function median(values: ArrayLike<number>): number {
  const v = Array.from(values)
    .filter(Number.isFinite)
    .sort((a, b) => a - b);
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
    if (!Number.isFinite(a) || !Number.isFinite(b))
      return frac === 0 || a === b ? a : a === -Infinity ? -Infinity : Infinity;
    return a + frac * (b - a);
  };
  const lo = q((1 - level) / 2);
  const hi = q((1 + level) / 2);
  return { lo: Number.isFinite(lo) ? lo : null, hi: Number.isFinite(hi) ? hi : null };
}
