import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeDataSchedule } from '../../src/train/data-schedule.js';
import type { SourceInfo } from '../../src/train/training-data.js';

const sources: SourceInfo[] = [
  { name: 'a', kind: 'books', tokens: 100 },
  { name: 'b', kind: 'code', tokens: 300 },
];

test('mix: the same normalised weights every step', () => {
  const s = makeDataSchedule({ kind: 'mix', weights: { a: 1, b: 3 } }, sources, 10);
  assert.deepEqual([...s.weightsAt(1)], [0.25, 0.75]);
  assert.deepEqual([...s.weightsAt(10)], [0.25, 0.75]);
  assert.equal(s.state(), null);
});

test('staged: each phase for its steps', () => {
  const s = makeDataSchedule(
    {
      kind: 'staged',
      phases: [
        { weights: { a: 1, b: 0 }, steps: 3 },
        { weights: { a: 0, b: 1 }, steps: 7 },
      ],
    },
    sources,
    10,
  );
  assert.deepEqual(
    [1, 2, 3, 4, 10].map((k) => s.weightsAt(k)[0]),
    [1, 1, 1, 0, 0],
  );
});

test('anneal: the anneal mixture for the last fraction of the steps', () => {
  const s = makeDataSchedule(
    { kind: 'anneal', weights: { a: 1, b: 1 }, anneal_weights: { a: 0, b: 1 }, anneal_fraction: 0.2 },
    sources,
    10,
  );
  assert.equal(s.annealStart, 9);
  assert.deepEqual(
    [8, 9, 10].map((k) => s.weightsAt(k)[1]),
    [0.5, 1, 1],
  );
});

test('adaptive: weights move with observed losses, and the state restores them', () => {
  const spec = {
    kind: 'adaptive' as const,
    initial: { a: 1, b: 1 },
    reward: 'loss_reduction' as const,
    smoothing: 0.9,
    temperature: 0.02,
    min_weight: 0.01,
  };
  const s = makeDataSchedule(spec, sources, 100);
  assert.deepEqual([...s.weightsAt(1)], [0.5, 0.5]);
  for (let t = 0; t < 50; t++) s.observe(Float64Array.from([4, 4 - 0.02 * t]));
  const w = [...s.weightsAt(51)];
  assert.ok(w[1] > 0.9, `${w}`);
  const restored = makeDataSchedule(spec, sources, 100, s.state());
  assert.deepEqual([...restored.weightsAt(51)], w);
});
