/**
 * The MLP neurons' Fourier measure on constructed activations with known answers, and the
 * grid it reads through the activation cache.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setKernels } from '../../src/engine/backend.js';
import { referenceKernels } from '../../src/engine/reference/kernels.js';
import { grokModelConfig, GROK_PRESETS } from '../../src/grokking/config.js';
import { keyFrequencyShare, neuronGrid } from '../../src/grokking/neuron-fourier.js';
import { makeDataset, SEQ_LEN } from '../../src/grokking/task.js';
import { GPT } from '../../src/model/gpt.js';
import { ActivationCache } from '../../src/model/hooks.js';
import { Rng } from '../../src/util/rng.js';

setKernels(referenceKernels);
const p = 11;
const w = (k: number) => (2 * Math.PI * k) / p;

/** [p * p, fs.length] activations, neuron j = fs[j](a, b). */
function grid(fs: ((a: number, b: number) => number)[]): Float64Array {
  const out = new Float64Array(p * p * fs.length);
  for (let a = 0; a < p; a++)
    for (let b = 0; b < p; b++) fs.forEach((f, j) => (out[(a * p + b) * fs.length + j] = f(a, b)));
  return out;
}

test('neurons built from the key frequencies have all their variance in them', () => {
  const acts = grid([
    (a, b) => Math.cos(w(3) * (a + b)),
    (a, b) => 2 + Math.sin(w(3) * a) * Math.cos(w(3) * b),
    (a) => 5 * Math.cos(w(3) * a),
    (a, b) => Math.cos(w(3) * a) + Math.sin(w(4) * b),
  ]);
  assert.ok(Math.abs(keyFrequencyShare(acts, p, 4, [3, 4]) - 1) < 1e-9);
});

test('a neuron of another frequency has none; a mixture has its share of the variance', () => {
  assert.ok(keyFrequencyShare(grid([(a, b) => Math.cos(w(5) * (a + b))]), p, 1, [3]) < 1e-12);
  // cos(w3 (a+b)) has variance p^2/2 on the grid, 2 cos(w5 a) has 4 p^2/2: a share of 1/5.
  const mixed = grid([(a, b) => Math.cos(w(3) * (a + b)) + 2 * Math.cos(w(5) * a)]);
  assert.ok(Math.abs(keyFrequencyShare(mixed, p, 1, [3]) - 0.2) < 1e-9);
});

test('noise neurons: the share is near the key terms share of all directions', () => {
  const rng = new Rng(7);
  const n = 400;
  const acts = Float64Array.from({ length: p * p * n }, () => rng.normal());
  // Two key frequencies: (2 * 2 + 1)^2 - 1 = 24 of the p^2 - 1 = 120 directions.
  const share = keyFrequencyShare(acts, p, n, [1, 2]);
  assert.ok(Math.abs(share - 24 / 120) < 0.02, `share ${share}`);
  assert.equal(keyFrequencyShare(new Float64Array(p * p * 3).fill(1.5), p, 3, [1]), 0, 'constant neurons');
});

test('the grid holds pair (a, b) in row a * p + b: the hook_post of that pair alone', () => {
  const model = GPT.init(grokModelConfig({ ...GROK_PRESETS.default, p, model: { n_embd: 16, n_inner: 8 } }), 3);
  const ds = makeDataset('add', p, 0.5, 0);
  const { acts, n } = neuronGrid(model, ds);
  assert.equal(n, 8);
  assert.equal(acts.length, p * p * n);
  const tokens = ds.all.tokens;
  for (const [a, b] of [
    [0, 0],
    [2, 9],
    [10, 4],
  ]) {
    const row = a * p + b;
    assert.deepEqual([...tokens.subarray(row * SEQ_LEN, row * SEQ_LEN + SEQ_LEN)], [a, b, p]);
    const cache = new ActivationCache(model.config, ['blocks.0.mlp.hook_post']);
    const g = model.graph(false);
    model.forward(g, Int32Array.from([a, b, p]), 1, SEQ_LEN, { hooks: cache });
    g.release();
    const alone = cache.get('blocks.0.mlp.hook_post').data.subarray((SEQ_LEN - 1) * n, SEQ_LEN * n);
    for (let j = 0; j < n; j++) assert.ok(Math.abs(acts[row * n + j] - alone[j]) < 1e-5);
  }
});
