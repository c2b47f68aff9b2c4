import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Buf, Kernels } from '../../src/engine/kernels.js';
import { referenceKernels } from '../../src/engine/reference/kernels.js';
import { Tensor } from '../../src/engine/tensor.js';
import { GPT, parameterSpecs } from '../../src/model/gpt.js';
import { readSafetensors } from '../../src/model/safetensors.js';
import type { TrainRecord, ValRecord } from '../../src/run/records.js';
import { AdamW } from '../../src/train/adamw.js';
import { readTrainingState, restoreOptimizer } from '../../src/train/checkpoint-io.js';
import { parseTrainConfig } from '../../src/train/config.js';
import { Muon, newtonSchulz, newtonSchulzWork } from '../../src/train/muon.js';
import { makeOptimizer } from '../../src/train/optimizer.js';
import { trainPreset } from '../../src/train/presets.js';
import { train } from '../../src/train/trainer.js';
import { SlurryError } from '../../src/util/errors.js';
import { Rng } from '../../src/util/rng.js';
import { assertClose, nativeSuite, randomF32 } from '../engine/native-support.js';
import { deterministic, quiet, readMetrics, tempRun, tinyConfig } from './support/runs.js';
import { syntheticData } from './support/synthetic-data.js';

/** Shapes [in, out] as slurry stores them: wide, tall, square, odd sizes. */
const SHAPES: [number, number][] = [
  [16, 48],
  [48, 16],
  [33, 17],
  [17, 33],
  [64, 64],
  [7, 129],
  [31, 31],
];

/** Eigenvalues of a symmetric n x n matrix (cyclic Jacobi, float64). */
function symmetricEigenvalues(a: Float64Array, n: number): number[] {
  const m = Float64Array.from(a);
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += m[p * n + q] ** 2;
    if (off < 1e-26) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = m[p * n + q];
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (m[q * n + q] - m[p * n + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const [akp, akq] = [m[k * n + p], m[k * n + q]];
          m[k * n + p] = c * akp - s * akq;
          m[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const [apk, aqk] = [m[p * n + k], m[q * n + k]];
          m[p * n + k] = c * apk - s * aqk;
          m[q * n + k] = s * apk + c * aqk;
        }
      }
    }
  }
  return Array.from({ length: n }, (_, i) => m[i * n + i]);
}

/** Singular values of x [rows, cols], from the Gram matrix of the smaller side. */
function singularValues(x: ArrayLike<number>, rows: number, cols: number): number[] {
  const s = Math.min(rows, cols);
  const gram = new Float64Array(s * s);
  for (let i = 0; i < s; i++) {
    for (let j = 0; j < s; j++) {
      let sum = 0;
      if (rows <= cols) for (let k = 0; k < cols; k++) sum += x[i * cols + k] * x[j * cols + k];
      else for (let k = 0; k < rows; k++) sum += x[k * cols + i] * x[k * cols + j];
      gram[i * s + j] = sum;
    }
  }
  return symmetricEigenvalues(gram, s)
    .map((e) => Math.sqrt(Math.max(0, e)))
    .sort((a, b) => a - b);
}

function orthogonalized(k: Kernels, g: Buf, rows: number, cols: number): Buf {
  const x = g.slice();
  const work = newtonSchulzWork(rows * cols, Math.min(rows, cols), x instanceof Float64Array ? 'f64' : 'f32');
  return newtonSchulz(k, x, rows, cols, 5, work).slice(0, rows * cols);
}

/**
 * Each singular value s of G / ||G||_F goes through p(s) = 3.4445 s - 4.775 s^3 + 2.0315 s^5
 * five times. Iterating p on a fine grid shows that 5 steps take every s in [0.01, 1] into
 * [0.6818, 1.1344] (the band p oscillates in for ever after), and no s in [0, 1] above 1.2024;
 * only inputs below 0.01 of the Frobenius norm may still lie outside [0.68, 1.14].
 */
test("Newton-Schulz (5 steps) maps random matrices of every shape into the quintic's band [0.68, 1.14]", () => {
  const rng = new Rng(11);
  for (const [rows, cols] of SHAPES) {
    const g = Float64Array.from({ length: rows * cols }, () => rng.normal());
    const frobenius = Math.sqrt(g.reduce((s, x) => s + x * x, 0));
    const small = singularValues(g, rows, cols).filter((s) => s < 0.01 * frobenius).length;
    const sv = singularValues(orthogonalized(referenceKernels, g, rows, cols), rows, cols);
    const label = `[${rows}, ${cols}]: output singular values ${sv.map((s) => s.toFixed(3)).join(' ')}`;
    assert.ok(sv.filter((s) => s < 0.68 || s > 1.14).length <= small, label);
    assert.ok(sv[0] > 0 && sv[sv.length - 1] <= 1.21, label);
  }
});

