import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GROK_PRESETS, grokModelConfig, parseGrokConfig } from '../../src/grokking/config.js';
import { countParameters } from '../../src/model/gpt.js';
import { SlurryError } from '../../src/util/errors.js';

test('the default preset is the setup of Nanda et al. 2023', () => {
  const c = parseGrokConfig(GROK_PRESETS.default);
  assert.equal(c.op, 'add');
  assert.equal(c.p, 113);
  assert.equal(c.train_frac, 0.3);
  assert.equal(c.optimizer.lr, 1e-3);
  assert.equal(c.optimizer.weight_decay, 1);
  assert.deepEqual([c.optimizer.beta1, c.optimizer.beta2], [0.9, 0.98]);
  const m = grokModelConfig(c);
  assert.deepEqual(
    [
      m.vocab_size,
      m.n_layer,
      m.n_head,
      m.n_embd,
      m.n_inner,
      m.n_positions,
      m.activation_function,
      m.layer_norm,
      m.tie_word_embeddings,
    ],
    [114, 1, 4, 128, 512, 3, 'relu', false, false],
  );
  assert.ok(Math.abs(m.initializer_range - 1 / Math.sqrt(128)) < 1e-15);
  // Nanda et al.'s model (226,816) plus the attention biases of the GPT-2 layout (qkv 3 * 128, output 128).
  assert.equal(countParameters(m), 226_816 + 3 * 128 + 128);
});

test('the quick preset keeps the recipe with a smaller p', () => {
  const q = parseGrokConfig(GROK_PRESETS.quick);
  const d = GROK_PRESETS.default;
  assert.ok(q.p < d.p);
  for (const k of ['op', 'optimizer', 'lr_schedule', 'model'] as const) assert.deepEqual(q[k], d[k], k);
});

test('model fields override the default transformer; the width sets the init scale', () => {
  const m = grokModelConfig({ p: 7, model: { n_embd: 16, n_inner: 32, n_head: 2 } });
  assert.deepEqual([m.n_embd, m.n_inner, m.n_head, m.vocab_size], [16, 32, 2, 8]);
  assert.equal(m.initializer_range, 0.25);
});

test('a model too small for the task is an error naming the model field', () => {
  const err = (re: RegExp) => (e: unknown) => e instanceof SlurryError && re.test(e.message);
  assert.throws(
    () => grokModelConfig({ p: 113, model: { vocab_size: 60 } }),
    err(/^model: vocab_size 60 is too small for p = 113: the task needs 114 tokens/),
  );
  assert.throws(() => grokModelConfig({ p: 11, model: { n_positions: 2 } }), err(/^model: n_positions 2 is too small/));
  assert.throws(
    () => grokModelConfig({ p: 11, model: { n_embd: 30, n_head: 4 } }),
    err(/^model: n_embd \(30\) must be divisible by n_head \(4\)/),
  );
  assert.throws(() => grokModelConfig({ p: 11, model: { n_emb: 30 } }), err(/^model.*n_emb/));
});

test('config errors name the field', () => {
  assert.throws(() => parseGrokConfig({ ...GROK_PRESETS.default, train_frac: 1.2 }), /train_frac 1.2/);
  assert.throws(
    () => parseGrokConfig({ ...GROK_PRESETS.default, op: 'div', p: 100 }),
    /p 100: division mod p needs a prime/,
  );
  assert.throws(
    () =>
      parseGrokConfig({ ...GROK_PRESETS.default, optimizer: { ...GROK_PRESETS.default.optimizer, weight_decay: -1 } }),
    /optimizer\.weight_decay/,
  );
  assert.throws(() => parseGrokConfig({ ...GROK_PRESETS.default, stepz: 3 }), /stepz/);
});
