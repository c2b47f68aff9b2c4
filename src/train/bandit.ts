/**
 * The adaptive mixture: a softmax bandit over sources, after Online Data Mixing (Albalak
 * et al. 2023), which runs EXP3 with each source as an arm. The weights of the next batch
 * are
 *
 *   w_i = (1 - K m) * softmax_i(log prior_i + score_i / temperature) + m
 *
 * with a floor m so no source starves. Two rewards:
 *   loss_reduction  score_i = slow_i - fast_i (nats), where fast and slow are running means
 *                   of source i's training loss (smoothing a and 1 - (1 - a) / 3): how
 *                   fast the source's loss is falling now, i.e. learning progress. (Absolute,
 *                   not relative: a relative drop grows without bound as a loss nears 0.)
 *   loss            score_i = fast_i, ODM's reward (sources with more loss get more data).
 * Where ODM sees one arm per batch and needs EXP3's importance weights, every slurry batch
 * mixes sources and reports each one's loss, so each present arm is observed directly and
 * the running means need no reweighting.
 *
 * The state is a few numbers per source; it goes into each checkpoint's state.json, so a
 * resumed run picks exactly the weights an uninterrupted one would.
 */

export interface BanditOptions {
  prior: Float64Array; // normalised initial weights
  reward: 'loss_reduction' | 'loss';
  smoothing: number;
  temperature: number;
  minWeight: number;
}

export interface BanditState {
  fast: number[];
  slow: number[];
  seen: number[];
}

export class MixtureBandit {
  private readonly fast: Float64Array;
  private readonly slow: Float64Array;
  private readonly seen: Float64Array;
  private readonly logPrior: Float64Array;
  private readonly slowSmoothing: number;

  constructor(
    private readonly o: BanditOptions,
    state?: BanditState,
  ) {
    const K = o.prior.length;
    this.fast = new Float64Array(K);
    this.slow = new Float64Array(K);
    this.seen = new Float64Array(K);
    this.logPrior = o.prior.map(Math.log);
    this.slowSmoothing = 1 - (1 - o.smoothing) / 3;
    if (state) {
      if (state.fast.length !== K || state.slow.length !== K || state.seen.length !== K) {
        throw new Error(`bandit state has ${state.fast.length} sources, the corpus ${K}`);
      }
      this.fast.set(state.fast);
      this.slow.set(state.slow);
      this.seen.set(state.seen);
    }
  }

  state(): BanditState {
    return { fast: Array.from(this.fast), slow: Array.from(this.slow), seen: Array.from(this.seen) };
  }

  /** The weights for the next batch, written into `out` (length K). */
  weights(out: Float64Array): Float64Array {
    const { temperature, minWeight } = this.o;
    const K = out.length;
    let max = -Infinity;
    for (let i = 0; i < K; i++) {
      out[i] = this.logPrior[i] + this.score(i) / temperature;
      if (out[i] > max) max = out[i];
    }
    let sum = 0;
    for (let i = 0; i < K; i++) sum += out[i] = Math.exp(out[i] - max);
    const share = 1 - K * minWeight;
    for (let i = 0; i < K; i++) out[i] = share * (out[i] / sum) + minWeight;
    return out;
  }

  /** Records a batch's mean loss per source (NaN where the source had no tokens). */
  observe(lossBySource: Float64Array): void {
    const a = this.o.smoothing;
    const b = this.slowSmoothing;
    for (let i = 0; i < lossBySource.length; i++) {
      const loss = lossBySource[i];
      if (Number.isNaN(loss)) continue;
      if (this.seen[i] === 0) {
        this.fast[i] = loss;
        this.slow[i] = loss;
      } else {
        this.fast[i] = a * this.fast[i] + (1 - a) * loss;
        this.slow[i] = b * this.slow[i] + (1 - b) * loss;
      }
      this.seen[i] += 1;
    }
  }

  private score(i: number): number {
    if (this.seen[i] === 0) return 0;
    return this.o.reward === 'loss' ? this.fast[i] : this.slow[i] - this.fast[i];
  }
}
