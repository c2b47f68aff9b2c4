import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hashInts, hashString, hashUniform, mix32, Rng } from '../../src/data/random.js';

test('Rng is deterministic per seed and differs across seeds', () => {
  const a = new Rng(7);
  const b = new Rng(7);
  const c = new Rng(8);
  const xs = Array.from({ length: 5 }, () => a.nextU32());
  assert.deepEqual(
    xs,
    Array.from({ length: 5 }, () => b.nextU32()),
  );
  assert.notDeepEqual(
    xs,
    Array.from({ length: 5 }, () => c.nextU32()),
  );
});

test('Rng.next is in [0,1) and roughly uniform; int covers its inclusive range', () => {
  const r = new Rng(1);
  const bins = new Array(10).fill(0);
  for (let i = 0; i < 20000; i++) {
    const x = r.next();
    assert.ok(x >= 0 && x < 1);
    bins[Math.floor(x * 10)]++;
  }
  for (const n of bins) assert.ok(n > 1700 && n < 2300, `bin count ${n}`);
  const seen = new Set<number>();
  for (let i = 0; i < 500; i++) seen.add(r.int(3, 6));
  assert.deepEqual([...seen].sort(), [3, 4, 5, 6]);
});

test('shuffle is a permutation; derive gives independent streams by label', () => {
  const xs = Array.from({ length: 50 }, (_, i) => i);
  const shuffled = new Rng(3).shuffle([...xs]);
  assert.notDeepEqual(shuffled, xs);
  assert.deepEqual(
    [...shuffled].sort((a, b) => a - b),
    xs,
  );
  assert.notEqual(Rng.derive(1, 'a').nextU32(), Rng.derive(1, 'b').nextU32());
  assert.equal(Rng.derive(1, 'a').nextU32(), Rng.derive(1, 'a').nextU32());
});

test('hashUniform is a pure function of its keys, in [0,1), sensitive to every key', () => {
  assert.equal(hashUniform(1, 2, 3), hashUniform(1, 2, 3));
  assert.notEqual(hashUniform(1, 2, 3), hashUniform(1, 2, 4));
  assert.notEqual(hashUniform(1, 2, 3), hashUniform(2, 2, 3));
  // keys beyond 2^32 are distinguished (steps can be large)
  assert.notEqual(hashInts(2 ** 32 + 5), hashInts(5));
  let sum = 0;
  for (let k = 0; k < 10000; k++) {
    const u = hashUniform(9, k);
    assert.ok(u >= 0 && u < 1);
    sum += u;
  }
  assert.ok(Math.abs(sum / 10000 - 0.5) < 0.02);
});

test('mix32 and hashString give uint32 values', () => {
  for (const x of [0, 1, 0xffffffff, 123456789]) {
    const h = mix32(x);
    assert.ok(Number.isInteger(h) && h >= 0 && h < 2 ** 32);
  }
  assert.equal(hashString('abc'), hashString('abc'));
  assert.notEqual(hashString('abc'), hashString('abd'));
});
