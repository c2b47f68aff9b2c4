/**
 * The MLP neurons in the Fourier basis (Nanda et al. 2023, section 5): after grokking, each
 * neuron's activation at the '=' position, as a function of (a, b) on the p x p grid, lies
 * almost entirely in the 2D Fourier terms of the key frequencies. Read through the
 * activation cache (`blocks.{l}.mlp.hook_post` of the last block, the dataset's p^2 pairs
 * in one pass), this is the grokking runs' family of the interp measures.
 *
 * Measure: the share of the neurons' variance over the grid (each neuron's activations
 * minus its mean, summed over neurons) that lies in the terms u(a) v(b) with u and v each
 * the constant or the cosine or sine of a key frequency (the constant-constant term, the
 * mean, excluded). With K key frequencies that is (2K + 1)^2 - 1 of the p^2 - 1 directions:
 * a neuron of noise has a share near that ratio, a neuron built from the key frequencies 1.
 */
import type { GPT } from '../model/gpt.js';
import { ActivationCache } from '../model/hooks.js';
import { fourierBasis } from './fourier.js';
import { hasFourierCircuit } from './logit-measures.js';
import { SEQ_LEN, type GrokDataset } from './task.js';

/**
 * Share of the variance of `acts` ([p * p, n] row-major, row a * p + b) in the 2D Fourier
 * terms of `keys` (see the file comment). 0 when the activations are constant.
 */
export function keyFrequencyShare(acts: ArrayLike<number>, p: number, n: number, keys: readonly number[]): number {
  const wanted = new Set(keys);
  const basis = fourierBasis(p).filter((v) => v.kind === 'const' || wanted.has(v.freq));
  const m = basis.length;
  let explained = 0;
  let total = 0;
  // Per neuron: coefficients c[i][j] = sum_a sum_b u_i(a) A(a, b) v_j(b), through half-products
  // h[a][j] = sum_b A(a, b) v_j(b), so each neuron costs about m p^2 multiply-adds.
  const h = new Float64Array(p * m);
  for (let neuron = 0; neuron < n; neuron++) {
    let sum = 0;
    let sq = 0;
    for (let cell = 0; cell < p * p; cell++) {
      const x = acts[cell * n + neuron];
      sum += x;
      sq += x * x;
    }
    total += sq - (sum * sum) / (p * p);
    h.fill(0);
    for (let a = 0; a < p; a++)
      for (let b = 0; b < p; b++) {
        const x = acts[(a * p + b) * n + neuron];
        if (x === 0) continue;
        for (let j = 0; j < m; j++) h[a * m + j] += x * basis[j].v[b];
      }
    for (let i = 0; i < m; i++)
      for (let j = 0; j < m; j++) {
        if (i === 0 && j === 0) continue; // the constant-constant term is the mean
        let c = 0;
        for (let a = 0; a < p; a++) c += basis[i].v[a] * h[a * m + j];
        explained += c * c;
      }
  }
  return total > 0 ? explained / total : 0;
}

/**
 * The last block's MLP activations at '=' for every pair of `ds.all` (add and sub: the
 * p x p grid, row a * p + b), [pairs, n_inner], through the cache.
 */
export function neuronGrid(model: GPT, ds: GrokDataset): { acts: Float32Array; n: number } {
  const name = `blocks.${model.config.n_layer - 1}.mlp.hook_post`;
  const cache = new ActivationCache(model.config, [name]);
  const g = model.graph(false);
  model.forward(g, ds.all.tokens, ds.all.size, SEQ_LEN, { lastPosition: true, hooks: cache });
  g.release();
  const a = cache.get(name);
  return { acts: a.data, n: a.shape[a.shape.length - 1] };
}

/** keyFrequencyShare of the model's last MLP layer; null for operations without the Fourier circuit. */
export function neuronKeyShare(model: GPT, ds: GrokDataset, keys: readonly number[]): number | null {
  if (!hasFourierCircuit(ds.op)) return null;
  const { acts, n } = neuronGrid(model, ds);
  return keyFrequencyShare(acts, ds.p, n, keys);
}
