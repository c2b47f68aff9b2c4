import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkpointsInside, finiteSorted, resolvedWindow } from '../../src/analysis/resolution.js';

const xs = finiteSorted([-Infinity, 6, 4, 5, 7]);

test('a window with two checkpoints inside is resolved and kept', () => {
  assert.deepEqual(xs, [4, 5, 6, 7]);
  assert.equal(checkpointsInside(xs, 4.5, 6.5), 2);
  assert.deepEqual(resolvedWindow(xs, { onset: 4.5, midpoint: 5.5, saturation: 6.5 }), {
    onset: 4.5,
    midpoint: 5.5,
    saturation: 6.5,
    resolved: true,
  });
});

test('a window between checkpoints widens to the checkpoints around it', () => {
  assert.deepEqual(resolvedWindow(xs, { onset: 5.4, midpoint: 5.5, saturation: 5.6 }), {
    onset: 5,
    midpoint: 5.5,
    saturation: 6,
    resolved: false,
  });
  // one checkpoint inside (a step through it) is not enough either
  assert.deepEqual(resolvedWindow(xs, { onset: 4.9, midpoint: 5, saturation: 5.1 }), {
    onset: 4,
    midpoint: 5,
    saturation: 6,
    resolved: false,
  });
  // beyond the probed range a bound stays where the fit put it
  assert.deepEqual(resolvedWindow(xs, { onset: 6.8, midpoint: 7.2, saturation: 7.6 }), {
    onset: 6,
    midpoint: 7.2,
    saturation: 7.6,
    resolved: false,
  });
});
