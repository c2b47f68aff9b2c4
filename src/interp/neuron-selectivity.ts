/**
 * How concentrated an MLP neuron's activation is on one class (a POS tag, a source): the
 * class selectivity index of Morcos et al. (2018),
 *
 *   SI = (mu_max - mu_rest) / (mu_max + mu_rest)
 *
 * where mu_k is the neuron's mean positive activation max(a, 0) over rows of class k,
 * mu_max the largest of them and mu_rest the mean of the others. SI is 0 for a neuron that
 * fires the same for every class and 1 for one that fires for a single class only. A
 * neuron that never fires (mu_max = 0) has no index and counts as dead.
 *
 * Per layer the summary is the mean SI over live neurons, the share of live neurons with
 * SI > SELECTIVE, and the same mean with labels shuffled (one fixed permutation): the
 * index a neuron gets by chance from the finite sample, to read the real mean against.
 */
import { Rng } from '../util/rng.js';

export const SELECTIVE = 0.5;

export interface SelectivitySummary {
  mean: number;
  /** Mean SI with the labels permuted: the finite-sample baseline. */
  meanShuffled: number;
  /** Share of live neurons with SI > SELECTIVE. */
  selective: number;
  dead: number;
  /** The most selective neurons: index and SI, best first. */
  top: { neuron: number; si: number; class: number }[];
}

/** SI of every neuron of acts [n, m] for labels [n] (NaN for dead neurons), with its argmax class. */
export function selectivityIndex(acts: ArrayLike<number>, n: number, m: number, labels: Int32Array, classes: number) {
  const sums = new Float64Array(classes * m);
  const counts = new Float64Array(classes);
  for (let i = 0; i < n; i++) {
    const k = labels[i];
    counts[k]++;
    const o = k * m;
    for (let j = 0; j < m; j++) {
      const a = acts[i * m + j];
      if (a > 0) sums[o + j] += a;
    }
  }
  const present = [...counts.keys()].filter((k) => counts[k] > 0);
  const si = new Float64Array(m);
  const best = new Int32Array(m);
  for (let j = 0; j < m; j++) {
    let max = -1;
    let arg = 0;
    let total = 0;
    for (const k of present) {
      const mu = sums[k * m + j] / counts[k];
      total += mu;
      if (mu > max) {
        max = mu;
        arg = k;
      }
    }
    const rest = present.length > 1 ? (total - max) / (present.length - 1) : 0;
    si[j] = max > 0 ? (max - rest) / (max + rest) : NaN;
    best[j] = arg;
  }
  return { si, best };
}

export function summarizeSelectivity(
  acts: ArrayLike<number>,
  n: number,
  m: number,
  labels: Int32Array,
  classes: number,
  seed: number,
  top = 5,
): SelectivitySummary {
  const { si, best } = selectivityIndex(acts, n, m, labels, classes);
  const shuffled = Rng.derive(seed, 'selectivity-shuffle').shuffle(Array.from(labels));
  const base = selectivityIndex(acts, n, m, Int32Array.from(shuffled), classes).si;
  const live = [...si.keys()].filter((j) => !Number.isNaN(si[j]));
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
  return {
    mean: mean(live.map((j) => si[j])),
    meanShuffled: mean(live.map((j) => base[j]).filter((v) => !Number.isNaN(v))),
    selective: live.length ? live.filter((j) => si[j] > SELECTIVE).length / live.length : 0,
    dead: (m - live.length) / m,
    top: live
      .sort((a, b) => si[b] - si[a] || a - b)
      .slice(0, top)
      .map((j) => ({ neuron: j, si: si[j], class: best[j] })),
  };
}
