/**
 * Whole-model checks of the engine: one full training step on the native backend against
 * the reference (loss and every gradient), and bit-identical losses for the same seed.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { kernels } from '../../src/engine/backend.js';
import type { Kernels } from '../../src/engine/kernels.js';
import { loadNativeKernels } from '../../src/engine/native/load.js';
import { referenceKernels } from '../../src/engine/reference/kernels.js';
import { parseGPTConfig } from '../../src/model/config.js';
import { GPT } from '../../src/model/gpt.js';
import { AdamW } from '../../src/train/adamw.js';
import { Rng } from '../../src/util/rng.js';

const config = parseGPTConfig({ vocab_size: 67, n_layer: 2, n_head: 3, n_embd: 24, n_positions: 17 });
const B = 3, T = 17;

function batch(seed: number) {
  const rng = new Rng(seed);
  return {
    x: Int32Array.from({ length: B * T }, () => rng.int(config.vocab_size)),
    y: Int32Array.from({ length: B * T }, () => rng.int(config.vocab_size)),
  };
}

function step(model: GPT, k: Kernels, x: Int32Array, y: Int32Array): number {
  const g = model.graph(true, { kernels: k });
  const { loss } = model.loss(g, x, y, B, T);
  model.zeroGrad();
  g.backward(loss);
  const value = loss.data[0];
  g.release();
  return value;
}

const native = loadNativeKernels();
const hasNativeSources = existsSync(fileURLToPath(new URL('../../../binding.gyp', import.meta.url)));
const skipNative =
  process.env.SLURRY_SKIP_NATIVE === '1' ? 'SLURRY_SKIP_NATIVE=1: native addon not built'
  : !hasNativeSources ? 'no native sources (binding.gyp) in this checkout'
  : false;

test('one full training step: native loss and every gradient match the reference', { skip: skipNative }, () => {
  assert.ok(native.ok, `native backend did not load: ${native.ok ? '' : native.reason}`);
  const { x, y } = batch(1);
  const a = GPT.init(config, 11);
  const b = GPT.init(config, 11);
  const la = step(a, referenceKernels, x, y);
  const lb = step(b, native.kernels, x, y);
  assert.ok(Math.abs(la - lb) < 1e-5 * Math.abs(la), `loss ${la} vs ${lb}`);
  for (const { spec, tensor } of a.parameters()) {
    const ga = tensor.grad!;
    const gb = b.param(spec.name).grad!;
    let maxAbs = 0;
    let maxErr = 0;
    for (let i = 0; i < ga.length; i++) {
      maxAbs = Math.max(maxAbs, Math.abs(ga[i]));
      maxErr = Math.max(maxErr, Math.abs(ga[i] - gb[i]));
    }
    assert.ok(maxErr <= 1e-4 * maxAbs + 1e-7, `${spec.name}: max |grad diff| ${maxErr} (max |grad| ${maxAbs})`);
  }
});

test('determinism: two runs with the same seed give bit-identical losses over 20 steps', () => {
  const run = () => {
    const model = GPT.init(config, 5);
    const opt = new AdamW(model.parameters().map(({ spec, tensor }) => ({ name: spec.name, tensor, decay: spec.decay })), {
      beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1,
    });
    const losses: number[] = [];
    for (let s = 0; s < 20; s++) {
      const { x, y } = batch(100 + (s % 3));
      losses.push(step(model, kernels(), x, y));
      opt.step(3e-3, 1.0);
    }
    return losses;
  };
  const first = run();
  const second = run();
  assert.deepEqual(second, first);
  assert.ok(first[19] < first[0], `training should lower the loss on repeated batches: ${first[0]} -> ${first[19]}`);
});
