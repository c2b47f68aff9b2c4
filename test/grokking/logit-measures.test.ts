import assert from 'node:assert/strict';
import { test } from 'node:test';
import { logitMeasures } from '../../src/grokking/logit-measures.js';
import { Rng } from '../../src/util/rng.js';

const ln = Math.log;

/** Logits [p^2, V] from a function of (a, b, c); the '=' column (c = p) gets a large value that must be ignored. */
function logitsOf(p: number, f: (a: number, b: number, c: number) => number): Float64Array {
  const V = p + 1;
  const L = new Float64Array(p * p * V);
  for (let a = 0; a < p; a++)
    for (let b = 0; b < p; b++) for (let c = 0; c < V; c++) L[(a * p + b) * V + c] = c === p ? 50 : f(a, b, c);
  return L;
}

function crossEntropy(row: number[], label: number): number {
  const max = Math.max(...row);
  return max + ln(row.reduce((s, x) => s + Math.exp(x - max), 0)) - row[label];
}

/**
 * The definition written out directly on the p^2 grid: explicit unit vectors
 * cos(w_k y(a, b)) and sin(w_k y(a, b)), projections per class, then the losses.
 */
function bruteForce(op: 'add' | 'sub', p: number, L: Float64Array, isTrain: Uint8Array, keys: number[]) {
  const V = p + 1;
  const y = (a: number, b: number) => (op === 'add' ? (a + b) % p : (a - b + p) % p);
  const K = new Float64Array(p * p * p);
  const mean = new Float64Array(p);
  for (let i = 0; i < p * p; i++) for (let c = 0; c < p; c++) mean[c] += L[i * V + c] / (p * p);
  for (const k of keys) {
    for (const trig of [Math.cos, Math.sin]) {
      const u = new Float64Array(p * p);
      for (let a = 0; a < p; a++) for (let b = 0; b < p; b++) u[a * p + b] = trig((2 * Math.PI * k * y(a, b)) / p);
      const norm = Math.sqrt(u.reduce((s, x) => s + x * x, 0));
      u.forEach((x, i) => (u[i] = x / norm));
      for (let c = 0; c < p; c++) {
        let dot = 0;
        for (let i = 0; i < p * p; i++) dot += u[i] * L[i * V + c];
        for (let i = 0; i < p * p; i++) K[i * p + c] += dot * u[i];
      }
    }
  }
  let restricted = 0,
    excluded = 0,
    nTrain = 0;
  for (let a = 0; a < p; a++) {
    for (let b = 0; b < p; b++) {
      const i = a * p + b;
      const r = Array.from({ length: p }, (_, c) => mean[c] + K[i * p + c]);
      restricted += crossEntropy(r, y(a, b));
      if (isTrain[i]) {
        excluded += crossEntropy(
          Array.from({ length: p }, (_, c) => L[i * V + c] - K[i * p + c]),
          y(a, b),
        );
        nTrain++;
      }
    }
  }
  return { restrictedLoss: restricted / (p * p), excludedLoss: excluded / nTrain };
}

test('restricted and excluded loss equal the definition computed on the whole grid (random logits)', () => {
  const p = 11;
  const rng = new Rng(3);
  const L = logitsOf(p, () => rng.normal());
  const isTrain = Uint8Array.from({ length: p * p }, () => (rng.next() < 0.4 ? 1 : 0));
  for (const op of ['add', 'sub'] as const) {
    for (const keys of [[], [2], [1, 4, 5]]) {
      const fast = logitMeasures(op, p, L, p + 1, isTrain, keys);
      const slow = bruteForce(op, p, L, isTrain, keys);
      assert.ok(
        Math.abs(fast.restrictedLoss - slow.restrictedLoss) < 1e-10,
        `${op} ${keys}: restricted ${fast.restrictedLoss} vs ${slow.restrictedLoss}`,
      );
      assert.ok(
        Math.abs(fast.excludedLoss - slow.excludedLoss) < 1e-10,
        `${op} ${keys}: excluded ${fast.excludedLoss} vs ${slow.excludedLoss}`,
      );
    }
  }
});

test('logits of the Fourier circuit: restricted loss keeps them, excluded loss removes them', () => {
  const p = 13;
  const w = (k: number) => (2 * Math.PI * k) / p;
  // The grokked algorithm's logits: sum_k cos(w_k (a + b - c)), peaked at c = a + b.
  const circuit = (a: number, b: number, c: number) =>
    4 * (Math.cos(w(3) * (a + b - c)) + Math.cos(w(5) * (a + b - c)));
  const L = logitsOf(p, circuit);
  const isTrain = Uint8Array.from({ length: p * p }, (_, i) => (i % 3 === 0 ? 1 : 0));
  let full = 0;
  for (let a = 0; a < p; a++)
    for (let b = 0; b < p; b++)
      full += crossEntropy(
        Array.from({ length: p }, (_, c) => circuit(a, b, c)),
        (a + b) % p,
      );
  full /= p * p;
  const m = logitMeasures('add', p, L, p + 1, isTrain, [3, 5]);
  assert.ok(Math.abs(m.restrictedLoss - full) < 1e-9, `restricted ${m.restrictedLoss} vs full ${full}`);
  assert.ok(full < 1.5 && full < ln(p) - 1, `the circuit predicts well (${full})`);
  assert.ok(Math.abs(m.excludedLoss - ln(p)) < 1e-9, `excluded ${m.excludedLoss} vs ln p`);
  // With only one of the two frequencies, restricted loss is worse and excluded loss better than uniform.
  const one = logitMeasures('add', p, L, p + 1, isTrain, [3]);
  assert.ok(one.restrictedLoss > m.restrictedLoss && one.excludedLoss < ln(p));
  // The wrong frequencies: restricted logits are constant (ln p), excluded logits are the full ones.
  const wrong = logitMeasures('add', p, L, p + 1, isTrain, [1, 2]);
  assert.ok(Math.abs(wrong.restrictedLoss - ln(p)) < 1e-9);
  // An answer a - b is not in the a + b directions.
  assert.ok(Math.abs(logitMeasures('sub', p, L, p + 1, isTrain, [3, 5]).restrictedLoss - ln(p)) < 1e-9);
});
