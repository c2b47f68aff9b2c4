/**
 * Restricted and excluded loss (Nanda et al. 2023, section 5.1), from the logits of every
 * pair (a, b). Exact definitions used here:
 *
 *   L[a, b, c]   the logits at the '=' position for classes c = 0..p-1 (the logit of the
 *                '=' token itself is dropped, as Nanda et al. drop it)
 *   y(a, b)      the answer: a + b mod p (add) or a - b mod p (sub)
 *   u_k^cos      the function (a, b) -> cos(w_k y(a, b)) on the p x p grid, w_k = 2 pi k / p;
 *   u_k^sin      likewise with sin. Over the full grid these are orthogonal to each other,
 *                to those of every other frequency and to the constant (every answer s
 *                occurs for exactly p pairs).
 *   K[a, b, c]   the key-frequency part of the logits: for every key frequency k and each
 *                class c, the projection of L[., ., c] onto span(u_k^cos, u_k^sin).
 *
 *   restricted logits  R = mean_{a,b} L[a, b, c] + K   (only the key frequencies, plus each
 *                      class's mean logit: Nanda et al.'s bias correction)
 *   excluded logits    E = L - K                      (the key frequencies removed)
 *
 *   restricted loss    mean cross-entropy of R over ALL p^2 pairs (train and test)
 *   excluded loss      mean cross-entropy of E over the TRAINING pairs
 *
 * Restricted loss falls once the Fourier circuit works (before test loss does); excluded
 * loss rises as training performance comes to rest on the key frequencies instead of on
 * memorisation. For div and poly the answer is not a sum of the inputs, the circuit is not
 * this one, and the measures are not defined (null).
 */
import type { GrokOp } from './task.js';

export interface LogitMeasures {
  restrictedLoss: number;
  excludedLoss: number;
}

/** The ops whose answer is a (signed) sum of the inputs, where the measures apply. */
export function hasFourierCircuit(op: GrokOp): op is 'add' | 'sub' {
  return op === 'add' || op === 'sub';
}

/**
 * @param logits  [p * p, V] in grid order (row a * p + b), V >= p
 * @param isTrain [p * p]: 1 where (a, b) is a training pair
 */
export function logitMeasures(
  op: 'add' | 'sub',
  p: number,
  logits: ArrayLike<number>,
  V: number,
  isTrain: Uint8Array,
  keys: readonly number[],
): LogitMeasures {
  if (V < p) throw new Error(`logitMeasures: ${V} logits per row, need at least p = ${p}`);
  if (logits.length !== p * p * V) throw new Error(`logitMeasures: ${logits.length} logits for ${p}^2 pairs x ${V}`);
  const answer = (a: number, b: number) => (op === 'add' ? (a + b) % p : (((a - b) % p) + p) % p);

  // S[s, c]: sum of L[a, b, c] over the p pairs with answer s. Projections onto functions
  // of the answer only need these sums.
  const S = new Float64Array(p * p);
  const mean = new Float64Array(p);
  for (let a = 0; a < p; a++) {
    for (let b = 0; b < p; b++) {
      const row = (a * p + b) * V;
      const s = answer(a, b) * p;
      for (let c = 0; c < p; c++) S[s + c] += logits[row + c];
    }
  }
  for (let s = 0; s < p; s++) for (let c = 0; c < p; c++) mean[c] += S[s * p + c] / (p * p);

  // K[s, c]: the key-frequency part, a function of the answer s.
  const K = new Float64Array(p * p);
  for (const k of keys) {
    const w = (2 * Math.PI * k) / p;
    for (const trig of [Math.cos, Math.sin]) {
      const u = Float64Array.from({ length: p }, (_, s) => trig(w * s));
      // <u, u> over the grid: each answer s occurs p times.
      const norm = p * u.reduce((acc, x) => acc + x * x, 0);
      if (norm < 1e-9) continue; // sin at the Nyquist frequency of an even p is zero
      for (let c = 0; c < p; c++) {
        let dot = 0;
        for (let s = 0; s < p; s++) dot += u[s] * S[s * p + c];
        const alpha = dot / norm;
        for (let s = 0; s < p; s++) K[s * p + c] += alpha * u[s];
      }
    }
  }

  // Restricted logits depend on (a, b) only through s, and the label is s: each answer's
  // p pairs share one loss.
  let restricted = 0;
  const row = new Float64Array(p);
  for (let s = 0; s < p; s++) {
    for (let c = 0; c < p; c++) row[c] = mean[c] + K[s * p + c];
    restricted += crossEntropy(row, s);
  }
  restricted /= p;

  let excluded = 0;
  let nTrain = 0;
  for (let a = 0; a < p; a++) {
    for (let b = 0; b < p; b++) {
      const i = a * p + b;
      if (!isTrain[i]) continue;
      const s = answer(a, b);
      for (let c = 0; c < p; c++) row[c] = logits[i * V + c] - K[s * p + c];
      excluded += crossEntropy(row, s);
      nTrain++;
    }
  }
  return { restrictedLoss: restricted, excludedLoss: nTrain ? excluded / nTrain : NaN };
}

/** logsumexp(row) - row[label], in float64. */
function crossEntropy(row: Float64Array, label: number): number {
  let max = -Infinity;
  for (const x of row) if (x > max) max = x;
  let sum = 0;
  for (const x of row) sum += Math.exp(x - max);
  return max + Math.log(sum) - row[label];
}
