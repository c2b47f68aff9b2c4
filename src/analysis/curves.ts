/**
 * From probe records to capability curves: one suite's per-item results as a checkpoint x
 * item matrix, the mean over items at each checkpoint (optionally with bootstrap weights on
 * the items), and the normalisation between chance and ceiling.
 */
import type { ProbeRecord } from '../run/records.js';
import type { Rng } from '../util/rng.js';

export type MetricKind = 'd' | 'c';

/** One suite's results on every probed checkpoint, items aligned by id. */
export interface SuiteMatrix {
  suite: string;
  metricNames: { d: string; c: string };
  steps: number[];
  tokens: number[];
  /** log10(tokens); -Infinity for the step-0 checkpoint (tokens = 0). */
  x: number[];
  ids: string[];
  groups: (string | undefined)[];
  /** Control items (ProbeItemResult.control): charted with their group, not in the capability. */
  control: boolean[];
  /**
   * Item-major [item * checkpoints + checkpoint] (a resample skips whole items); NaN where
   * an item is missing at a checkpoint.
   */
  d: Float64Array;
  c: Float64Array;
  /** No item is missing anywhere (the common case, and a faster mean). */
  complete: boolean;
  chance: { d: number; c: number };
  /** Chance of each group where groups differ (ProbeRecord.chance_by_group). */
  chanceByGroup?: Record<string, { d: number; c: number }>;
  /** null: the metric has no ceiling (a margin); the curve is then scaled to its best mean. */
  ceiling: { d: number; c: number | null };
  warnings: string[];
}

/**
 * Builds the matrix of one suite. `records` are that suite's records, one per checkpoint
 * (the caller resolves duplicates). Items are identified by id; an item absent at some
 * checkpoint is NaN there and the mean at that checkpoint is over the items present.
 */
export function suiteMatrix(records: ProbeRecord[]): SuiteMatrix {
  const sorted = [...records].sort((a, b) => a.step - b.step);
  const first = sorted[0];
  const index = new Map<string, number>();
  const ids: string[] = [];
  const groups: (string | undefined)[] = [];
  const control: boolean[] = [];
  for (const r of sorted) {
    for (const it of r.items) {
      if (index.has(it.id)) continue;
      index.set(it.id, ids.length);
      ids.push(it.id);
      groups.push(it.group);
      control.push(it.control === true);
    }
  }
  const T = sorted.length;
  const N = ids.length;
  const d = new Float64Array(T * N).fill(NaN);
  const c = new Float64Array(T * N).fill(NaN);
  const warnings: string[] = [];
  let missing = 0;
  sorted.forEach((r, t) => {
    for (const it of r.items) {
      const i = index.get(it.id)!;
      d[i * T + t] = it.d;
      c[i * T + t] = it.c;
    }
    missing += N - r.items.length;
    if (
      r.chance.d !== first.chance.d ||
      r.chance.c !== first.chance.c ||
      r.ceiling.d !== first.ceiling.d ||
      r.ceiling.c !== first.ceiling.c
    ) {
      warnings.push(
        `suite ${first.suite}: chance/ceiling at step ${r.step} differ from step ${first.step}; the values of step ${first.step} are used`,
      );
    }
  });
  if (first.ceiling.d === first.chance.d) {
    warnings.push(
      `suite ${first.suite}: the discrete metric's ceiling equals its chance (${first.chance.d}); it is scaled to its best checkpoint instead`,
    );
  }
  if (missing > 0) {
    warnings.push(
      `suite ${first.suite}: ${missing} (checkpoint, item) results are missing (items differ between checkpoints); each checkpoint's mean is over the items it has`,
    );
  }
  return {
    suite: first.suite,
    metricNames: { d: first.discrete, c: first.continuous },
    steps: sorted.map((r) => r.step),
    tokens: sorted.map((r) => r.tokens),
    x: sorted.map((r) => (r.tokens > 0 ? Math.log10(r.tokens) : -Infinity)),
    ids,
    groups,
    control,
    d,
    c,
    complete: missing === 0,
    chance: { ...first.chance },
    ...(first.chance_by_group ? { chanceByGroup: first.chance_by_group } : {}),
    ceiling: { ...first.ceiling },
    warnings,
  };
}

