import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assignments, composeCell } from '../../src/sweep/expand.js';
import { configHash, nonEmbeddingParameters, planSweep, type CorpusInfo } from '../../src/sweep/plan.js';
import { parseSweepSpec } from '../../src/sweep/spec.js';

const corpusInfo: CorpusInfo = {
  sources: [
    { name: 'moby_dick', kind: 'books', tokens: 50_000 },
    { name: 'arithmetic', kind: 'reasoning', tokens: 20_000 },
  ],
  vocabSize: 257,
};
const plan = (spec: unknown, yes = false) =>
  planSweep(parseSweepSpec(spec, 'sweep.yaml'), { where: 'sweep.yaml', corpus: () => corpusInfo, yes });
const base = { preset: 'tiny', corpus: '/corpus' };

test('a grid crosses every axis, the last varying fastest; each cell is a resolved config with its own hash', () => {
  const cells = plan({ base, axes: { seed: [0, 1], 'model.n_embd': [16, 32] } });
  assert.deepEqual(
    cells.map((c) => c.label),
    ['seed=0 model.n_embd=16', 'seed=0 model.n_embd=32', 'seed=1 model.n_embd=16', 'seed=1 model.n_embd=32'],
  );
  assert.deepEqual(
    cells.map((c) => [c.resolved.seed, c.resolved.model.n_embd]),
    [
      [0, 16],
      [0, 32],
      [1, 16],
      [1, 32],
    ],
  );
  assert.equal(new Set(cells.map((c) => c.hash)).size, 4);
  assert.ok(
    cells.every((c) => c.dir === `cells/${c.hash}` && c.resolved.steps === 40 && c.resolved.model.vocab_size === 257),
  );
});

test('the same resolved config has the same hash however it is written (key order, steps vs tokens)', () => {
  const [a] = plan({ base: { ...base, steps: 10 }, axes: { seed: [3] } });
  const [b] = plan({ base: { corpus: '/corpus', preset: 'tiny', tokens: 10 * 8 * 32 }, axes: { seed: [3] } });
  assert.equal(a.hash, b.hash);
  assert.equal(configHash({ x: 1, y: [1, { b: 2, a: 1 }] }), configHash({ y: [1, { a: 1, b: 2 }], x: 1 }));
  assert.notEqual(configHash({ x: 1 }), configHash({ x: 2 }));
});

test('axes over the preset and over whole sections compose in layers; a budget on an axis replaces the preset budget', () => {
  const cell = composeCell(
    { preset: 'tiny', optimizer: { lr: 0.05 } },
    { preset: 'quick', model: { n_layer: 1, n_head: 2, n_embd: 32 }, tokens: 4096 },
  );
  assert.deepEqual(cell.model, { n_layer: 1, n_head: 2, n_embd: 32 });
  assert.equal((cell.optimizer as { lr: number }).lr, 0.05);
  assert.equal(cell.tokens, 4096);
  assert.equal(cell.steps, undefined);
  assert.equal(cell.batch_size, 16, 'the quick preset chosen by the axis');
});

test('derived tokens: proportional to non-embedding parameters, or matched compute 6 N D', () => {
  const n16 = nonEmbeddingParameters({ n_layer: 2, n_head: 2, n_embd: 16 });
  // Per layer: 2 LayerNorms (4C), attention (3C^2 + 3C + C^2 + C), MLP (8C^2 + 5C); then ln_f (2C).
  assert.equal(n16, 2 * (12 * 16 * 16 + 13 * 16) + 2 * 16);
  const cells = plan({ base, axes: { 'model.n_embd': [16, 32] }, derived: { tokens: { per_parameter: 2 } } });
  const perStep = 8 * 32;
  assert.equal(cells[0].resolved.tokens, Math.ceil((2 * n16) / perStep) * perStep);
  assert.ok(cells[1].resolved.tokens > 3 * cells[0].resolved.tokens);
  const matched = plan({ base, axes: { 'model.n_embd': [16, 32] }, derived: { tokens: { flops: 6e9 } } });
  for (const c of matched) assert.ok(Math.abs(6 * c.parameters * c.resolved.tokens - 6e9) / 6e9 < 0.02, c.label);
});

test('random sampling draws count cells from lists and ranges, the same draws for the same seed', () => {
  const spec = parseSweepSpec(
    {
      base,
      axes: { 'optimizer.lr': { min: 1e-3, max: 1e-1, log: true }, seed: [0, 1, 2] },
      sample: { kind: 'random', count: 6, seed: 4 },
    },
    's',
  );
  const a = assignments(spec);
  assert.deepEqual(a, assignments(spec));
  assert.equal(a.length, 6);
  for (const cell of a) {
    assert.ok((cell['optimizer.lr'] as number) >= 1e-3 && (cell['optimizer.lr'] as number) <= 1e-1);
    assert.ok([0, 1, 2].includes(cell.seed as number));
  }
});

test('bad sweeps are refused naming the axis and the value', () => {
  assert.throws(
    () => plan({ base, axes: { 'model.n_embdd': [16] } }),
    /sweep\.yaml: axes\.model\.n_embdd: not a training config key/,
  );
  assert.throws(() => plan({ base, axes: { seed: [] } }), /sweep\.yaml: axes\.seed: empty/);
  assert.throws(
    () => plan({ base, axes: { 'optimizer.lr': { min: 0.1, max: 1 } } }),
    /axes\.optimizer\.lr: a range has no grid/,
  );
  assert.throws(
    () => plan({ base, axes: { 'model.n_embd': [16, 33] } }),
    /axis model\.n_embd = 33 .*divisible by n_head/,
  );
  assert.throws(() => plan({ base, axes: { 'optimizer.lr': [0.01, -1] } }), /axis optimizer\.lr = -1 .*optimizer\.lr/);
  assert.throws(() => plan({ base: { preset: 'tiny' }, axes: { seed: [0] } }), /corpus: missing/);
});

test('a grid of more than 10,000 cells needs --yes', () => {
  const axes = {
    seed: Array.from({ length: 101 }, (_, i) => i),
    'data.seed': Array.from({ length: 100 }, (_, i) => i),
  };
  assert.throws(
    () => plan({ base, axes }),
    /10,100 cells \(seed \(101\) x data\.seed \(100\)\) is more than 10,000; pass --yes/,
  );
});
