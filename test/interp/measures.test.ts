import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ckaSide, linearCka } from '../../src/interp/cka.js';
import { featureBirths } from '../../src/interp/feature-match.js';
import { controlLabels, majorityBaseline, probeHits } from '../../src/interp/linear-probe.js';
import { selectivityIndex, summarizeSelectivity } from '../../src/interp/neuron-selectivity.js';
import { decode, densities, encode, fvu, trainSae } from '../../src/interp/sae.js';
import { Rng } from '../../src/util/rng.js';

function gaussian(rng: Rng, n: number): Float32Array {
  return Float32Array.from({ length: n }, () => rng.normal());
}

/** A random orthogonal d x d matrix (Gram-Schmidt on a Gaussian one). */
function orthogonal(rng: Rng, d: number): Float64Array {
  const q = Float64Array.from(gaussian(rng, d * d));
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < i; j++) {
      let dot = 0;
      for (let k = 0; k < d; k++) dot += q[i * d + k] * q[j * d + k];
      for (let k = 0; k < d; k++) q[i * d + k] -= dot * q[j * d + k];
    }
    let norm = 0;
    for (let k = 0; k < d; k++) norm += q[i * d + k] ** 2;
    for (let k = 0; k < d; k++) q[i * d + k] /= Math.sqrt(norm);
  }
  return q;
}

function matmul(x: ArrayLike<number>, q: ArrayLike<number>, n: number, d: number): Float32Array {
  const out = new Float32Array(n * d);
  for (let i = 0; i < n; i++)
    for (let k = 0; k < d; k++) for (let j = 0; j < d; j++) out[i * d + j] += x[i * d + k] * q[k * d + j];
  return out;
}

test('CKA: a layer with itself is 1, with an orthogonal rotation (and scaling) of itself 1, with noise near 0', () => {
  const rng = new Rng(1);
  const n = 400;
  const d = 24;
  const x = gaussian(rng, n * d);
  const side = ckaSide(x, n, d);
  assert.ok(Math.abs(linearCka(side, side) - 1) < 1e-6);
  const rotated = matmul(x, orthogonal(rng, d), n, d).map((v) => 3 * v + 0.5);
  assert.ok(Math.abs(linearCka(side, ckaSide(rotated, n, d)) - 1) < 1e-4, `${linearCka(side, ckaSide(rotated, n, d))}`);
  const noise = linearCka(side, ckaSide(gaussian(rng, n * d), n, d));
  assert.ok(noise < 0.15, `independent representations: ${noise}`);
});

test('linear probe: a planted linear feature is read ~100%; the control task stays at chance', () => {
  const rng = new Rng(2);
  const n = 3000;
  const d = 16;
  const classes = 4;
  const x = gaussian(rng, n * d);
  // Labels: which of 4 planted directions has the largest projection.
  const dirs = gaussian(rng, classes * d);
  const labels = Int32Array.from({ length: n }, (_, i) => {
    let best = 0;
    let bestV = -Infinity;
    for (let k = 0; k < classes; k++) {
      let v = 0;
      for (let j = 0; j < d; j++) v += x[i * d + j] * dirs[k * d + j];
      if (v > bestV) [best, bestV] = [k, v];
    }
    return best;
  });
  // Linearly separable in the one-vs-rest sense only approximately: append the projections.
  const feats = new Float32Array(n * (d + classes));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) feats[i * (d + classes) + j] = x[i * d + j];
    feats[i * (d + classes) + d + labels[i]] = 4;
  }
  const train = Int32Array.from({ length: 2000 }, (_, i) => i);
  const test = Int32Array.from({ length: 1000 }, (_, i) => 2000 + i);
  const data = { x: feats, d: d + classes, labels, classes };
  const acc = (hits: Uint8Array) => hits.reduce((a, b) => a + b, 0) / hits.length;
  const task = acc(probeHits(data, train, test));
  assert.ok(task > 0.99, `task accuracy ${task}`);
  // Control: each row is its own type, so no type repeats between train and test: chance.
  const control = controlLabels(
    Array.from({ length: n }, (_, i) => i),
    labels,
    classes,
    7,
  );
  const controlAcc = acc(probeHits({ ...data, labels: control }, train, test));
  const chance = majorityBaseline(control, classes, train, test);
  assert.ok(Math.abs(controlAcc - chance) < 0.06, `control accuracy ${controlAcc}, majority ${chance}`);
  // Control labels depend on the type only.
  const byWord = controlLabels(['a', 'b', 'a', 'c', 'a'], Int32Array.from([0, 1, 2, 3, 0]), 4, 7);
  assert.equal(byWord[0], byWord[2]);
  assert.equal(byWord[0], byWord[4]);
});

