/**
 * Every op's backward against central finite differences, in float64 on the reference
 * backend. The objective is sum(out * R) for a fixed random R, so the seed gradient is R.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Graph } from '../../src/engine/graph.js';
import { referenceKernels } from '../../src/engine/reference/kernels.js';
import { Tensor } from '../../src/engine/tensor.js';
import { Rng } from '../../src/util/rng.js';

type Run = (g: Graph, inputs: Tensor[]) => Tensor;

function randomTensor(rng: Rng, shape: number[], scale = 1): Tensor {
  const t = Tensor.zeros(shape, 'f64', true);
  for (let i = 0; i < t.size; i++) t.data[i] = scale * rng.normal();
  return t;
}

function objective(run: Run, inputs: Tensor[], R: Float64Array): number {
  const g = new Graph(referenceKernels, { grad: false, dtype: 'f64' });
  const out = run(g, inputs);
  let s = 0;
  for (let i = 0; i < out.size; i++) s += out.data[i] * R[i];
  g.release();
  return s;
}

/** Checks d objective / d input for every element of every input. */
function gradcheck(name: string, inputs: Tensor[], run: Run, tol = 1e-6): void {
  const rng = new Rng(`gradcheck/${name}`);
  const g = new Graph(referenceKernels, { grad: true, dtype: 'f64' });
  for (const t of inputs) t.grad = null;
  const out = run(g, inputs);
  const R = new Float64Array(out.size).map(() => rng.normal());
  g.backward(out, R);
  const analytic = inputs.map((t) => Float64Array.from(t.grad ?? new Float64Array(t.size)));
  g.release();
  const h = 1e-5;
  inputs.forEach((t, which) => {
    for (let i = 0; i < t.size; i++) {
      const x0 = t.data[i];
      t.data[i] = x0 + h;
      const plus = objective(run, inputs, R);
      t.data[i] = x0 - h;
      const minus = objective(run, inputs, R);
      t.data[i] = x0;
      const numeric = (plus - minus) / (2 * h);
      const a = analytic[which][i];
      const err = Math.abs(a - numeric) / Math.max(1, Math.abs(a), Math.abs(numeric));
      assert.ok(err < tol, `${name}: input ${which} element ${i}: analytic ${a} vs numeric ${numeric}`);
    }
  });
}

const rng = new Rng(7);

test('linear (Conv1D layout, with bias) backward matches finite differences', () => {
  gradcheck(
    'linear-in-out',
    [randomTensor(rng, [5, 3]), randomTensor(rng, [3, 4]), randomTensor(rng, [4])],
    (g, [x, w, b]) => g.linear(x, w, b, 'in_out'),
  );
});

test('linear (out_in layout, no bias: the tied unembedding) backward matches finite differences', () => {
  gradcheck('linear-out-in', [randomTensor(rng, [4, 3]), randomTensor(rng, [6, 3])], (g, [x, w]) =>
    g.linear(x, w, null, 'out_in'),
  );
});

test('embedding backward (tokens and positions, repeated ids) matches finite differences', () => {
  const ids = Int32Array.from([1, 0, 1, 3, 3, 2]);
  gradcheck('embedding', [randomTensor(rng, [4, 5]), randomTensor(rng, [3, 5])], (g, [wte, wpe]) =>
    g.embedding(ids, wte, wpe, 2, 3),
  );
});

test('layerNorm backward matches finite differences', () => {
  gradcheck('layernorm', [randomTensor(rng, [3, 7]), randomTensor(rng, [7]), randomTensor(rng, [7])], (g, [x, w, b]) =>
    g.layerNorm(x, w, b),
  );
});

test('causal attention backward matches finite differences', () => {
  const B = 2,
    T = 4,
    C = 6,
    H = 2;
  gradcheck('attention', [randomTensor(rng, [B * T, 3 * C])], (g, [qkv]) => g.attention(qkv, B, T, H));
});

test('attention is causal: later tokens do not change earlier outputs', () => {
  const B = 1,
    T = 5,
    C = 4,
    H = 2;
  const qkv = randomTensor(rng, [B * T, 3 * C]);
  const g = new Graph(referenceKernels, { grad: false, dtype: 'f64' });
  const before = Float64Array.from(g.attention(qkv, B, T, H).data);
  for (let c = 0; c < 3 * C; c++) qkv.data[(T - 1) * 3 * C + c] += 1;
  const after = g.attention(qkv, B, T, H).data;
  for (let i = 0; i < (T - 1) * C; i++) assert.equal(after[i], before[i]);
  assert.notEqual(after[(T - 1) * C], before[(T - 1) * C]);
});

test('gelu (tanh approximation) backward matches finite differences and known values', () => {
  gradcheck('gelu', [randomTensor(rng, [11], 2)], (g, [x]) => g.gelu(x));
  const g = new Graph(referenceKernels, { grad: false, dtype: 'f64' });
  const y = g.gelu(new Tensor(Float64Array.from([0, 1, -1]), [3]));
  // GPT-2's tanh approximation: gelu(1) = 0.8411919906082768, gelu(-1) = -0.15880800939172324
  assert.ok(Math.abs(y.data[1] - 0.8411919906082768) < 1e-12);
  assert.ok(Math.abs(y.data[2] + 0.15880800939172324) < 1e-12);
  assert.equal(y.data[0], 0);
});

test('relu backward matches finite differences', () => {
  gradcheck('relu', [randomTensor(rng, [13])], (g, [x]) => g.relu(x));
});

test('residual add backward, including a tensor added to itself', () => {
  gradcheck('add', [randomTensor(rng, [6]), randomTensor(rng, [6])], (g, [a, b]) => g.add(g.gelu(a), g.gelu(b)));
  gradcheck('add-self', [randomTensor(rng, [6])], (g, [a]) => {
    const h = g.gelu(a);
    return g.add(h, h);
  });
});

test('cross-entropy with an ignore index: backward matches finite differences', () => {
  const targets = Int32Array.from([2, -1, 0, 4]);
  gradcheck('cross-entropy', [randomTensor(rng, [4, 5])], (g, [logits]) => g.crossEntropy(logits, targets, -1).loss);
});

test('cross-entropy equals minus the log-softmax of the target, ignored rows zero', () => {
  const g = new Graph(referenceKernels, { grad: false, dtype: 'f64' });
  const logits = new Tensor(Float64Array.from([1, 2, 3, 0, 0, 0]), [2, 3]);
  const { loss, rowLosses, count } = g.crossEntropy(logits, Int32Array.from([2, -1]), -1);
  const expected = Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3)) - 3;
  assert.equal(count, 1);
  assert.ok(Math.abs(rowLosses[0] - expected) < 1e-12);
  assert.equal(rowLosses[1], 0);
  assert.ok(Math.abs(loss.data[0] - expected) < 1e-12);
});
