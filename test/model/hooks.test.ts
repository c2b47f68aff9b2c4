import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Graph } from '../../src/engine/graph.js';
import { referenceKernels } from '../../src/engine/reference/kernels.js';
import { parseGPTConfig } from '../../src/model/config.js';
import { GPT } from '../../src/model/gpt.js';
import { ActivationCache, hookNames, type Hooks } from '../../src/model/hooks.js';
import { Rng } from '../../src/util/rng.js';

const config = parseGPTConfig({ vocab_size: 17, n_layer: 2, n_head: 2, n_embd: 8, n_positions: 6 });
const B = 2;
const T = 5;

function setup() {
  const model = GPT.init(config, 4, 'f64');
  const rng = new Rng(9);
  for (const { tensor } of model.parameters()) {
    for (let i = 0; i < tensor.size; i++) tensor.data[i] += 0.3 * rng.normal();
  }
  const ids = Int32Array.from({ length: B * T }, () => rng.int(config.vocab_size));
  return { model, ids };
}

function run(model: GPT, ids: Int32Array, hooks?: Hooks): Float64Array {
  const g = new Graph(referenceKernels, { grad: false, dtype: 'f64' });
  const logits = Float64Array.from(model.forward(g, ids, B, T, { hooks }).data);
  g.release();
  return logits;
}

function assertClose(a: ArrayLike<number>, b: ArrayLike<number>, what: string) {
  assert.equal(a.length, b.length, what);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) < 1e-5, `${what}[${i}]: ${a[i]} vs ${b[i]}`);
}

const sum = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a, (x, i) => x + b[i]);

test('a cache holds exactly the names asked for, and hooks do not change the logits', () => {
  const { model, ids } = setup();
  const cache = new ActivationCache(config, ['blocks.1.hook_resid_post', 'blocks.0.attn.hook_pattern']);
  assert.deepEqual(Array.from(run(model, ids, cache)), Array.from(run(model, ids)));
  assert.ok(cache.has('blocks.1.hook_resid_post') && cache.has('blocks.0.attn.hook_pattern'));
  assert.ok(!cache.has('blocks.0.hook_resid_post'));
  assert.throws(() => cache.get('blocks.0.hook_resid_post'), /was not requested/);
  assert.deepEqual(cache.get('blocks.0.attn.hook_pattern').shape, [B, 2, T, T]);
});

test('hooked activations fit together as the residual stream says', () => {
  const { model, ids } = setup();
  const cache = new ActivationCache(config, hookNames(config));
  run(model, ids, cache);
  const a = (name: string) => cache.get(name).data;
  assertClose(sum(a('hook_embed'), a('hook_pos_embed')), a('blocks.0.hook_resid_pre'), 'embed + pos');
  for (let l = 0; l < config.n_layer; l++) {
    const b = (name: string) => a(`blocks.${l}.${name}`);
    assertClose(sum(b('hook_resid_pre'), b('hook_attn_out')), b('hook_resid_mid'), `mid ${l}`);
    assertClose(sum(b('hook_resid_mid'), b('hook_mlp_out')), b('hook_resid_post'), `post ${l}`);
    // Each pattern row is a causal probability distribution.
    const att = a(`blocks.${l}.attn.hook_pattern`);
    for (let row = 0; row < B * 2 * T; row++) {
      const t = row % T;
      let s = 0;
      for (let u = 0; u < T; u++) {
        if (u > t) assert.equal(att[row * T + u], 0);
        s += att[row * T + u];
      }
      assert.ok(Math.abs(s - 1) < 1e-6);
    }
  }
  assertClose(a('blocks.0.hook_resid_post'), a('blocks.1.hook_resid_pre'), 'post 0 = pre 1');
  // Every name of the model was emitted by a full causal pass.
  for (const name of hookNames(config)) assert.ok(cache.has(name), name);
});

test('a hook may patch an activation: zeroing the MLP output of layer 1 leaves resid_post = resid_mid', () => {
  const { model, ids } = setup();
  const cache = new ActivationCache(config, ['blocks.1.hook_resid_mid', 'blocks.1.hook_resid_post']);
  const patch: Hooks = {
    names: new Set([...cache.names, 'blocks.1.hook_mlp_out']),
    emit(name, value, shape) {
      if (name === 'blocks.1.hook_mlp_out') value.fill(0);
      else cache.emit(name, value, shape);
    },
  };
  const patched = run(model, ids, patch);
  assertClose(cache.get('blocks.1.hook_resid_mid').data, cache.get('blocks.1.hook_resid_post').data, 'patched');
  assert.notDeepEqual(Array.from(patched), Array.from(run(model, ids)));
});

test('an unknown hook name is a one-line error listing close names', () => {
  assert.throws(
    () => new ActivationCache(config, ['blocks.0.hook_resid_pr']),
    (e: Error) =>
      /unknown hook "blocks.0.hook_resid_pr".*close names: blocks.0.hook_resid_pre/.test(e.message) &&
      !e.message.includes('\n'),
  );
  const outOfRange = ['blocks.7.hook_resid_post'];
  assert.throws(() => new ActivationCache(config, outOfRange), /2 layers.*blocks\.\d\.hook_resid_post/);
});
