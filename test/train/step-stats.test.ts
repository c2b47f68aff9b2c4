import assert from 'node:assert/strict';
import { test } from 'node:test';
import { byName, lossPerSource } from '../../src/train/step-stats.js';

test("loss per source averages each source's tokens, skipping ignored targets; absent sources are NaN and left out by name", () => {
  const batch = {
    inputs: new Int32Array(5),
    targets: Int32Array.from([1, 2, -1, 3, 4]),
    sources: Uint8Array.from([0, 0, 0, 2, 2]),
  };
  const out = new Float64Array(3);
  lossPerSource(Float32Array.from([1, 3, 100, 2, 6]), batch, new Float64Array(3), new Float64Array(3), out);
  assert.deepEqual([out[0], Number.isNaN(out[1]), out[2]], [2, true, 4]);
  assert.deepEqual(byName(['a', 'b', 'c'], out), { a: 2, c: 4 });
});
