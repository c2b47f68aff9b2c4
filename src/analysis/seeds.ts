/**
 * Several seeds of one config (initialisation and data order differ): each run's analysis
 * gives its verdict and midpoints with intervals over probe items; this module puts them
 * side by side and adds the spread across seeds. Pure (analyses in, summary out), so a
 * sweep can reuse it for any set of runs that differ only by seed.
 *
 * Across seeds a midpoint is the mean of the seeds' midpoints in log10(tokens), with a
 * Student-t interval at CI_LEVEL over the seeds (their spread, not the items'), and the
 * range of the seeds' values. It is given only when every seed crossed half of the range
 * inside its run: a mean over the seeds that crossed would hide the ones that did not.
 */
import { CI_LEVEL } from './definitions.js';
import type { Analysis, Position, Verdict } from './types.js';

export interface SeedRun {
  /** Run label (its directory name). */
  label: string;
  seed: number;
  analysis: Analysis;
}

export interface AcrossSeeds {
  /** Mean of the seeds' midpoints, log10(tokens), and its token count. */
  value: number;
  tokens: number;
  /** Student-t interval at CI_LEVEL over the seeds; null with a single seed. */
  lo: number | null;
  hi: number | null;
  /** Standard deviation across seeds (decades) and the seeds' range. */
  sd: number;
  min: number;
  max: number;
}

export interface SeedsCapability {
  name: string;
  /** Per seed: its status and midpoint with the interval over its items (null unless it entered the verdict). */
  perSeed: { label: string; status: string; midpoint: Position | null; lastLevel: number | null }[];
  /** Seeds in which the capability entered the verdict. */
  crossed: number;
  acrossSeeds: AcrossSeeds | null;
}

export type VerdictLabel = Verdict['verdict'];

export interface SeedsAnalysis {
  metric: 'd' | 'c';
  ciLevel: number;
  seeds: { label: string; seed: number; run: string; verdict: VerdictLabel }[];
  /** The verdict most seeds reached ('undetermined' on a tie), how many reached each, and in words. */
  verdict: { verdict: VerdictLabel; unanimous: boolean; counts: Record<VerdictLabel, number>; reason: string };
  capabilities: SeedsCapability[];
}

/** Two-sided 95% Student-t quantiles by degrees of freedom (1..30); beyond, the normal 1.96. */
const T95 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11,
  2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

export function tQuantile95(df: number): number {
  if (!(df >= 1)) throw new Error(`tQuantile95: degrees of freedom ${df} < 1`);
  return df <= T95.length ? T95[Math.floor(df) - 1] : 1.96;
}

/** Mean, t-interval, sd and range of values (log10 tokens). */
export function acrossSeeds(values: readonly number[]): AcrossSeeds {
  if (CI_LEVEL !== 0.95) throw new Error('acrossSeeds: the t table is for 95% intervals; CI_LEVEL changed');
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1)) : 0;
  const half = n > 1 ? (tQuantile95(n - 1) * sd) / Math.sqrt(n) : null;
  return {
    value: mean,
    tokens: Math.round(10 ** mean),
    lo: half === null ? null : mean - half,
    hi: half === null ? null : mean + half,
    sd,
    min: Math.min(...values),
    max: Math.max(...values),
  };
}

const LABELS: VerdictLabel[] = ['stages', 'overlapping_waves', 'slurry', 'undetermined'];

/** Side by side and across seeds, under the primary metric of the runs' analyses. */
export function aggregateSeeds(runs: readonly SeedRun[]): SeedsAnalysis {
  if (runs.length === 0) throw new Error('aggregateSeeds: no runs');
  const metric = runs[0].analysis.verdict.metric;
  if (runs.some((r) => r.analysis.verdict.metric !== metric))
    throw new Error('aggregateSeeds: the runs were analysed under different metrics');
  const counts = Object.fromEntries(LABELS.map((l) => [l, 0])) as Record<VerdictLabel, number>;
  for (const r of runs) counts[r.analysis.verdict.verdict]++;
  const top = Math.max(...Object.values(counts));
  const leaders = LABELS.filter((l) => counts[l] === top);
  const verdict = leaders.length === 1 ? leaders[0] : 'undetermined';
  const unanimous = top === runs.length;
  const spelled = LABELS.filter((l) => counts[l] > 0).map((l) => `${l.replace(/_/g, ' ')} in ${counts[l]}`);
  const reason = unanimous
    ? `every one of the ${runs.length} seeds gives ${verdict.replace(/_/g, ' ')}`
    : `the seeds disagree: ${spelled.join(', ')} of ${runs.length}` +
      (leaders.length > 1 ? ' (a tie: undetermined)' : '');

  const names: string[] = [];
  for (const r of runs) for (const c of r.analysis.capabilities) if (!names.includes(c.name)) names.push(c.name);
  const capabilities = names.map((name): SeedsCapability => {
    const perSeed = runs.map((r) => {
      const cap = r.analysis.capabilities.find((c) => c.name === name);
      const placed = r.analysis.verdict.order.find((o) => o.name === name);
      const out = r.analysis.verdict.excluded.find((x) => x.name === name);
      const curve = cap ? (metric === 'd' ? cap.discrete : cap.continuous) : null;
      return {
        label: r.label,
        status: !cap ? 'missing' : placed ? 'crossed' : (out?.status ?? curve!.status),
        midpoint: placed?.midpoint ?? null,
        lastLevel: curve?.lastLevel ?? null,
      };
    });
    const mids = perSeed.flatMap((s) => (s.midpoint ? [s.midpoint.value] : []));
    return { name, perSeed, crossed: mids.length, acrossSeeds: mids.length === runs.length ? acrossSeeds(mids) : null };
  });
  return {
    metric,
    ciLevel: CI_LEVEL,
    seeds: runs.map((r) => ({
      label: r.label,
      seed: r.seed,
      run: r.analysis.run,
      verdict: r.analysis.verdict.verdict,
    })),
    verdict: { verdict, unanimous, counts, reason },
    capabilities,
  };
}
