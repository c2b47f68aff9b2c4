/**
 * How often each fact is stated in training: a Zipf law over a seeded ranking of each
 * relation's facts, as in natural text where a few entities are everywhere and most are
 * rare (Kandpal et al. 2023: models learn frequent facts first). A chosen fraction is
 * never stated (unseen), a control for guessing. Buckets name the ranges for reports.
 */
import type { ExposureBucket } from '../probe-files.js';
import type { Rng } from '../random.js';
import type { Fact } from './kb.js';

export interface ExposureOptions {
  /** Statements of the most frequent fact of each relation. */
  maxExposure: number;
  /** Zipf exponent s: the fact at rank r gets maxExposure / r^s statements (at least 1). */
  zipfExponent: number;
  /** Fraction of each relation's facts never stated in training. */
  unseenFraction: number;
}

export interface BucketThresholds {
  /** Exposure at or above which a fact is "head". */
  headMin: number;
  /** Exposure at or above which a fact is "torso" (below headMin); 1..torsoMin-1 is "tail". */
  torsoMin: number;
}

/** Target statement count of the fact at 1-based `rank` among the seen facts. */
export function zipfExposure(rank: number, opts: ExposureOptions): number {
  return Math.max(1, Math.round(opts.maxExposure / Math.pow(rank, opts.zipfExponent)));
}

/**
 * Target exposure of every fact: within each relation, facts are shuffled with `rng`; the
 * first unseenFraction (rounded down) get 0 and the rest get Zipf counts by their order.
 */
export function planExposure(facts: readonly Fact[], opts: ExposureOptions, rng: Rng): Map<string, number> {
  const byRelation = new Map<string, Fact[]>();
  for (const f of facts) {
    const list = byRelation.get(f.relation) ?? [];
    list.push(f);
    byRelation.set(f.relation, list);
  }
  const plan = new Map<string, number>();
  for (const relation of [...byRelation.keys()].sort()) {
    const order = rng.shuffle([...byRelation.get(relation)!]);
    const unseen = Math.floor(order.length * opts.unseenFraction);
    order.forEach((f, i) => plan.set(f.id, i < unseen ? 0 : zipfExposure(i - unseen + 1, opts)));
  }
  return plan;
}

export function bucketOf(exposure: number, t: BucketThresholds): ExposureBucket {
  if (exposure <= 0) return 'unseen';
  if (exposure >= t.headMin) return 'head';
  if (exposure >= t.torsoMin) return 'torso';
  return 'tail';
}

/** Counts fact ids over documents' `facts` lists. */
export function countExposure(docs: Iterable<{ facts?: readonly string[] }>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const d of docs) for (const id of d.facts ?? []) counts.set(id, (counts.get(id) ?? 0) + 1);
  return counts;
}
