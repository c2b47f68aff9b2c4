/**
 * A sweep's cells summed up (pure: analyses in, rows out). Cells that differ only in their
 * seed form a group; across a group's seeds each capability curve gets a mean and a 95%
 * Student-t interval per checkpoint, its training compute (6 N D, N the non-embedding
 * parameters), and its tokens to a target share of the ceiling (geometric mean over the
 * seeds that reached it, with a t interval in log space).
 */
import type { Analysis, CurveAnalysis } from '../analysis/types.js';
import { cellLabel, type Assignment } from './expand.js';

/** Axis keys that only change the randomness: cells differing in them are replicates. */
export const SEED_KEYS = ['seed', 'data.seed'];

export interface CellInput {
  hash: string;
  values: Assignment;
  parameters: number;
  /** null until the cell is done. */
  analysis: Analysis | null;
}

export interface CurveRow {
  group: string;
  capability: string;
  metric: 'd' | 'c';
  step: number;
  tokens: number;
  /** 6 N tokens, FLOPs. */
  compute: number;
  parameters: number;
  mean: number;
  /** 95% interval of the mean across seeds; null with one seed. */
  lo: number | null;
  hi: number | null;
  seeds: number;
}

export interface TargetRow {
  group: string;
  capability: string;
  metric: 'd' | 'c';
  target: number;
  seeds: number;
  reached: number;
  /** Geometric mean of the tokens of the seeds that reached the target, with its 95% interval. */
  tokens: number | null;
  lo: number | null;
  hi: number | null;
}

export interface SweepSummary {
  groups: { label: string; parameters: number; cells: number; done: number }[];
  curves: CurveRow[];
  targets: TargetRow[];
}

export function groupLabel(values: Assignment): string {
  const rest = Object.fromEntries(Object.entries(values).filter(([k]) => !SEED_KEYS.includes(k)));
  return Object.keys(rest).length ? cellLabel(rest) : 'all cells';
}

export function summarizeSweep(cells: readonly CellInput[], target = 0.5): SweepSummary {
  const groups = new Map<string, CellInput[]>();
  for (const c of cells) groups.set(groupLabel(c.values), [...(groups.get(groupLabel(c.values)) ?? []), c]);
  const summary: SweepSummary = { groups: [], curves: [], targets: [] };
  for (const [label, members] of groups) {
    const done = members.filter((c) => c.analysis !== null);
    const parameters = members[0].parameters;
    summary.groups.push({ label, parameters, cells: members.length, done: done.length });
    const capabilities = [...new Set(done.flatMap((c) => c.analysis!.capabilities.map((k) => k.name)))];
    for (const capability of capabilities) {
      for (const metric of ['d', 'c'] as const) {
        const curves = done.flatMap((c) => {
          const cap = c.analysis!.capabilities.find((k) => k.name === capability);
          return cap ? [metric === 'd' ? cap.discrete : cap.continuous] : [];
        });
        summary.curves.push(
          ...meanCurve(curves).map((p) => ({
            group: label,
            capability,
            metric,
            parameters,
            compute: 6 * parameters * p.tokens,
            ...p,
          })),
        );
        summary.targets.push(targetRow(curves, { group: label, capability, metric, target }));
      }
    }
  }
  return summary;
}

/** Per checkpoint step present in every curve: mean of the normalised values and its t interval. */
function meanCurve(
  curves: CurveAnalysis[],
): { step: number; tokens: number; mean: number; lo: number | null; hi: number | null; seeds: number }[] {
  if (curves.length === 0) return [];
  const steps = curves[0].points
    .map((p) => p.step)
    .filter((s) => curves.every((c) => c.points.some((p) => p.step === s)));
  return steps.map((step) => {
    const values = curves.map((c) => c.points.find((p) => p.step === step)!.normalized);
    const { mean, half } = meanInterval(values);
    return {
      step,
      tokens: curves[0].points.find((p) => p.step === step)!.tokens,
      mean,
      lo: half === null ? null : mean - half,
      hi: half === null ? null : mean + half,
      seeds: values.length,
    };
  });
}

function targetRow(
  curves: CurveAnalysis[],
  row: Pick<TargetRow, 'group' | 'capability' | 'metric' | 'target'>,
): TargetRow {
  const logs = curves.flatMap((c) => {
    const t = c.timeToTarget.find((x) => x.target === row.target);
    return t?.status === 'reached' && t.at ? [t.at.value] : [];
  });
  const base = { ...row, seeds: curves.length, reached: logs.length };
  if (logs.length === 0) return { ...base, tokens: null, lo: null, hi: null };
  const { mean, half } = meanInterval(logs);
  return {
    ...base,
    tokens: 10 ** mean,
    lo: half === null ? null : 10 ** (mean - half),
    hi: half === null ? null : 10 ** (mean + half),
  };
}

/** Mean and the half-width of its 95% Student-t interval (null for fewer than two values). */
export function meanInterval(values: readonly number[]): { mean: number; half: number | null } {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return { mean, half: null };
  const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1);
  return { mean, half: tQuantile975(n - 1) * Math.sqrt(variance / n) };
}

/** Two-sided 95% quantile of Student's t with df degrees of freedom (table to 30, then the normal's). */
export function tQuantile975(df: number): number {
  const table = [
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11,
    2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
  ];
  return df <= table.length ? table[df - 1] : 1.96;
}