nativeSuite('Newton-Schulz on the native backend', (native) => {
  test('Newton-Schulz: the native backend (float32) agrees with the reference (float64)', () => {
    const rng = new Rng(12);
    for (const [rows, cols] of SHAPES) {
      const g = randomF32(rng, rows * cols, 0.01);
      const got = orthogonalized(native, g, rows, cols);
      const want = orthogonalized(referenceKernels, Float64Array.from(g), rows, cols);
      assertClose(got, want, 1e-3, `[${rows}, ${cols}]`);
    }
  });
});

/**
 * Muon written out plainly in float64 from Keller Jordan's reference (KellerJordan/Muon): the
 * matrix is taken in PyTorch's [out, in] layout, made wide by transposing when it is tall,
 * orthogonalised with explicit matrix products, and scaled by max(1, out/in)^0.5.
 */
function float64MuonStep(
  w: Float64Array,
  m: Float64Array,
  g: Float64Array,
  inF: number,
  outF: number,
  o: { lr: number; beta: number; nesterov: boolean; wd: number; clip: number },
): void {
  const n = inF * outF;
  const u = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    m[i] = o.beta * m[i] + (1 - o.beta) * o.clip * g[i];
    u[i] = o.nesterov ? o.beta * m[i] + (1 - o.beta) * o.clip * g[i] : m[i];
  }
  // PyTorch layout: G[out][in] = u[in * outF + out].
  let X: number[][] = Array.from({ length: outF }, (_, r) => Array.from({ length: inF }, (_, c) => u[c * outF + r]));
  const transpose = (a: number[][]) => a[0].map((_, c) => a.map((row) => row[c]));
  const matmul = (a: number[][], b: number[][]) =>
    a.map((row) => b[0].map((_, j) => row.reduce((s, v, k) => s + v * b[k][j], 0)));
  const tall = X.length > X[0].length;
  if (tall) X = transpose(X);
  const norm = Math.sqrt(X.flat().reduce((s, v) => s + v * v, 0));
  X = X.map((row) => row.map((v) => v / (norm + 1e-7)));
  for (let step = 0; step < 5; step++) {
    const A = matmul(X, transpose(X));
    const AA = matmul(A, A);
    const B = A.map((row, i) => row.map((v, j) => -4.775 * v + 2.0315 * AA[i][j]));
    const BX = matmul(B, X);
    X = X.map((row, i) => row.map((v, j) => 3.4445 * v + BX[i][j]));
  }
  if (tall) X = transpose(X);
  const scale = Math.sqrt(Math.max(1, outF / inF));
  for (let i = 0; i < inF; i++) {
    for (let j = 0; j < outF; j++) w[i * outF + j] = (1 - o.lr * o.wd) * w[i * outF + j] - o.lr * scale * X[j][i];
  }
}

for (const nesterov of [true, false]) {
  test(`a Muon step equals a float64 implementation of the algorithm (nesterov ${nesterov}, decay, clipping)`, () => {
    const rng = new Rng(nesterov ? 5 : 6);
    const shapes: [number, number][] = [
      [6, 10],
      [12, 5],
      [9, 9],
    ];
    const matrices = shapes.map(([r, c], i) => {
      const tensor = new Tensor(randomF32(rng, r * c), [r, c], true);
      return { name: `transformer.h.${i}.mlp.c_fc.weight`, tensor, decay: true };
    });
    const biasTensor = new Tensor(randomF32(rng, 10), [10], true);
    const bias = { name: 'transformer.h.0.mlp.c_fc.bias', tensor: biasTensor, decay: false };
    const opts = { lr: 0.05, baseLr: 0.01, momentum: 0.9, nesterov, weightDecay: 0.1, nsSteps: 5 };
    const muon = new Muon(matrices, new AdamW([bias], { beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0 }), opts);
    const w = matrices.map((p) => Float64Array.from(p.tensor.data));
    const m = matrices.map((p) => new Float64Array(p.tensor.size));
    for (let step = 0; step < 3; step++) {
      for (const p of [...matrices, bias]) p.tensor.grad = randomF32(rng, p.tensor.size, 10);
      let sumSq = 0;
      for (const p of [...matrices, bias]) for (const v of p.tensor.grad!) sumSq += v * v;
      const norm = Math.sqrt(sumSq);
      // lr 0.005 is half the AdamW peak (0.01), so the matrices get half of muon_lr: 0.025.
      assert.ok(Math.abs(muon.step(0.005, 1) - norm) < 1e-9 * norm);
      const clip = 1 / (norm + 1e-6);
      matrices.forEach((p, i) => {
        const [r, c] = p.tensor.shape;
        const g = Float64Array.from(p.tensor.grad!);
        float64MuonStep(w[i], m[i], g, r, c, { lr: 0.025, beta: 0.9, nesterov, wd: 0.1, clip });
        assertClose(p.tensor.data, w[i], 1e-5, `step ${step + 1}: ${p.name} [${r}, ${c}]`);
        assertClose(muon.momentum[i], m[i], 1e-5, `step ${step + 1}: momentum of [${r}, ${c}]`);
      });
    }
    assert.equal(muon.t, 3, "the step count is the AdamW group's");
  });
}

