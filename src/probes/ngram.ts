/**
 * Reference language models from the training corpus's token counts, the yardsticks of
 * the `tokens` suite: the uniform model (ln V nats per token), a unigram model (add-one
 * smoothing) and a bigram model (interpolated absolute discounting, D = 0.75, backing
 * off to the unigram). A transformer that has learned token frequencies reaches the
 * unigram loss; one that has learned which token follows which, the bigram loss.
 */

export class NgramCounts {
  readonly unigram: Float64Array;
  /** Occurrences of each token as the first of a bigram. */
  readonly asPrev: Float64Array;
  /** Distinct tokens seen after each token. */
  readonly distinctNext: Float64Array;
  /** prev * V + next -> count */
  readonly bigram = new Map<number, number>();
  total = 0;

  constructor(readonly vocabSize: number) {
    this.unigram = new Float64Array(vocabSize);
    this.asPrev = new Float64Array(vocabSize);
    this.distinctNext = new Float64Array(vocabSize);
  }

  /** Adds a token stream (one shard, documents separated by end-of-text). */
  add(tokens: ArrayLike<number>): void {
    const V = this.vocabSize;
    for (let i = 0; i < tokens.length; i++) {
      const w = tokens[i];
      this.unigram[w]++;
      this.total++;
      if (i === 0) continue;
      const u = tokens[i - 1];
      const key = u * V + w;
      const c = this.bigram.get(key) ?? 0;
      if (c === 0) this.distinctNext[u]++;
      this.bigram.set(key, c + 1);
      this.asPrev[u]++;
    }
  }

  unigramLogprob(w: number): number {
    return Math.log((this.unigram[w] + 1) / (this.total + this.vocabSize));
  }

  bigramLogprob(u: number, w: number, discount = 0.75): number {
    const pUni = (this.unigram[w] + 1) / (this.total + this.vocabSize);
    const n = this.asPrev[u];
    if (n === 0) return Math.log(pUni);
    const c = this.bigram.get(u * this.vocabSize + w) ?? 0;
    return Math.log(Math.max(c - discount, 0) / n + ((discount * this.distinctNext[u]) / n) * pUni);
  }

  /** Mean loss (nats per token) of both references on a window's tokens after the first. */
  windowLosses(tokens: ArrayLike<number>): { unigram: number; bigram: number } {
    let uni = 0;
    let bi = 0;
    for (let i = 1; i < tokens.length; i++) {
      uni -= this.unigramLogprob(tokens[i]);
      bi -= this.bigramLogprob(tokens[i - 1], tokens[i]);
    }
    const n = tokens.length - 1;
    return { unigram: uni / n, bigram: bi / n };
  }
}