test('neuron selectivity: a one-class neuron scores 1, an even one 0, a silent one is dead', () => {
  const n = 300;
  const m = 3;
  const labels = Int32Array.from({ length: n }, (_, i) => i % 3);
  const acts = new Float32Array(n * m);
  for (let i = 0; i < n; i++) {
    acts[i * m] = labels[i] === 1 ? 2 : -0.1;
    acts[i * m + 1] = 1.5;
    acts[i * m + 2] = -0.2;
  }
  const { si, best } = selectivityIndex(acts, n, m, labels, 3);
  assert.equal(si[0], 1);
  assert.equal(best[0], 1);
  assert.equal(si[1], 0);
  assert.ok(Number.isNaN(si[2]));
  const s = summarizeSelectivity(acts, n, m, labels, 3, 1);
  assert.equal(s.dead, 1 / 3);
  assert.equal(s.top[0].neuron, 0);
  assert.ok(s.meanShuffled < s.mean);
});

test('TopK SAE on synthetic sparse data recovers the planted dictionary (cosine > 0.9)', () => {
  const rng = new Rng(3);
  const d = 16;
  const atoms = 24;
  const n = 6000;
  const dict = gaussian(rng, atoms * d);
  for (let a = 0; a < atoms; a++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += dict[a * d + j] ** 2;
    for (let j = 0; j < d; j++) dict[a * d + j] /= Math.sqrt(s);
  }
  const x = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    for (let s = 0; s < 3; s++) {
      const a = rng.int(atoms);
      const c = 0.5 + rng.next();
      for (let j = 0; j < d; j++) x[i * d + j] += c * dict[a * d + j];
    }
  }
  const sae = trainSae(x, n, d, {
    latents: 48,
    k: 3,
    auxK: 8,
    auxCoef: 1 / 32,
    deadTokens: 1000,
    lr: 3e-3,
    batch: 128,
    epochs: 12,
    seed: 1,
  });
  const worst = Array.from({ length: atoms }, (_, a) => {
    let best = -1;
    for (let f = 0; f < sae.m; f++) {
      let dot = 0;
      for (let j = 0; j < d; j++) dot += dict[a * d + j] * sae.wDec[f * d + j];
      best = Math.max(best, dot);
    }
    return best;
  });
  assert.ok(Math.min(...worst) > 0.9, `best cosines per atom: ${worst.map((c) => c.toFixed(2)).join(' ')}`);
  const codes = encode(sae, x, n);
  const err = fvu(x, decode(sae, codes), n, d);
  assert.ok(err < 0.1, `FVU ${err}`);
  const dens = densities(codes, sae.m);
  assert.ok(Math.abs(dens.reduce((a, b) => a + b, 0) - 3) < 0.5, 'L0 close to the 3 active atoms');
});

test('feature births: a feature present from some step on is born there', () => {
  const d = 4;
  const e = (i: number) => Float32Array.from({ length: d }, (_, j) => (j === i ? 1 : 0));
  const rows = (...vs: Float32Array[]) => {
    const out = new Float32Array(vs.length * d);
    vs.forEach((v, i) => out.set(v, i * d));
    return out;
  };
  const births = featureBirths([
    { step: 0, rows: rows(e(0)), m: 1 },
    { step: 10, rows: rows(e(0), e(2)), m: 2 },
    { step: 20, rows: rows(e(0), e(1), e(3)), m: 3 },
    { step: 40, rows: rows(e(0), e(1), e(2)), m: 3 },
  ]);
  assert.deepEqual(births.births, [0, 20, 40]);
  assert.deepEqual(
    births.present.map((p) => p.share),
    [1 / 3, 2 / 3, 2 / 3, 1],
  );
});
