/**
 * Two arms at equal tokens, compared capability by capability on the level each reached by
 * the end of training: the shared core of the experiments that ask whether a change of
 * data (code in the mixture, an anneal) raises some capabilities and at what cost to others.
 */
import { formatSpread, RELATION_WORDS, type Relation } from './compare.js';
import { capabilityNames, contrast, levelMeasured, type ArmContrast, type Metric } from './measures.js';
import type { MeasuredRun, Table } from './types.js';

/** Every capability's final level, arm b against arm a. */
export function levelContrasts(
  runs: readonly MeasuredRun[],
  arms: { a: string; b: string },
  metric: Metric = 'd',
): ArmContrast[] {
  return capabilityNames(runs).map((name) => contrast(runs, name, arms, (a) => levelMeasured(a, name, metric)));
}

/** Names by relation. */
export function byRelation(contrasts: readonly ArmContrast[]): Record<Relation, string[]> {
  const out: Record<Relation, string[]> = { higher: [], lower: [], same: [], unknown: [] };
  for (const c of contrasts) out[c.relation].push(c.name);
  return out;
}

/** `reasoning/code 0.31 [0.20, 0.42] against 0.12 [0.05, 0.19]`: b's level, then a's. */
export function quoted(c: ArmContrast): string {
  return `${c.name} ${formatSpread(c.b)} against ${formatSpread(c.a)}`;
}

/** True when some arm has fewer than two runs: no interval across seeds anywhere. */
export function fewSeeds(runs: readonly MeasuredRun[]): boolean {
  const counts = new Map<string, number>();
  for (const r of runs) counts.set(r.arm, (counts.get(r.arm) ?? 0) + 1);
  return counts.size === 0 || [...counts.values()].some((n) => n < 2);
}

export const ONE_SEED =
  'with one seed per arm there is no interval across seeds, so no difference can be shown (run with --seeds 2 or more)';

/** An arm's spread, with the seeds that lack the number. */
function spreadCell(s: ArmContrast['a'], missing: number, format = formatSpread): string {
  return missing ? `${format(s)}; ${missing} seed(s) without` : format(s);
}

export function levelTable(
  title: string,
  contrasts: readonly ArmContrast[],
  arms: { a: string; b: string },
  metricName: string,
): Table {
  return {
    title,
    header: ['capability', `${arms.a} (${metricName})`, `${arms.b} (${metricName})`, `${arms.b} against ${arms.a}`],
    rows: contrasts.map((c) => [
      c.name,
      spreadCell(c.a, c.missing.a),
      spreadCell(c.b, c.missing.b),
      RELATION_WORDS[c.relation],
    ]),
  };
}
