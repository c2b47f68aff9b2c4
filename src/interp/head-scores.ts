/**
 * Attention-head scores on repeated random sequences (Olsson et al. 2022):
 * [EOT, r1 .. rL, r1 .. rL] with no token twice within a copy. Token r_i sits at position i
 * in the first copy and at L + i in the second.
 *
 *   previous-token   attention from every position q >= 1 to q - 1
 *   duplicate-token  attention from the second copy's r_i (q = L + i) to its first
 *                    occurrence (i)
 *   prefix-matching  attention from the second copy's r_i (q = L + i, i < L) to the token
 *                    after its first occurrence (i + 1): the induction head's signature
 *
 * Each score is the mean attention over those queries, per sequence; chance is what a head
 * attending uniformly over the causal prefix scores (the mean of 1 / (q + 1) over the same
 * queries).
 */
import { Rng } from '../util/rng.js';

export const HEAD_SCORES = ['previous_token', 'duplicate_token', 'prefix_matching'] as const;
export type HeadScoreName = (typeof HEAD_SCORES)[number];

/** Repeated random sequences of length 2L + 1 (L = floor((context - 1) / 2), at most V - 1). */
export function repeatedSequences(
  count: number,
  context: number,
  vocabSize: number,
  eotId: number,
  seed: number,
): number[][] {
  const ids = Array.from({ length: vocabSize }, (_, i) => i).filter((i) => i !== eotId);
  const L = Math.min(Math.floor((context - 1) / 2), ids.length);
  const rng = Rng.derive(seed, 'repeated-sequences');
  return Array.from({ length: count }, () => {
    const copy = rng.shuffle([...ids]).slice(0, L);
    return [eotId, ...copy, ...copy];
  });
}

/** (query, key) pairs of each score for sequences of length T = 2L + 1. */
export function scoreQueries(T: number): Record<HeadScoreName, { q: number; k: number }[]> {
  const L = (T - 1) / 2;
  return {
    previous_token: Array.from({ length: T - 1 }, (_, i) => ({ q: i + 1, k: i })),
    duplicate_token: Array.from({ length: L }, (_, i) => ({ q: L + 1 + i, k: 1 + i })),
    prefix_matching: Array.from({ length: L - 1 }, (_, i) => ({ q: L + 1 + i, k: 2 + i })),
  };
}

export function uniformChance(queries: readonly { q: number }[]): number {
  return queries.reduce((a, { q }) => a + 1 / (q + 1), 0) / queries.length;
}

/**
 * Per head and sequence, the mean attention over a score's queries. `pattern` is one
 * layer's attention [B, H, T, T]; the result is [H][B].
 */
export function headScores(
  pattern: ArrayLike<number>,
  B: number,
  H: number,
  T: number,
  queries: readonly { q: number; k: number }[],
): number[][] {
  return Array.from({ length: H }, (_, h) =>
    Array.from({ length: B }, (_, b) => {
      let sum = 0;
      const base = (b * H + h) * T * T;
      for (const { q, k } of queries) sum += pattern[base + q * T + k];
      return sum / queries.length;
    }),
  );
}
