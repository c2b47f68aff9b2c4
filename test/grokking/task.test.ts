import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyOp, inverseMod, isPrime, makeDataset, nextPrime } from '../../src/grokking/task.js';
import { SlurryError } from '../../src/util/errors.js';

test('primes and inverses', () => {
  assert.deepEqual([...Array(30).keys()].filter(isPrime), [2, 3, 5, 7, 11, 13, 17, 19, 23, 29]);
  assert.equal(nextPrime(114), 127);
  for (const p of [7, 113]) for (let b = 1; b < p; b++) assert.equal((b * inverseMod(b, p)) % p, 1, `${b}^-1 mod ${p}`);
});

test('the four operations', () => {
  assert.equal(applyOp('add', 10, 5, 11), 4);
  assert.equal(applyOp('sub', 3, 5, 11), 9);
  assert.equal(applyOp('div', 3, 5, 11), 5); // 5 * 5 = 25 = 3 mod 11
  assert.equal(applyOp('poly', 2, 3, 11), 8); // 4 + 6 + 9 = 19 = 8 mod 11
});

test('dataset: every pair once, split by the train fraction, fixed by the seed', () => {
  const ds = makeDataset('add', 13, 0.3, 1);
  assert.equal(ds.train.size + ds.test.size, 169);
  assert.equal(ds.train.size, Math.round(0.3 * 169));
  const cells = new Set<number>();
  for (const ex of [ds.train, ds.test]) {
    for (let i = 0; i < ex.size; i++) {
      cells.add(ex.a[i] * 13 + ex.b[i]);
      assert.deepEqual([...ex.tokens.subarray(3 * i, 3 * i + 3)], [ex.a[i], ex.b[i], 13]);
      assert.equal(ex.labels[i], (ex.a[i] + ex.b[i]) % 13);
    }
  }
  assert.equal(cells.size, 169);
  assert.deepEqual(makeDataset('add', 13, 0.3, 1).train.tokens, ds.train.tokens);
  assert.notDeepEqual(makeDataset('add', 13, 0.3, 2).train.tokens, ds.train.tokens);
});

test('division leaves out b = 0', () => {
  const ds = makeDataset('div', 7, 0.5, 0);
  assert.equal(ds.all.size, 42);
  assert.ok(ds.all.b.every((b) => b !== 0));
  for (let i = 0; i < ds.all.size; i++) assert.equal((ds.all.labels[i] * ds.all.b[i]) % 7, ds.all.a[i]);
});

test('bad input is an error naming the field', () => {
  const err = (re: RegExp) => (e: unknown) => e instanceof SlurryError && re.test(e.message);
  assert.throws(() => makeDataset('div', 12, 0.3, 0), err(/p 12: division mod p needs a prime p.*try 13/));
  assert.throws(() => makeDataset('add', 13, 1, 0), err(/train_frac 1: expected a fraction strictly between 0 and 1/));
  assert.throws(() => makeDataset('add', 13, 0, 0), err(/train_frac 0/));
  assert.throws(() => makeDataset('add', 5, 0.01, 0), err(/train_frac 0.01: leaves 0 of 25 pairs/));
  assert.throws(() => makeDataset('mul' as never, 13, 0.3, 0), err(/op mul: expected one of add, sub, div, poly/));
  assert.throws(() => makeDataset('add', 2, 0.5, 0), err(/p 2: expected an integer modulus >= 3/));
});
