/**
 * Block 0 of a model without LayerNorm projects the embedding tables and gathers their rows
 * (GPT.projectedEmbedding) once a batch has many more rows than the tables: the same logits
 * and gradients as projecting every row, which a hook on the residual stream entering
 * block 0 still forces.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Kernels } from '../../src/engine/kernels.js';
import { referenceKernels } from '../../src/engine/reference/kernels.js';
import { parseGPTConfig } from '../../src/model/config.js';
import { GPT } from '../../src/model/gpt.js';
import { ActivationCache } from '../../src/model/hooks.js';
import { Rng } from '../../src/util/rng.js';

const config = parseGPTConfig({
  vocab_size: 13,
  n_layer: 2,
  n_head: 2,
  n_embd: 8,
  n_positions: 4,
  n_inner: 16,
  initializer_range: 0.3,
  layer_norm: false,
  activation_function: 'relu',
  tie_word_embeddings: false,
});

/** The reference kernels, recording the row count M of every GEMM that writes q|k|v rows. */
function countingKernels(qkvRows: number[]): Kernels {
  return {
    ...referenceKernels,
    gemm: (ta, tb, M, N, ...rest) => {
      if (!ta && N === 3 * config.n_embd) qkvRows.push(M);
      referenceKernels.gemm(ta, tb, M, N, ...rest);
    },
  };
}

for (const lastPosition of [false, true]) {
  test(`block 0 projected from the tables equals the projection of every row (lastPosition ${lastPosition})`, () => {
    const model = GPT.init(config, 21, 'f64');
    const rng = new Rng(8);
    const B = 20,
      T = 3;
    const ids = Int32Array.from({ length: B * T }, () => rng.int(config.vocab_size));
    const rows = lastPosition ? B : B * T;
    const targets = Int32Array.from({ length: rows }, () => rng.int(config.vocab_size));
    const run = (forceRows: boolean) => {
      const qkvRows: number[] = [];
      model.zeroGrad();
      const g = model.graph(true, { kernels: countingKernels(qkvRows) });
      const hooks = forceRows ? new ActivationCache(config, ['blocks.0.hook_resid_pre']) : undefined;
      const logits = model.forward(g, ids, B, T, { lastPosition, hooks });
      const { loss } = g.crossEntropy(logits, targets);
      g.backward(loss);
      const out = {
        logits: Float64Array.from(logits.data),
        grads: new Map([...model.params].map(([name, t]) => [name, Float64Array.from(t.grad!)])),
        qkvRows,
      };
      g.release();
      return out;
    };
    const direct = run(true);
    const tables = run(false);
    // Block 0 projected the 13 + 4 table rows (tokens, then positions), block 1 every row.
    assert.deepEqual(direct.qkvRows, [B * T, B * T]);
    assert.deepEqual(tables.qkvRows, [config.vocab_size, config.n_positions, B * T]);
    for (let i = 0; i < direct.logits.length; i++)
      assert.ok(Math.abs(direct.logits[i] - tables.logits[i]) < 1e-12, `logits[${i}]`);
    for (const [name, d] of direct.grads) {
      const t = tables.grads.get(name)!;
      const scale = Math.max(...d.map(Math.abs));
      assert.ok(scale > 0, `${name} has a gradient`);
      for (let i = 0; i < d.length; i++)
        assert.ok(Math.abs(d[i] - t[i]) < 1e-12 * scale, `${name}[${i}]: ${d[i]} vs ${t[i]}`);
    }
  });
}

test('a batch with fewer rows than twice the tables projects its rows directly', () => {
  const model = GPT.init(config, 21, 'f64');
  const qkvRows: number[] = [];
  const g = model.graph(false, { kernels: countingKernels(qkvRows) });
  model.forward(g, new Int32Array(33).fill(1), 11, 3);
  g.release();
  assert.deepEqual(qkvRows, [33, 33]);
});
