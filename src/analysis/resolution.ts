/**
 * What the probed checkpoints can resolve. A fitted window with fewer than two checkpoints
 * inside it is not pinned down by the data: a rise between two checkpoints fits a step as
 * well as any width up to the gap (and one checkpoint at mid-height fits a step through
 * it). Such a window is widened to the checkpoints that bracket it, so that claims built
 * on it (disjoint windows, a sharper metric) rest on what was measured.
 */

export interface Window {
  onset: number;
  midpoint: number;
  saturation: number;
}

/** Finite log10(tokens) of the probed checkpoints, ascending. */
export function finiteSorted(xs: number[]): number[] {
  return xs.filter(Number.isFinite).sort((a, b) => a - b);
}

export function checkpointsInside(xs: number[], lo: number, hi: number): number {
  let n = 0;
  for (const x of xs) if (x > lo && x < hi) n++;
  return n;
}

export const widthResolved = (xs: number[], w: Window): boolean => checkpointsInside(xs, w.onset, w.saturation) >= 2;

/** The window itself when resolved, else widened to the nearest checkpoints outside it. */
export function resolvedWindow(xs: number[], w: Window): Window & { resolved: boolean } {
  if (widthResolved(xs, w)) return { ...w, resolved: true };
  let onset = w.onset;
  let saturation = w.saturation;
  for (const x of xs) if (x <= w.onset) onset = x;
  for (let i = xs.length - 1; i >= 0; i--) if (xs[i] >= w.saturation) saturation = xs[i];
  return { onset, midpoint: w.midpoint, saturation, resolved: false };
}
