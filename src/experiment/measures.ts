/**
 * The numbers experiments read from a run's analysis, per seed: a capability's measured
 * level at the last probed checkpoint (normalised: 0 chance, 1 ceiling; the measured mean,
 * not the fit), the tokens it took to reach half of its range, and a source's validation
 * loss. A capability is a suite, or a suite's group written `suite/group` (reasoning/twohop,
 * reasoning/code, reasoning/add_2d: the reasoning probes apart).
 */
import { tQuantile95 } from '../analysis/seeds.js';
import type { Analysis, CurveAnalysis } from '../analysis/types.js';
import { spread, relation, type Relation, type Spread } from './compare.js';
import type { MeasuredRun } from './types.js';

export type Metric = 'd' | 'c';

/** Suites whose groups are reported as capabilities of their own. */
const SPLIT_SUITES = ['reasoning'];

/** The curve of a capability (`suite` or `suite/group`) under a metric, or null when the run has none. */
export function curveOf(analysis: Analysis, capability: string, metric: Metric): CurveAnalysis | null {
  const [suite, group] = capability.split('/');
  if (group === undefined) {
    const cap = analysis.capabilities.find((c) => c.name === suite);
    return cap ? (metric === 'd' ? cap.discrete : cap.continuous) : null;
  }
  const curve = analysis.groups.find((g) => g.suite === suite)?.groups.find((g) => g.group === group)?.curve;
  if (!curve) return null;
  return curve.metric === metric ? curve : null;
}

/** Capabilities in the runs, in first-seen order: suites, then the groups of the split suites. */
export function capabilityNames(runs: readonly MeasuredRun[]): string[] {
  const names: string[] = [];
  const add = (n: string) => !names.includes(n) && names.push(n);
  for (const r of runs) for (const c of r.analysis.capabilities) add(c.name);
  for (const r of runs)
    for (const g of r.analysis.groups)
      if (SPLIT_SUITES.includes(g.suite)) for (const x of g.groups) add(`${g.suite}/${x.group}`);
  return names;
}

/** Normalised level at each probed checkpoint: tokens -> level. */
export function levels(analysis: Analysis, capability: string, metric: Metric): { tokens: number; level: number }[] {
  const curve = curveOf(analysis, capability, metric);
  return (curve?.points ?? []).map((p) => ({ tokens: p.tokens, level: p.normalized }));
}

/**
 * A per-seed number with the half-width of its own 95% interval over probe items (see
 * compare.ts: the same items serve every seed, so this part of the error stays).
 */
export interface Measured {
  value: number;
  itemHalf: number;
}

/** Two-sided 95% quantile of the normal: an item mean's interval from its standard error. */
export const Z95 = tQuantile95(Infinity);

/**
 * Normalised level at the last probed checkpoint, with its interval over items from the
 * checkpoint's standard error; null when the curve is missing. A discrete metric's items
 * score in [0, 1], and when every item scores 0 (or 1) their standard error is 0, which
 * would claim the level exactly: its standard error is then at least the Agresti-Coull one
 * (two successes and two failures added), so 0 of 96 items reads 0 with a half-width of
 * about 0.03 of the range, not 0.
 */
export function levelMeasured(analysis: Analysis, capability: string, metric: Metric): Measured | null {
  const curve = curveOf(analysis, capability, metric);
  const last = curve?.points.at(-1);
  if (!curve || !last || !Number.isFinite(last.normalized)) return null;
  let se = last.se;
  if (metric === 'd' && curve.items > 0 && last.mean >= 0 && last.mean <= 1) {
    const p = (last.mean * curve.items + 2) / (curve.items + 4);
    se = Math.max(se, Math.sqrt((p * (1 - p)) / (curve.items + 4)) / Math.abs(curve.ceiling - curve.chance));
  }
  return { value: last.normalized, itemHalf: Z95 * se };
}

/**
 * log10(tokens) at which the capability reached half of its range, with its bootstrap
 * interval over items (open when the bootstrap leaves an end open); null unless reached
 * inside the run.
 */
export function midpointMeasured(analysis: Analysis, capability: string, metric: Metric): Measured | null {
  const t = curveOf(analysis, capability, metric)?.timeToTarget.find((x) => x.target === 0.5);
  if (t?.status !== 'reached' || !t.at) return null;
  const { value, lo, hi } = t.at;
  return { value, itemHalf: lo === null || hi === null ? Infinity : (hi - lo) / 2 };
}

/** Validation loss of a source at each evaluation: tokens -> loss. */
export function sourceLossCurve(analysis: Analysis, source: string): { tokens: number; loss: number }[] {
  return analysis.losses.sources.find((s) => s.source === source)?.val ?? [];
}

/** A per-seed measure: a plain number has no item noise (a validation loss over every held-out token). */
export type Measure = (a: Analysis) => number | Measured | null;

/** `measure` over one arm's runs, as a spread (seeds where it is null are left out, and counted). */
export function armSpread(
  runs: readonly MeasuredRun[],
  arm: string,
  measure: Measure,
): { spread: Spread; missing: number } {
  const mine = runs.filter((r) => r.arm === arm);
  const measured = mine
    .map((r) => measure(r.analysis))
    .flatMap((m) => (m === null ? [] : [typeof m === 'number' ? { value: m, itemHalf: 0 } : m]))
    .filter((m) => Number.isFinite(m.value));
  const values = measured.map((m) => m.value);
  return {
    spread: spread(
      values,
      measured.map((m) => m.itemHalf),
    ),
    missing: mine.length - values.length,
  };
}

export interface ArmContrast {
  name: string;
  a: Spread;
  b: Spread;
  /** Seeds of each arm without the number (a midpoint not reached, a curve missing). */
  missing: { a: number; b: number };
  /** How arm b stands against arm a; 'unknown' also when a seed lacks the number (a mean would hide it). */
  relation: Relation;
}

/** One measure, arm a against arm b, across seeds. */
export function contrast(
  runs: readonly MeasuredRun[],
  name: string,
  arms: { a: string; b: string },
  measure: Measure,
): ArmContrast {
  const a = armSpread(runs, arms.a, measure);
  const b = armSpread(runs, arms.b, measure);
  const missing = { a: a.missing, b: b.missing };
  return {
    name,
    a: a.spread,
    b: b.spread,
    missing,
    relation: a.missing || b.missing ? 'unknown' : relation(a.spread, b.spread),
  };
}