/** The same suite restricted to the items at `columns` (a group). */
export function selectItems(m: SuiteMatrix, columns: number[]): SuiteMatrix {
  const T = m.steps.length;
  const d = new Float64Array(T * columns.length);
  const c = new Float64Array(T * columns.length);
  columns.forEach((i, k) => {
    d.set(m.d.subarray(i * T, (i + 1) * T), k * T);
    c.set(m.c.subarray(i * T, (i + 1) * T), k * T);
  });
  const complete = m.complete || !d.some(Number.isNaN);
  const groups = columns.map((i) => m.groups[i]);
  return {
    ...m,
    ids: columns.map((i) => m.ids[i]),
    groups,
    control: columns.map((i) => m.control[i]),
    d,
    c,
    complete,
    chance: subsetChance(m, groups),
    warnings: [],
  };
}

/** Chance of a subset of items: the mean of their groups' chance where groups differ. */
function subsetChance(m: SuiteMatrix, groups: (string | undefined)[]): { d: number; c: number } {
  const byGroup = m.chanceByGroup;
  if (!byGroup || groups.length === 0 || groups.some((g) => g === undefined || !byGroup[g])) return { ...m.chance };
  const sum = { d: 0, c: 0 };
  for (const g of groups) {
    sum.d += byGroup[g!].d;
    sum.c += byGroup[g!].c;
  }
  return { d: sum.d / groups.length, c: sum.c / groups.length };
}

/** The items a capability is judged on: all but the controls. */
export function capabilityItems(m: SuiteMatrix): SuiteMatrix {
  if (!m.control.some(Boolean)) return m;
  return selectItems(
    m,
    m.control.flatMap((isControl, i) => (isControl ? [] : [i])),
  );
}

export interface MeanCurve {
  mean: Float64Array;
  /** Standard error of the mean over items (unweighted curves only; 0 with one item). */
  se: Float64Array;
}

/**
 * Mean over items at each checkpoint. With `weights` (bootstrap multiplicities), item i
 * counts weights[i] times; standard errors are then not computed (zeros).
 */
export function meanCurve(m: SuiteMatrix, kind: MetricKind, weights?: Uint32Array): MeanCurve {
  const v = m[kind];
  const T = m.steps.length;
  const N = m.ids.length;
  const sum = new Float64Array(T);
  const sumSq = new Float64Array(T);
  const count = new Float64Array(T);
  let total = 0;
  for (let i = 0; i < N; i++) {
    const w = weights ? weights[i] : 1;
    if (w === 0) continue;
    total += w;
    const base = i * T;
    if (m.complete) {
      for (let t = 0; t < T; t++) {
        const val = v[base + t];
        sum[t] += w * val;
        sumSq[t] += w * val * val;
      }
    } else {
      for (let t = 0; t < T; t++) {
        const val = v[base + t];
        if (Number.isNaN(val)) continue;
        sum[t] += w * val;
        sumSq[t] += w * val * val;
        count[t] += w;
      }
    }
  }
  if (m.complete) count.fill(total);
  const mean = new Float64Array(T);
  const se = new Float64Array(T);
  for (let t = 0; t < T; t++) {
    const n = count[t];
    mean[t] = n > 0 ? sum[t] / n : NaN;
    if (!weights && n > 1) se[t] = Math.sqrt(Math.max(0, (sumSq[t] - (sum[t] * sum[t]) / n) / (n - 1)) / n);
  }
  return { mean, se };
}

export interface Scale {
  chance: number;
  ceiling: number;
  /** 'defined' by the probe, or 'empirical': the best checkpoint mean (no ceiling defined). */
  ceilingKind: 'defined' | 'empirical';
}

/**
 * The chance-to-ceiling scale of a metric. Without a defined ceiling the best mean over the
 * full-data curve stands in, so 1 means "as good as this run ever got"; the timing of the
 * fit does not depend on the scale (the logistic's floor and ceiling are free), only the
 * flatness test and time-to-target do.
 */
export function scaleOf(m: SuiteMatrix, kind: MetricKind, fullMean: Float64Array): Scale {
  const chance = m.chance[kind];
  const defined = kind === 'd' ? m.ceiling.d : m.ceiling.c;
  if (defined !== null && defined !== chance) return { chance, ceiling: defined, ceilingKind: 'defined' };
  let best = -Infinity;
  for (const v of fullMean) if (v > best) best = v;
  // A curve that never rises above chance gets a unit scale; the flatness test catches it.
  const ceiling = best > chance ? best : chance + 1;
  return { chance, ceiling, ceilingKind: 'empirical' };
}

export function normalise(values: Float64Array, s: Scale): Float64Array {
  const span = s.ceiling - s.chance;
  return values.map((v) => (v - s.chance) / span);
}

/** Bootstrap multiplicities: n draws with replacement from n items. */
export function resampleCounts(rng: Rng, n: number): Uint32Array {
  const w = new Uint32Array(n);
  for (let k = 0; k < n; k++) w[rng.int(n)]++;
  return w;
}
