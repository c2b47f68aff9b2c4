import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allocate, spreadSample } from '../../src/probes/balanced-sample.js';
import { Rng } from '../../src/util/rng.js';

test('allocate splits in proportion, respects what is available, and hands the rest on', () => {
  const m = (o: Record<string, number>) => new Map(Object.entries(o));
  assert.deepEqual(Object.fromEntries(allocate(10, m({ a: 1, b: 1 }), m({ a: 9, b: 9 }))), { a: 5, b: 5 });
  assert.deepEqual(Object.fromEntries(allocate(10, m({ a: 3, b: 1 }), m({ a: 9, b: 9 }))), { a: 8, b: 2 });
  assert.deepEqual(Object.fromEntries(allocate(10, m({ a: 1, b: 1 }), m({ a: 2, b: 20 }))), { a: 2, b: 8 });
  assert.deepEqual(Object.fromEntries(allocate(10, m({ a: 1, b: 1 }), m({ a: 2, b: 3 }))), { a: 2, b: 3 });
  const odd = allocate(7, m({ a: 4, b: 2, c: 1 }), m({ a: 9, b: 9, c: 9 }));
  assert.equal(
    [...odd.values()].reduce((x, y) => x + y, 0),
    7,
  );
  assert.deepEqual(Object.fromEntries(odd), { a: 4, b: 2, c: 1 });
});

test('spreadSample: strata share the cap, answers repeat only when they must, lengths follow the candidates', () => {
  // Two relations; in "r1" answers have length 1 (3 values) or 2 (1 value); candidates of r1 are 3:1 by length.
  const items = [
    ...Array.from({ length: 30 }, (_, i) => ({ id: `a${i}`, s: 'r1', answer: `v${i % 3}`, len: 1 })),
    ...Array.from({ length: 30 }, (_, i) => ({ id: `b${i}`, s: 'r1', answer: 'long', len: 2 })),
    ...Array.from({ length: 30 }, (_, i) => ({ id: `c${i}`, s: 'r2', answer: `w${i % 10}`, len: 1 })),
  ];
  const pick = spreadSample(items, 16, new Rng(1), {
    stratum: (t) => t.s,
    value: (t) => t.answer,
    answerLength: (t) => t.len,
    candidateLengths: (s) =>
      s === 'r1'
        ? new Map([
            [1, 3],
            [2, 1],
          ])
        : new Map([[1, 10]]),
  });
  const r1 = pick.filter((t) => t.s === 'r1');
  const r2 = pick.filter((t) => t.s === 'r2');
  assert.equal(r1.length, 8);
  assert.equal(r2.length, 8);
  assert.equal(r1.filter((t) => t.len === 2).length, 2);
  assert.equal(new Set(r2.map((t) => t.answer)).size, 8);
  const counts = [0, 1, 2].map((k) => r1.filter((t) => t.answer === `v${k}`).length);
  assert.ok(Math.max(...counts) - Math.min(...counts) <= 1, `spread over values: ${counts}`);
  assert.deepEqual(
    spreadSample(items, 16, new Rng(1), { stratum: (t) => t.s, value: (t) => t.answer }).map((t) => t.id),
    spreadSample(items, 16, new Rng(1), { stratum: (t) => t.s, value: (t) => t.answer }).map((t) => t.id),
  );
});
