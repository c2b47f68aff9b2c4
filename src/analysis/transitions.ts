/**
 * Transitions located in tokens: abrupt slope changes of a curve in log10(tokens), and
 * bumps (temporary rises) of the smoothed training loss. Both are tested against the noise
 * of the points they use, so a wiggle within the item or batch noise is never reported.
 */
import { SLOPE_SEGMENT_MIN_DECADES } from './definitions.js';

export interface NoisyPoint {
  /** log10(tokens); finite. */
  x: number;
  y: number;
  /** Standard error of y. */
  se: number;
}

export interface Kink {
  /** Index of the point where the slope changes. */
  index: number;
  kind: 'speed_up' | 'slow_down';
  slopeBefore: number;
  slopeAfter: number;
  z: number;
}

/**
 * Slope changes at interior points. The slope before point k runs from the nearest point
 * at least SLOPE_SEGMENT_MIN_DECADES to its left, the slope after to the nearest point that
 * far to its right (dense late checkpoints would otherwise turn noise into huge slopes).
 * A change counts when |after - before| >= minChange and >= minZ standard errors; of a run
 * of neighbouring points flagged with the same sign, the strongest is kept.
 */
export function slopeChanges(points: NoisyPoint[], minChange: number, minZ: number): Kink[] {
  const found: Kink[] = [];
  for (let k = 1; k < points.length - 1; k++) {
    let i = k - 1;
    while (i > 0 && points[k].x - points[i].x < SLOPE_SEGMENT_MIN_DECADES) i--;
    let j = k + 1;
    while (j < points.length - 1 && points[j].x - points[k].x < SLOPE_SEGMENT_MIN_DECADES) j++;
    const h1 = points[k].x - points[i].x;
    const h2 = points[j].x - points[k].x;
    if (!(h1 > 0 && h2 > 0)) continue;
    const before = (points[k].y - points[i].y) / h1;
    const after = (points[j].y - points[k].y) / h2;
    const change = after - before;
    const variance = (points[j].se / h2) ** 2 + (points[k].se * (1 / h1 + 1 / h2)) ** 2 + (points[i].se / h1) ** 2;
    const z = variance > 0 ? Math.abs(change) / Math.sqrt(variance) : Math.abs(change) > 0 ? Infinity : 0;
    if (Math.abs(change) < minChange || z < minZ) continue;
    found.push({ index: k, kind: change > 0 ? 'speed_up' : 'slow_down', slopeBefore: before, slopeAfter: after, z });
  }
  return strongestOfRuns(found, points);
}

/** Flagged points closer than a segment to the previous one of the same kind form a run. */
function strongestOfRuns(found: Kink[], points: NoisyPoint[]): Kink[] {
  const kept: Kink[] = [];
  for (const k of found) {
    const prev = kept[kept.length - 1];
    const sameRun =
      prev && prev.kind === k.kind && points[k.index].x - points[prev.index].x < 2 * SLOPE_SEGMENT_MIN_DECADES;
    if (!sameRun) kept.push(k);
    else if (Math.abs(k.slopeAfter - k.slopeBefore) > Math.abs(prev.slopeAfter - prev.slopeBefore))
      kept[kept.length - 1] = k;
  }
  return kept;
}

export interface Bump {
  /** Index of the running minimum the rise starts from, and of the top. */
  start: number;
  peak: number;
  height: number;
  z: number;
}

/**
 * Rises of a (smoothed) loss above its running minimum by at least minHeight and minZ
 * standard errors. After a bump the running minimum restarts past its peak.
 */
export function bumps(points: NoisyPoint[], minHeight: number, minZ: number): Bump[] {
  const out: Bump[] = [];
  let minIdx = 0;
  let k = 1;
  while (k < points.length) {
    if (points[k].y < points[minIdx].y) minIdx = k;
    const rise = points[k].y - points[minIdx].y;
    const se = Math.hypot(points[k].se, points[minIdx].se);
    if (rise >= minHeight && (se === 0 || rise / se >= minZ)) {
      let peak = k;
      while (peak + 1 < points.length && points[peak + 1].y >= points[peak].y) peak++;
      const height = points[peak].y - points[minIdx].y;
      out.push({
        start: minIdx,
        peak,
        height,
        z: se > 0 ? height / Math.hypot(points[peak].se, points[minIdx].se) : Infinity,
      });
      minIdx = peak + 1;
      k = peak + 2;
      continue;
    }
    k++;
  }
  return out;
}
