/**
 * GPT.forward's lastPosition path computes the same function as the full forward read at
 * the last positions: same logits, same loss, same gradients for every parameter.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Graph } from '../../src/engine/graph.js';
import { referenceKernels } from '../../src/engine/reference/kernels.js';
import { Tensor } from '../../src/engine/tensor.js';
import { parseGPTConfig } from '../../src/model/config.js';
import { GPT } from '../../src/model/gpt.js';
import { Rng } from '../../src/util/rng.js';

test('gatherRows copies rows and adds gradients back, repeated rows included', () => {
  const x = new Tensor(
    Float64Array.from({ length: 12 }, (_, i) => i),
    [4, 3],
    true,
  );
  const g = new Graph(referenceKernels, { grad: true, dtype: 'f64' });
  const out = g.gatherRows(x, Int32Array.from([3, 1, 3]));
  assert.deepEqual([...out.data], [9, 10, 11, 3, 4, 5, 9, 10, 11]);
  g.backward(out, Float64Array.from([1, 2, 3, 4, 5, 6, 10, 20, 30]));
  assert.deepEqual([...x.grad!], [0, 0, 0, 4, 5, 6, 0, 0, 0, 11, 22, 33]);
  g.release();
  assert.throws(
    () => new Graph(referenceKernels, { grad: false }).gatherRows(x, Int32Array.from([4])),
    /row 4 at 0 outside \[0, 4\)/,
  );
});

for (const [label, overrides] of [
  [
    'grokking model (1 layer, no LayerNorm, ReLU, untied)',
    { n_layer: 1, layer_norm: false, activation_function: 'relu', tie_word_embeddings: false },
  ],
  ['GPT-2 (2 layers, LayerNorm, GELU, tied)', { n_layer: 2 }],
] as const) {
  test(`lastPosition equals the full forward at the last positions: ${label}`, () => {
    const config = parseGPTConfig({
      vocab_size: 13,
      n_head: 2,
      n_embd: 8,
      n_positions: 4,
      n_inner: 16,
      initializer_range: 0.3,
      ...overrides,
    });
    const model = GPT.init(config, 11, 'f64');
    const rng = new Rng(4);
    const B = 5,
      T = 3;
    const ids = Int32Array.from({ length: B * T }, () => rng.int(config.vocab_size));
    const answers = Int32Array.from({ length: B }, () => rng.int(config.vocab_size));
    // Full forward: every position's logits; the loss reads only the last one of each row.
    const fullTargets = new Int32Array(B * T).fill(-1);
    answers.forEach((a, b) => (fullTargets[b * T + T - 1] = a));

    const run = (last: boolean) => {
      model.zeroGrad();
      const g = model.graph(true, { kernels: referenceKernels });
      const logits = model.forward(g, ids, B, T, { lastPosition: last });
      const { loss } = g.crossEntropy(logits, last ? answers : fullTargets, -1);
      g.backward(loss);
      const V = config.vocab_size;
      const lastLogits = last
        ? Float64Array.from(logits.data)
        : Float64Array.from({ length: B * V }, (_, i) => logits.data[(Math.floor(i / V) * T + T - 1) * V + (i % V)]);
      const grads = new Map(
        [...model.params].map(([name, t]) => [name, Float64Array.from(t.grad ?? new Float64Array(t.size))]),
      );
      const value = loss.data[0];
      g.release();
      return { lastLogits, grads, value, rows: logits.shape[0] };
    };
    const full = run(false);
    const cut = run(true);
    assert.equal(cut.rows, B);
    assert.equal(full.rows, B * T);
    for (let i = 0; i < full.lastLogits.length; i++)
      assert.ok(Math.abs(full.lastLogits[i] - cut.lastLogits[i]) < 1e-12, `logit ${i}`);
    assert.ok(Math.abs(full.value - cut.value) < 1e-12);
    for (const [name, gFull] of full.grads) {
      const gCut = cut.grads.get(name)!;
      let norm = 0;
      for (let i = 0; i < gFull.length; i++) {
        assert.ok(Math.abs(gFull[i] - gCut[i]) < 1e-12, `${name}[${i}]: ${gFull[i]} vs ${gCut[i]}`);
        norm += gFull[i] ** 2;
      }
      // Every parameter takes part (a zero gradient would make the comparison vacuous);
      // position embeddings of unused positions are the exception only for T < n_positions.
      if (name !== 'transformer.wpe.weight') assert.ok(norm > 0, `${name} has a zero gradient`);
    }
  });
}
