import assert from 'node:assert/strict';
import { test } from 'node:test';
import { debiasedEma, decimate } from '../../src/serve/series.js';

test('debiased EMA: a constant stays constant from the first point; NaN is a gap', () => {
  const s = debiasedEma([2, 2, 2, NaN, 2], 0.9);
  assert.deepEqual(
    [s[0], s[1], s[2], s[4]].map((v) => +v.toFixed(12)),
    [2, 2, 2, 2],
  );
  assert.ok(Number.isNaN(s[3]));
  // Without the correction the first point would be 0.1 * 5 = 0.5.
  assert.equal(debiasedEma([5, 0], 0.9)[0], 5);
  assert.ok(Math.abs(debiasedEma([5, 0], 0.9)[1] - (0.09 * 5) / 0.19) < 1e-12);
});

test('decimation: at most 4 points per column, every spike kept, order kept', () => {
  const n = 100_000;
  const xs = Float64Array.from({ length: n }, (_, i) => i + 1);
  const ys = Float64Array.from({ length: n }, (_, i) => Math.sin(i / 100));
  ys[54_321] = 50; // one spike
  ys[77_777] = -50;
  const d = decimate(xs, ys, 1, n, 500, true);
  assert.ok(d.x.length <= 4 * 500, `${d.x.length} points`);
  assert.ok(d.y.includes(50) && d.y.includes(-50), 'spikes survive');
  for (let i = 1; i < d.x.length; i++) assert.ok(d.x[i] > d.x[i - 1]);
});

test('decimation on a log axis cuts columns by ratio: the first decade keeps its points', () => {
  const xs = Array.from({ length: 10_000 }, (_, i) => i + 1);
  const ys = xs.map((x) => 1 / x);
  const log = decimate(xs, ys, 1, 10_000, 400, true);
  const lin = decimate(xs, ys, 1, 10_000, 400, false);
  const early = (d: { x: number[] }) => d.x.filter((x) => x <= 10).length;
  // Linear columns are 25 wide, so x = 1..10 share one column (at most 4 points); log columns keep all 10.
  assert.equal(early(log), 10);
  assert.ok(early(lin) <= 4);
});

test('decimation of a zoomed range keeps one neighbour each side; x <= 0 is dropped on a log axis', () => {
  const d = decimate([0, 1, 2, 3, 4, 5], [9, 1, 2, 3, 4, 5], 2, 3, 10, true);
  assert.deepEqual(d.x, [1, 2, 3, 4]);
  const lin = decimate([0, 1, 2], [9, 1, 2], 0, 2, 10, false);
  assert.deepEqual(lin.x, [0, 1, 2]);
});
