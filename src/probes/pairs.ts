/**
 * Minimal pairs scored by whole-sentence log-probability (BLiMP's "simple LM method"): the
 * model prefers the good sentence when log p(good) > log p(bad). Each sentence starts
 * after the end-of-text token, as a document does in training, so its first word is
 * scored too. The two sentences' shared prefix is scored once (it cancels in the margin).
 *
 * Per item: d = 1 when the good sentence is more probable (0.5 on an exact tie), c = the
 * margin log p(good) - log p(bad) in nats. Chance: d = 0.5, c = 0 (a model that cannot
 * tell the sentences apart; the paradigms are balanced so that a preference for shorter
 * sentences or for one surface form cancels, see syntax.ts).
 */
import type { GPT } from '../model/gpt.js';
import { SlurryError } from '../util/errors.js';
import { pairGroup, type PairItem } from './items.js';
import { scoreContinuations, type ScoreRequest } from './prefix-scorer.js';
import { summarize, type PreparedSuite, type ScoredItem } from './suite.js';
import type { Tokenizer } from '../data/tokenizer/tokenizer.js';

export interface PreparedPair {
  id: string;
  group: string;
  /** Token ids, end-of-text first. */
  good: number[];
  bad: number[];
}

export function preparePairs(items: readonly PairItem[], ids: readonly string[], tokenizer: Tokenizer): PreparedPair[] {
  return items.map((item, i) => ({
    id: ids[i],
    group: pairGroup(item),
    good: [tokenizer.eotId, ...tokenizer.encode(item.sentence_good)],
    bad: [tokenizer.eotId, ...tokenizer.encode(item.sentence_bad)],
  }));
}

/** The request that scores both sentences after their longest shared prefix. */
function pairRequest(p: PreparedPair): ScoreRequest {
  let k = 0;
  while (k < p.good.length && k < p.bad.length && p.good[k] === p.bad[k]) k++;
  // Both continuations need at least one token; the context at least the start token.
  k = Math.max(1, Math.min(k, p.good.length - 1, p.bad.length - 1));
  return { context: p.good.slice(0, k), continuations: [p.good.slice(k), p.bad.slice(k)] };
}

export function scorePairs(model: GPT, suite: string, pairs: readonly PreparedPair[]): ScoredItem[] {
  const window = model.config.n_positions + 1;
  for (const p of pairs) {
    const n = Math.max(p.good.length, p.bad.length);
    if (n > window)
      throw new SlurryError(
        `suite ${suite}, item ${p.id}: ${n} tokens (with the start token); the model's context holds ${window}`,
      );
  }
  const scores = scoreContinuations(model, pairs.map(pairRequest));
  return pairs.map((p, i) => {
    const margin = scores[i][0].logprob - scores[i][1].logprob;
    return {
      id: p.id,
      group: p.group,
      d: margin > 0 ? 1 : margin === 0 ? 0.5 : 0,
      c: margin,
      chance: { d: 0.5, c: 0 },
    };
  });
}

/** Mean and share-of-zero of the token-length difference good - bad: the length balance. */
export function lengthBalance(pairs: readonly PreparedPair[]): { mean: number; matched: number } {
  const deltas = pairs.map((p) => p.good.length - p.bad.length);
  return {
    mean: deltas.reduce((a, b) => a + b, 0) / Math.max(1, deltas.length),
    matched: deltas.filter((d) => d === 0).length / Math.max(1, deltas.length),
  };
}

/** A suite of minimal pairs (the built-in syntax suite, or an external BLiMP file). */
export function pairSuite(name: string, pairs: readonly PreparedPair[]): PreparedSuite {
  const balance = lengthBalance(pairs);
  return {
    name,
    kind: 'probe',
    run: (model) =>
      summarize(scorePairs(model, name, pairs), {
        suite: name,
        discrete: 'accuracy',
        continuous: 'margin',
        ceiling: { d: 1, c: null },
        // The item set's token-length balance, for checking chance on an untrained model.
        metrics: { length_delta_mean: balance.mean, length_matched: balance.matched },
      }),
  };
}
