import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Graph } from '../../src/engine/graph.js';
import { referenceKernels } from '../../src/engine/reference/kernels.js';
import { loadModel, saveModel } from '../../src/model/checkpoint.js';
import { parseGPTConfig, type GPTConfigInput } from '../../src/model/config.js';
import { generate } from '../../src/model/generate.js';
import { countParameters, GPT } from '../../src/model/gpt.js';
import { tokenLogprobs } from '../../src/model/logprobs.js';
import { SlurryError } from '../../src/util/errors.js';
import { Rng } from '../../src/util/rng.js';

const tiny: GPTConfigInput = { vocab_size: 11, n_layer: 2, n_head: 2, n_embd: 8, n_positions: 6 };

function randomIds(rng: Rng, n: number, V: number): Int32Array {
  return Int32Array.from({ length: n }, () => rng.int(V));
}

/** Loss of the model on a fixed batch, float64, reference kernels. */
function lossOf(model: GPT, inputs: Int32Array, targets: Int32Array, B: number, T: number): number {
  const g = new Graph(referenceKernels, { grad: false, dtype: 'f64' });
  const v = model.loss(g, inputs, targets, B, T).loss.data[0];
  g.release();
  return v;
}

for (const [label, overrides] of [
  ['GPT-2 (tied, LayerNorm, GELU)', {}],
  [
    'grokking variant (untied, no LayerNorm, ReLU)',
    { tie_word_embeddings: false, layer_norm: false, activation_function: 'relu', n_inner: 12 },
  ],
] as const) {
  test(`${label}: every parameter's gradient matches finite differences (float64)`, () => {
    const config = parseGPTConfig({ ...tiny, ...overrides });
    const model = GPT.init(config, 3, 'f64');
    // Larger weights than the init so every path (attention, norms) carries real signal.
    const rng = new Rng(5);
    for (const { tensor } of model.parameters())
      for (let i = 0; i < tensor.size; i++) tensor.data[i] += 0.3 * rng.normal();
    const B = 2,
      T = 5;
    const inputs = randomIds(rng, B * T, config.vocab_size);
    const targets = randomIds(rng, B * T, config.vocab_size);
    targets[3] = -1;
    const g = new Graph(referenceKernels, { grad: true, dtype: 'f64' });
    g.backward(model.loss(g, inputs, targets, B, T).loss);
    g.release();
    const h = 1e-6;
    for (const { spec, tensor } of model.parameters()) {
      // Three elements of each parameter (first, middle, last) keep the test fast.
      for (const i of new Set([0, tensor.size >> 1, tensor.size - 1])) {
        const x0 = tensor.data[i];
        tensor.data[i] = x0 + h;
        const plus = lossOf(model, inputs, targets, B, T);
        tensor.data[i] = x0 - h;
        const minus = lossOf(model, inputs, targets, B, T);
        tensor.data[i] = x0;
        const numeric = (plus - minus) / (2 * h);
        const analytic = tensor.grad![i];
        assert.ok(
          Math.abs(analytic - numeric) < 1e-6 * Math.max(1, Math.abs(numeric)),
          `${spec.name}[${i}]: ${analytic} vs ${numeric}`,
        );
      }
    }
  });
}

test('a fresh model predicts near-uniformly: initial loss close to ln(V)', () => {
  const config = parseGPTConfig({ ...tiny, vocab_size: 64, n_positions: 16 });
  const model = GPT.init(config, 1, 'f64');
  const rng = new Rng(2);
  const loss = lossOf(model, randomIds(rng, 32, 64), randomIds(rng, 32, 64), 2, 16);
  assert.ok(Math.abs(loss - Math.log(64)) < 0.05, `loss ${loss} vs ln 64 = ${Math.log(64)}`);
});

test('parameter count of GPT-2 small matches the published 124,439,808', () => {
  const c = parseGPTConfig({ vocab_size: 50257, n_layer: 12, n_head: 12, n_embd: 768, n_positions: 1024 });
  assert.equal(countParameters(c), 124_439_808);
});

test('config errors name the field', () => {
  assert.throws(
    () => parseGPTConfig({ ...tiny, n_embd: 10, n_head: 3 }),
    /n_embd \(10\) must be divisible by n_head \(3\)/,
  );
  assert.throws(
    () => parseGPTConfig({ ...tiny, vocab_size: 0 }),
    (e: Error) => e instanceof SlurryError && /vocab_size/.test(e.message),
  );
  assert.throws(() => parseGPTConfig({ ...tiny, n_layers: 2 }), /Unrecognized key.*n_layers/);
});

