import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  fitLogistic,
  logisticAt,
  logisticFitter,
  positionOf,
  positionOfLevel,
  widthOf,
} from '../../src/analysis/logistic.js';
import { Rng } from '../../src/util/rng.js';

const xs = (from: number, to: number, n: number) =>
  Array.from({ length: n }, (_, i) => from + ((to - from) * i) / (n - 1));

test('positions and width follow from the parameters', () => {
  const p = { floor: 0, ceiling: 1, midpoint: 6, slope: (2 * Math.log(9)) / 0.5 };
  assert.ok(Math.abs(positionOf(p, 0.5) - 6) < 1e-12);
  assert.ok(Math.abs(widthOf(p) - 0.5) < 1e-12);
  assert.ok(Math.abs(positionOf(p, 0.9) - positionOf(p, 0.1) - 0.5) < 1e-12);
  assert.ok(Math.abs(logisticAt(p, positionOf(p, 0.1)) - 0.1) < 1e-12);
  assert.equal(logisticAt(p, -Infinity), 0);
  assert.equal(positionOfLevel({ ...p, ceiling: 0.6 }, 0.7), null);
});

test('recovers the parameters of a noiseless curve, with step 0 as the floor anchor', () => {
  const truth = { floor: 0.05, ceiling: 0.9, midpoint: 6.3, slope: 5 };
  const x = [-Infinity, ...xs(4, 8.5, 30)];
  const y = x.map((v) => logisticAt(truth, v));
  const fit = fitLogistic(x, y);
  assert.ok(Math.abs(fit.params.midpoint - 6.3) < 1e-4, `midpoint ${fit.params.midpoint}`);
  assert.ok(Math.abs(fit.params.slope - 5) < 1e-3, `slope ${fit.params.slope}`);
  assert.ok(Math.abs(fit.params.floor - 0.05) < 1e-5);
  assert.ok(Math.abs(fit.params.ceiling - 0.9) < 1e-5);
  assert.ok(fit.r2! > 0.999999);
});

test('recovers the midpoint of a noisy curve within its noise, deterministically', () => {
  const rng = new Rng(7);
  const truth = { floor: 0, ceiling: 1, midpoint: 5.5, slope: 3 };
  const x = xs(4, 8, 40);
  const y = x.map((v) => logisticAt(truth, v) + 0.03 * rng.normal());
  const a = fitLogistic(x, y);
  const b = fitLogistic(x, y);
  assert.deepEqual(a, b);
  assert.ok(Math.abs(a.params.midpoint - 5.5) < 0.05, `midpoint ${a.params.midpoint}`);
  assert.ok(Math.abs(widthOf(a.params) - widthOf(truth)) < 0.15);
});

test('a sharp step between two checkpoints is placed between them', () => {
  const x = xs(4, 8, 41); // 0.1 decade spacing
  const y = x.map((v) => (v > 6.05 ? 1 : 0));
  const fit = fitLogistic(x, y);
  assert.ok(fit.params.midpoint > 6 && fit.params.midpoint < 6.1, `midpoint ${fit.params.midpoint}`);
  assert.ok(widthOf(fit.params) < 0.1);
});

test('a flat curve fits with (near) zero amplitude instead of an invented rise', () => {
  const rng = new Rng(3);
  const x = xs(4, 8, 30);
  const y = x.map(() => 0.2 + 0.01 * rng.normal());
  const fit = logisticFitter(x)(y);
  assert.ok(fit.params.ceiling - fit.params.floor < 0.05, `amplitude ${fit.params.ceiling - fit.params.floor}`);
});

test('rejects too few points and non-finite values', () => {
  assert.throws(() => fitLogistic([1, 2, 3], [0, 0.5, 1]), /need >= 4 points/);
  assert.throws(() => fitLogistic([1, 2, 3, 4], [0, NaN, 1, 1]), /non-finite y/);
  assert.throws(() => fitLogistic([-Infinity, 2, 2, 2], [0, 0, 1, 1]), /two distinct finite x/);
});