const muonOptimizer = { kind: 'muon', lr: 3e-2, muon_lr: 0.05, muon_weight_decay: 0.1 };
const muonConfig = { ...tinyConfig, steps: 20, optimizer: muonOptimizer };

test('20 Muon steps are deterministic; checkpoints keep GPT-2 weights and save the momentum buffers', async () => {
  const runs = [tempRun(), tempRun()];
  for (const run of runs) await train(muonConfig, { out: run, data: syntheticData(), log: quiet });
  const [a, b] = runs.map((r) => deterministic(readMetrics(r)));
  assert.deepEqual(a, b);
  const dir = join(runs[0], 'checkpoints', 'step-0000020');
  const state = readTrainingState(dir);
  assert.equal(state.config.optimizer.kind, 'muon');
  assert.deepEqual(JSON.parse(readFileSync(join(runs[0], 'config.json'), 'utf8')).optimizer, {
    kind: 'muon',
    lr: 0.03,
    beta1: 0.9,
    beta2: 0.95,
    eps: 1e-8,
    weight_decay: 0.1,
    grad_clip: 1,
    muon_lr: 0.05,
    muon_momentum: 0.95,
    muon_nesterov: true,
    muon_weight_decay: 0.1,
    muon_ns_steps: 5,
  });
  const specs = parameterSpecs(state.config.model);
  const weights = [...readSafetensors(join(dir, 'model.safetensors')).tensors.keys()];
  assert.deepEqual(weights.sort(), specs.map((s) => s.name).sort());
  const optimizerFile = readSafetensors(join(dir, 'optimizer.safetensors'));
  assert.deepEqual(optimizerFile.metadata, { step: '20', optimizer: 'muon' });
  const names = [...optimizerFile.tensors.keys()];
  const matrices = ['attn.c_attn', 'attn.c_proj', 'mlp.c_fc', 'mlp.c_proj'].map((x) => `transformer.h.0.${x}.weight`);
  const buffers = names.filter((n) => n.startsWith('momentum_buffer.'));
  assert.deepEqual(buffers.sort(), matrices.map((x) => `momentum_buffer.${x}`).sort());
  assert.ok(names.includes('exp_avg.transformer.wte.weight') && names.includes('exp_avg_sq.transformer.h.0.ln_1.bias'));
  const adamMatrices = names.filter((n) => n.startsWith('exp_avg') && matrices.some((x) => n.endsWith(x)));
  assert.deepEqual(adamMatrices, [], 'no AdamW moments for Muon matrices');
  const momentum = optimizerFile.tensors.get(`momentum_buffer.${matrices[0]}`)!;
  assert.ok(
    momentum.data.some((x) => x !== 0),
    'the momentum buffer holds state',
  );
});

test('the tiny preset with Muon learns: validation loss falls', async () => {
  const run = tempRun();
  const config = { ...trainPreset('tiny'), optimizer: { kind: 'muon', lr: 1e-2 } };
  await train(config, { out: run, data: syntheticData(), log: quiet });
  const records = readMetrics(run);
  const val = records.filter((r): r is ValRecord => r.type === 'val');
  const trainLosses = records.filter((r): r is TrainRecord => r.type === 'train').map((r) => r.loss);
  const [first, last] = [val[0].loss, val[val.length - 1].loss];
  assert.ok(last < first - 1, `validation loss ${first} -> ${last}`);
  assert.ok(trainLosses.every(Number.isFinite));
});

test('Muon state is not restored from an AdamW checkpoint: the error names optimizer.kind', async () => {
  const run = tempRun();
  await train({ ...tinyConfig, steps: 4 }, { out: run, data: syntheticData(), log: quiet });
  const state = readTrainingState(join(run, 'checkpoints', 'step-0000004'));
  const optimizer = parseTrainConfig({ optimizer: muonOptimizer }, 'test').optimizer;
  const muon = makeOptimizer(GPT.init(state.config.model, 0), optimizer);
  assert.throws(
    () => restoreOptimizer(join(run, 'checkpoints', 'step-0000004'), muon),
    (err: unknown) =>
      err instanceof SlurryError && /holds adamw state, but the run's optimizer\.kind is muon$/.test(err.message),
  );
});