test('checkpoint round trip: saved weights load bit-identically with a GPT2Config-style config.json', () => {
  const dir = mkdtempSync(join(tmpdir(), 'slurry-ckpt-'));
  try {
    const model = GPT.init(parseGPTConfig(tiny), 9);
    saveModel(dir, model);
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    assert.equal(config.model_type, 'gpt2');
    assert.deepEqual(config.architectures, ['GPT2LMHeadModel']);
    assert.equal(config.n_embd, 8);
    assert.equal(config.activation_function, 'gelu_new');
    const loaded = loadModel(dir);
    for (const { spec, tensor } of model.parameters())
      assert.deepEqual(loaded.param(spec.name).data, tensor.data, spec.name);
    assert.equal(loaded.param('transformer.h.0.attn.c_attn.weight').shape.join(), '8,24'); // Conv1D [in, out]
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('damaged checkpoints: truncated file, wrong shape, missing tensor each named', () => {
  const dir = mkdtempSync(join(tmpdir(), 'slurry-ckpt-'));
  try {
    saveModel(dir, GPT.init(parseGPTConfig(tiny), 1));
    const file = join(dir, 'model.safetensors');
    const bytes = readFileSync(file);
    writeFileSync(file, bytes.subarray(0, bytes.length - 100));
    assert.throws(
      () => loadModel(dir),
      /model\.safetensors: truncated: tensor transformer\.\S+ ends at byte \d+ of the data but the file holds \d+/,
    );
    writeFileSync(file, bytes.subarray(0, 5));
    assert.throws(() => loadModel(dir), /truncated/);
    saveModel(dir, GPT.init(parseGPTConfig({ ...tiny, n_embd: 12, n_head: 2 }), 1));
    const cfg = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...cfg, n_embd: 8 }));
    assert.throws(() => loadModel(dir), /transformer\.wte\.weight has shape \[11,12\], expected \[11,8\]/);
    saveModel(dir, GPT.init(parseGPTConfig({ ...tiny, n_layer: 1 }), 1));
    const oneLayer = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...oneLayer, n_layer: 2 }));
    assert.throws(() => loadModel(dir), /missing tensor transformer\.h\.1\.ln_1\.weight/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('generation with the KV cache equals greedy decoding by full forward passes', () => {
  const config = parseGPTConfig({ ...tiny, n_positions: 12 });
  const model = GPT.init(config, 4);
  const rng = new Rng(8);
  for (const { tensor } of model.parameters())
    for (let i = 0; i < tensor.size; i++) tensor.data[i] += 0.5 * rng.normal();
  const prompt = [3, 1, 4];
  const cached = generate(model, prompt, { maxNewTokens: 8 });
  const seq = [...prompt];
  for (let n = 0; n < 8; n++) {
    const g = model.graph(false);
    const logits = model.forward(g, Int32Array.from(seq), 1, seq.length);
    const V = config.vocab_size;
    const last = logits.data.subarray((seq.length - 1) * V);
    let best = 0;
    for (let v = 1; v < V; v++) if (last[v] > last[best]) best = v;
    seq.push(best);
    g.release();
  }
  assert.deepEqual(cached, seq.slice(prompt.length));
  // Sampling is seeded: the same seed gives the same text, past the context length too.
  const a = generate(model, prompt, { maxNewTokens: 30, temperature: 1, topK: 5, seed: 1 });
  const b = generate(model, prompt, { maxNewTokens: 30, temperature: 1, topK: 5, seed: 1 });
  assert.equal(a.length, 30);
  assert.deepEqual(a, b);
});

test('batched log-probabilities equal one-at-a-time scoring', () => {
  const config = parseGPTConfig({ ...tiny, n_positions: 10 });
  const model = GPT.init(config, 4);
  const rng = new Rng(3);
  const seqs = [5, 2, 9, 3, 11, 7].map((n) => Array.from({ length: n }, () => rng.int(11)));
  const batched = tokenLogprobs(model, seqs, { maxBatchTokens: 20 });
  seqs.forEach((s, i) => {
    const alone = tokenLogprobs(model, [s])[0];
    assert.equal(batched[i].length, s.length - 1);
    for (let j = 0; j < alone.length; j++) assert.ok(Math.abs(alone[j] - batched[i][j]) < 1e-5);
    for (const lp of batched[i]) assert.ok(lp < 0);
  });
});
