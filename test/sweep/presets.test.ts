import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planSweep, type CorpusInfo } from '../../src/sweep/plan.js';
import { sweepPreset } from '../../src/sweep/presets.js';

// The source kinds of the quick corpus, which the compare-* schedules name.
const corpus: CorpusInfo = {
  sources: ['books', 'news', 'reference', 'code', 'facts', 'reasoning'].map((kind, i) => ({
    name: `${kind}_${i}`,
    kind,
    tokens: 100_000 * (i + 1),
  })),
  vocabSize: 2048,
};
const plan = (name: string) => {
  const spec = sweepPreset(name);
  spec.base.corpus = '/corpus';
  return planSweep(spec, { where: `--preset ${name}`, corpus: () => corpus });
};

test('--preset seeds: the quick run under 5 seeds', () => {
  const cells = plan('seeds');
  assert.deepEqual(
    cells.map((c) => c.resolved.seed),
    [0, 1, 2, 3, 4],
  );
  assert.equal(new Set(cells.map((c) => c.resolved.tokens)).size, 1);
});

test('--preset emergence: 5 sizes over a factor >= 30 in parameters, token-matched on the same data order', () => {
  const cells = plan('emergence');
  const n = cells.map((c) => c.parameters);
  assert.equal(cells.length, 5);
  assert.ok(
    n.every((x, i) => i === 0 || x > n[i - 1]),
    'sizes grow',
  );
  assert.ok(n[4] / n[0] >= 30, `factor ${n[4] / n[0]}`);
  assert.equal(new Set(cells.map((c) => c.resolved.tokens)).size, 1, 'token-matched');
  assert.equal(new Set(cells.map((c) => c.resolved.data.seed)).size, 1, 'same data order');
});

test('--preset schedules: mix, staged, anneal and adaptive x 3 seeds at equal tokens', () => {
  const cells = plan('schedules');
  assert.equal(cells.length, 12);
  assert.deepEqual(
    [...new Set(cells.map((c) => c.resolved.data.schedule.kind))],
    ['mix', 'staged', 'anneal', 'adaptive'],
  );
  assert.equal(new Set(cells.map((c) => c.resolved.tokens)).size, 1);
});
