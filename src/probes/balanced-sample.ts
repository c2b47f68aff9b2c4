/**
 * Seeded sampling that spreads a capped item set evenly over strata (relations,
 * compositions) and, within each, over answer values. Spreading over answers matters for
 * chance: a model that ignores the question but prefers one answer (an untrained model
 * prefers the shortest) scores 1/candidates only when every answer is equally often right.
 * With answers capped round-robin, no answer is right much more often than another.
 */
import type { Rng } from '../util/rng.js';

/**
 * Up to `limit` items: round-robin over strata, within a stratum round-robin over answer
 * values, each value's items in seeded order. Items earlier in `tiers` come first (e.g. one
 * template per fact before a fact's second template).
 */
export function spreadSample<T>(
  items: readonly T[],
  limit: number,
  rng: Rng,
  key: { stratum: (t: T) => string; value: (t: T) => string; tier?: (t: T) => number },
): T[] {
  const tiers = new Map<number, T[]>();
  for (const item of items) {
    const tier = key.tier?.(item) ?? 0;
    let list = tiers.get(tier);
    if (!list) tiers.set(tier, (list = []));
    list.push(item);
  }
  const out: T[] = [];
  for (const tier of [...tiers.keys()].sort((a, b) => a - b)) {
    // stratum -> value -> items, every level in seeded order
    const strata = new Map<string, Map<string, T[]>>();
    for (const item of rng.shuffle([...tiers.get(tier)!])) {
      const s = key.stratum(item);
      const v = key.value(item);
      let values = strata.get(s);
      if (!values) strata.set(s, (values = new Map()));
      let list = values.get(v);
      if (!list) values.set(v, (list = []));
      list.push(item);
    }
    const queues = [...strata.values()].map((values) => [...values.values()]);
    const cursor = queues.map(() => 0);
    let progress = true;
    while (out.length < limit && progress) {
      progress = false;
      for (let s = 0; s < queues.length && out.length < limit; s++) {
        const lists = queues[s];
        // Next value of this stratum that still has items.
        for (let tries = 0; tries < lists.length; tries++) {
          const list = lists[cursor[s]++ % lists.length];
          const next = list.shift();
          if (next !== undefined) {
            out.push(next);
            progress = true;
            break;
          }
        }
      }
    }
  }
  return out;
}
