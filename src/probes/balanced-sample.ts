/**
 * Seeded sampling of capped item sets whose chance level holds for an untrained model.
 *
 * A model that ignores the question still has preferences among the answers: an untrained
 * one ranks a 1-token candidate far above a 3-token one (about ln V nats per token). It
 * scores 1 / candidates only when the right answers are spread over the candidates the
 * way the candidates are: so within each stratum (relation, composition) the items are
 * allotted to answer-length classes in proportion to how many candidates have that length,
 * and within a class spread round-robin over answer values. Strata share the cap equally.
 */
import type { Rng } from '../util/rng.js';

/**
 * Splits `total` over keys in proportion to `weights` (largest remainders), no key above
 * its `available` count; what a capped key cannot take goes to the others.
 */
export function allocate<K>(
  total: number,
  weights: ReadonlyMap<K, number>,
  available: ReadonlyMap<K, number>,
): Map<K, number> {
  const out = new Map<K, number>([...weights.keys()].map((k) => [k, 0]));
  let left = Math.min(
    total,
    [...available.values()].reduce((a, b) => a + b, 0),
  );
  while (left > 0) {
    const open = [...weights.keys()].filter((k) => (available.get(k) ?? 0) > out.get(k)! && weights.get(k)! > 0);
    if (open.length === 0) break;
    const sum = open.reduce((a, k) => a + weights.get(k)!, 0);
    const shares = open.map((k) => ({ k, exact: (left * weights.get(k)!) / sum }));
    let given = 0;
    for (const s of shares) {
      const n = Math.min(Math.floor(s.exact), available.get(s.k)! - out.get(s.k)!);
      out.set(s.k, out.get(s.k)! + n);
      given += n;
    }
    // Hand out the remainder one by one, largest fraction first (ties in key order).
    if (given === 0) {
      const best = shares
        .filter((s) => available.get(s.k)! > out.get(s.k)!)
        .sort((a, b) => b.exact - Math.floor(b.exact) - (a.exact - Math.floor(a.exact)))[0];
      out.set(best.k, out.get(best.k)! + 1);
      given = 1;
    }
    left -= given;
  }
  return out;
}

/** Round-robin over answer values, items of a lower tier first. */
function roundRobin<T>(items: readonly T[], n: number, value: (t: T) => string, tier: (t: T) => number): T[] {
  const out: T[] = [];
  for (const t of [...new Set(items.map(tier))].sort((a, b) => a - b)) {
    const byValue = new Map<string, T[]>();
    for (const item of items.filter((i) => tier(i) === t)) {
      const v = value(item);
      byValue.set(v, [...(byValue.get(v) ?? []), item]);
    }
    const lists = [...byValue.values()];
    while (out.length < n && lists.some((l) => l.length))
      for (const l of lists) if (l.length && out.length < n) out.push(l.shift()!);
  }
  return out;
}

export interface SampleKeys<T> {
  stratum: (t: T) => string;
  value: (t: T) => string;
  /** Lower tiers are taken first within a class (e.g. a fact's first template). */
  tier?: (t: T) => number;
  /** The answer's length class (tokens); with `candidateLengths`, classes get proportional quotas. */
  answerLength?: (t: T) => number;
  /** Number of candidates of each length in a stratum. */
  candidateLengths?: (stratum: string) => ReadonlyMap<number, number>;
}

/** Up to `limit` items, spread over strata, answer lengths and answer values (see above). */
export function spreadSample<T>(items: readonly T[], limit: number, rng: Rng, key: SampleKeys<T>): T[] {
  const tier = key.tier ?? (() => 0);
  const strata = new Map<string, T[]>();
  for (const item of rng.shuffle([...items])) {
    const s = key.stratum(item);
    strata.set(s, [...(strata.get(s) ?? []), item]);
  }
  const names = [...strata.keys()].sort();
  const quotas = allocate(
    limit,
    new Map(names.map((s) => [s, 1])),
    new Map(names.map((s) => [s, strata.get(s)!.length])),
  );
  return names.flatMap((s) => {
    const list = strata.get(s)!;
    const quota = quotas.get(s)!;
    if (!key.answerLength || !key.candidateLengths) return roundRobin(list, quota, key.value, tier);
    const byLength = new Map<number, T[]>();
    for (const item of list)
      byLength.set(key.answerLength(item), [...(byLength.get(key.answerLength(item)) ?? []), item]);
    const weights = key.candidateLengths(s);
    const classQuota = allocate(
      quota,
      weights,
      new Map([...weights.keys()].map((k) => [k, byLength.get(k)?.length ?? 0])),
    );
    return [...classQuota].flatMap(([k, n]) => roundRobin(byLength.get(k) ?? [], n, key.value, tier));
  });
}

/**
 * Length keys for items with candidates: each answer's token count, and each stratum's
 * histogram of candidate token counts (read off its first item; a stratum's items share
 * their candidates).
 */
export function answerLengthKeys<T extends { answer: string; candidates: string[] }>(
  tokenizer: { encode(text: string): number[] },
  items: readonly T[],
  stratum: (t: T) => string,
): Pick<SampleKeys<T>, 'answerLength' | 'candidateLengths'> {
  const histograms = new Map<string, Map<number, number>>();
  for (const item of items) {
    const s = stratum(item);
    if (histograms.has(s)) continue;
    const h = new Map<number, number>();
    for (const c of item.candidates) {
      const n = tokenizer.encode(c).length;
      h.set(n, (h.get(n) ?? 0) + 1);
    }
    histograms.set(s, h);
  }
  return { answerLength: (t) => tokenizer.encode(t.answer).length, candidateLengths: (s) => histograms.get(s)! };
}
