import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  embeddingMeasures,
  embeddingSpectrum,
  fourierBasis,
  frequencies,
  gini,
  keyFrequencies,
} from '../../src/grokking/fourier.js';
import { Rng } from '../../src/util/rng.js';

test('the Fourier basis is orthonormal (odd and even p)', () => {
  for (const p of [7, 8, 13]) {
    const basis = fourierBasis(p);
    assert.equal(basis.length, p);
    for (let i = 0; i < p; i++) {
      for (let j = 0; j < p; j++) {
        let dot = 0;
        for (let x = 0; x < p; x++) dot += basis[i].v[x] * basis[j].v[x];
        assert.ok(Math.abs(dot - (i === j ? 1 : 0)) < 1e-12, `p ${p}: <${i}, ${j}> = ${dot}`);
      }
    }
    assert.deepEqual(
      frequencies(p),
      Array.from({ length: Math.floor(p / 2) }, (_, i) => i + 1),
    );
  }
});

test('gini: 0 when equal, (n-1)/n when all mass is on one value', () => {
  assert.equal(gini([2, 2, 2, 2]), 0);
  assert.ok(Math.abs(gini([0, 0, 0, 5]) - 0.75) < 1e-12);
  assert.ok(gini([1, 2, 3, 10]) > gini([1, 2, 3, 4]));
});

/** An embedding [p + 1, d] (the extra '=' row is ignored) from a function of (x, column). */
function embedding(p: number, d: number, f: (x: number, j: number) => number): Float64Array {
  const w = new Float64Array((p + 1) * d);
  for (let x = 0; x <= p; x++) for (let j = 0; j < d; j++) w[x * d + j] = x === p ? 99 : f(x, j);
  return w;
}

test('a Fourier-sparse embedding: its frequencies are key, hold its norm, Gini near 1', () => {
  const p = 31,
    d = 16;
  const rng = new Rng(1);
  const u = Array.from({ length: d }, () => rng.normal());
  const v = Array.from({ length: d }, () => rng.normal());
  const w = (k: number) => (2 * Math.PI * k) / p;
  const W = embedding(
    p,
    d,
    (x, j) => 3 * Math.cos(w(4) * x) * u[j] + 2 * Math.sin(w(11) * x) * v[j] + 0.01 * rng.normal(),
  );
  const s = embeddingSpectrum(W, p, d);
  const sum = s.constant + s.power.reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(sum - s.total) < 1e-9 * s.total, 'Parseval: constant + powers = squared norm');
  const m = embeddingMeasures(W, p, d);
  assert.deepEqual(m.keyFrequencies, [4, 11]);
  assert.ok(m.keyShare > 0.99, `key share ${m.keyShare}`);
  assert.ok(m.gini > 0.85, `gini ${m.gini}`);
  assert.ok(Math.abs(m.spectrum.reduce((a, b) => a + b, 0) + s.constant / s.total - 1) < 1e-9);
  // Fixed keys: the share of a frequency the embedding does not use is ~0.
  assert.ok(embeddingMeasures(W, p, d, [7]).keyShare < 1e-3);
});

test('a random embedding has no key frequency and a low Gini', () => {
  const p = 113,
    d = 128;
  const rng = new Rng(2);
  const W = embedding(p, d, () => rng.normal());
  assert.deepEqual(keyFrequencies(embeddingSpectrum(W, p, d)), []);
  assert.ok(embeddingMeasures(W, p, d).gini < 0.1);
});
