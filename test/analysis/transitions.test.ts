import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bumps, slopeChanges, type NoisyPoint } from '../../src/analysis/transitions.js';
import { Rng } from '../../src/util/rng.js';

const grid = (n: number, f: (x: number) => number, se = 0.01): NoisyPoint[] =>
  Array.from({ length: n }, (_, i) => {
    const x = 4 + i * 0.15;
    return { x, y: f(x), se };
  });

test('a step between two checkpoints is a speed-up then a slow-down, located at the step', () => {
  const pts = grid(30, (x) => (x > 6.0 ? 1 : 0));
  const k = slopeChanges(pts, 2, 4);
  assert.equal(k.length, 2);
  assert.equal(k[0].kind, 'speed_up');
  assert.equal(k[1].kind, 'slow_down');
  assert.ok(pts[k[0].index].x < 6.0 && pts[k[1].index].x > 6.0);
});

test('a gradual sigmoid and pure noise show no abrupt change', () => {
  const gradual = grid(30, (x) => 1 / (1 + Math.exp(-(x - 6) * 2)));
  assert.deepEqual(slopeChanges(gradual, 2, 4), []);
  const rng = new Rng(1);
  const noise = grid(30, () => 0.5 + 0.02 * rng.normal(), 0.02);
  assert.deepEqual(slopeChanges(noise, 2, 4), []);
});

test('a change within the noise is not reported however large', () => {
  const pts = grid(30, (x) => (x > 6.0 ? 1 : 0), 0.3);
  assert.deepEqual(slopeChanges(pts, 2, 4), []);
});

test('bumps: a rise above the running minimum, not the ordinary decrease', () => {
  const falling = grid(40, (x) => 8 - x * 0.5 + 0.3 * Math.exp(-0.5 * ((x - 7) / 0.2) ** 2), 0.005);
  const found = bumps(falling, 0.02, 4);
  assert.equal(found.length, 1);
  assert.ok(Math.abs(falling[found[0].peak].x - 7) < 0.3);
  assert.ok(falling[found[0].start].x < falling[found[0].peak].x);
  assert.deepEqual(
    bumps(
      grid(40, (x) => 8 - x * 0.5, 0.005),
      0.02,
      4,
    ),
    [],
  );
});
