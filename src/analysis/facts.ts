/**
 * Facts by exposure: the facts probe tags each item with how often its fact occurs in the
 * training corpus (bucket head | torso | tail | unseen, possibly with the relation in the
 * same group string, e.g. "head/capital"). Items are pooled per bucket, so "were frequent
 * facts learned first?" is read from the buckets' midpoints.
 */
import { capabilityOf, EXPOSURE_SUITES } from '../run/capabilities.js';
import { formatLog10 } from './format.js';
import type { FactsByExposure, SuiteGroups } from './types.js';

export const EXPOSURE_BUCKETS = ['head', 'torso', 'tail', 'unseen'] as const;

/** The group a fitted curve pools: the exposure bucket for facts, the group itself otherwise. */
export function groupKeyOf(suite: string, group: string): string {
  if (!EXPOSURE_SUITES.includes(suite)) return group;
  const words = group.toLowerCase().split(/[^a-z]+/);
  return EXPOSURE_BUCKETS.find((b) => words.includes(b)) ?? group;
}

/** Group order in tables and charts: exposure buckets from frequent to unseen, else by name. */
export function groupOrder(suite: string, a: string, b: string): number {
  const rank = (g: string) =>
    EXPOSURE_SUITES.includes(suite) ? (EXPOSURE_BUCKETS as readonly string[]).indexOf(g) : -1;
  const ra = rank(a) < 0 ? EXPOSURE_BUCKETS.length : rank(a);
  const rb = rank(b) < 0 ? EXPOSURE_BUCKETS.length : rank(b);
  return ra - rb || (a < b ? -1 : a > b ? 1 : 0);
}

export function factsByExposure(g: SuiteGroups): FactsByExposure | null {
  const buckets = EXPOSURE_BUCKETS.flatMap((bucket) => {
    const found = g.groups.find((x) => x.group === bucket);
    return found ? [{ bucket, items: found.curve.items, curve: found.curve }] : [];
  });
  if (buckets.length === 0) return null;
  const order = g.order.filter((x) => (EXPOSURE_BUCKETS as readonly string[]).includes(x));
  const neverLearned = buckets.filter((b) => b.curve.status === 'flat').map((b) => b.bucket);
  const parts: string[] = [];
  if (order.length > 0) {
    const named = order.map(
      (b) => `${b} (midpoint ${formatLog10(buckets.find((x) => x.bucket === b)!.curve.midpoint!.value)} tokens)`,
    );
    parts.push(
      order.length === 1
        ? `${named[0]} is the only bucket with a midpoint inside the run`
        : `learned in the order ${named.join(', then ')}`,
    );
  }
  for (const b of buckets) {
    if (b.curve.status === 'saturated_at_start')
      parts.push(`${b.bucket} was already learned at the first probed checkpoint`);
    if (b.curve.status === 'still_rising')
      parts.push(`${b.bucket} was still below half of its range at the end of the run`);
    if (b.curve.status === 'insufficient') parts.push(`${b.bucket} could not be fitted (${b.curve.message})`);
  }
  if (neverLearned.length) parts.push(`${neverLearned.join(' and ')} never left chance`);
  const frequencyFirst = order.every(
    (b, i) => i === 0 || EXPOSURE_BUCKETS.indexOf(b as never) > EXPOSURE_BUCKETS.indexOf(order[i - 1] as never),
  );
  if (order.length >= 2)
    parts.push(frequencyFirst ? 'more frequent facts were learned first' : 'the order does not follow exposure');
  const title = capabilityOf(g.suite)?.exposure?.summary ?? `${g.suite} by exposure`;
  return { suite: g.suite, buckets, order, neverLearned, summary: `${title}: ${parts.join('; ')}.` };
}
