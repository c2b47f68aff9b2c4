/**
 * Muon (Jordan et al. 2024, "Muon: An optimizer for hidden layers in neural networks"; the
 * modded-nanoGPT speedrun's optimizer): SGD with Nesterov momentum whose update for each
 * hidden weight matrix is replaced by an approximation of its nearest semi-orthogonal matrix
 * (U V^T of the update's SVD U S V^T), computed by a quintic Newton-Schulz iteration. The
 * embeddings, the tied head, LayerNorms and biases stay with AdamW (Muon is for hidden
 * matrices only), each group with its own learning rate; both follow the run's schedule.
 *
 * Per matrix W (slurry's Conv1D layout: [in, out]) with gradient G, at learning rate lr:
 *   M = beta M + (1 - beta) G                    momentum (an EMA, as in KellerJordan/Muon)
 *   U = nesterov ? beta M + (1 - beta) G : M
 *   O = NS5(U / ||U||_F)                         singular values pushed towards 1
 *   W = (1 - lr wd) W - lr sqrt(max(1, out/in)) O
 * The shape factor is Keller Jordan's: PyTorch's Linear stores [out, in] and scales by
 * max(1, rows/cols)^0.5, i.e. out/in; here rows are `in`, so it reads shape[1] / shape[0].
 * We use it (not Moonlight's 0.2 sqrt(max(in, out)), which matches AdamW's update RMS so that
 * AdamW's lr and decay can be shared) because Muon has its own lr key here, and muon_lr's
 * usual values (0.02-0.05) are in these units: the ones the speedrun tuned.
 *
 * The Newton-Schulz matmuls run on the engine's GEMM (native or reference), in the tensors'
 * precision (float32 on the native backend).
 */
import { kernels } from '../engine/backend.js';
import type { Buf, Kernels } from '../engine/kernels.js';
import type { NamedTensor } from '../model/safetensors.js';
import { clipScale, type AdamW, type OptimizedParam } from './adamw.js';
import type { Optimizer } from './optimizer.js';

/**
 * The quintic's coefficients: p(s) = a s + b s^3 + c s^5, chosen to maximise the slope at 0
 * so that 5 steps lift small singular values; the result is not exactly 1 but oscillates in
 * a band around it (about 0.7 to 1.2), which does not hurt training.
 */
const NS_A = 3.4445;
const NS_B = -4.775;
const NS_C = 2.0315;

/** Scratch buffers for newtonSchulz: y [rows*cols], gram and poly [s*s], s = min(rows, cols) (or larger). */
export interface NewtonSchulzWork {
  y: Buf;
  gram: Buf;
  poly: Buf;
}

export function newtonSchulzWork(size: number, side: number, dtype: 'f32' | 'f64'): NewtonSchulzWork {
  const make = (n: number) => (dtype === 'f64' ? new Float64Array(n) : new Float32Array(n));
  return { y: make(size), gram: make(side * side), poly: make(side * side) };
}

/**
 * Orthogonalises x [rows, cols] (row-major; overwritten): x / (||x||_F + 1e-7), then `steps`
 * iterations X = a X + (b A + c A^2) X with A = X X^T, on the Gram matrix of the smaller side
 * (for rows > cols, X = a X + X (b A + c A^2) with A = X^T X: the same map, transposed).
 * Returns the buffer that holds the result: x or work.y.
 */
export function newtonSchulz(
  k: Kernels,
  x: Buf,
  rows: number,
  cols: number,
  steps: number,
  work: NewtonSchulzWork,
): Buf {
  const n = rows * cols;
  k.scale(x, 1 / (Math.sqrt(k.sumSquares(x, n)) + 1e-7), n);
  const wide = rows <= cols;
  const s = wide ? rows : cols;
  const { gram, poly } = work;
  let X = x;
  let Y = work.y;
  for (let i = 0; i < steps; i++) {
    if (wide) k.gemm(false, true, s, s, cols, 1, X, cols, X, cols, 0, gram, s);
    else k.gemm(true, false, s, s, rows, 1, X, cols, X, cols, 0, gram, s);
    k.gemm(false, false, s, s, s, NS_C, gram, s, gram, s, 0, poly, s);
    k.axpy(poly, gram, NS_B, s * s);
    if (wide) k.gemm(false, false, rows, cols, rows, 1, poly, s, X, cols, 0, Y, cols);
    else k.gemm(false, false, rows, cols, cols, 1, X, cols, poly, s, 0, Y, cols);
    k.axpy(Y, X, NS_A, n);
    [X, Y] = [Y, X];
  }
  return X;
}

/** Muon takes the 2-D weights inside the blocks (attention c_attn, c_proj; MLP c_fc, c_proj). */
export function isMuonMatrix(name: string, shape: readonly number[]): boolean {
  return shape.length === 2 && name.startsWith('transformer.h.');
}

export interface MuonOptions {
  /** Peak learning rate of the matrices. */
  lr: number;
  /** Peak learning rate of the AdamW groups: the step's lr / baseLr is the schedule's factor. */
  baseLr: number;
  momentum: number;
  nesterov: boolean;
  /** Decoupled weight decay of the matrices (scaled by their learning rate). */
  weightDecay: number;
  nsSteps: number;
}

export class Muon implements Optimizer {
  readonly kind = 'muon';
  /** Momentum buffer of each matrix (PyTorch's momentum_buffer). */
  readonly momentum: Buf[];
  private readonly update: Buf;
  private readonly work: NewtonSchulzWork;

  /** `adamw` steps every other parameter; its step count is this optimizer's. */
  constructor(
    readonly matrices: OptimizedParam[],
    readonly adamw: AdamW,
    readonly opts: MuonOptions,
    private readonly k: Kernels = kernels(),
  ) {
    for (const p of matrices) if (p.tensor.shape.length !== 2) throw new Error(`Muon: ${p.name} is not a matrix`);
    const dtype = matrices[0]?.tensor.dtype ?? 'f32';
    const make = (n: number) => (dtype === 'f64' ? new Float64Array(n) : new Float32Array(n));
    this.momentum = matrices.map((p) => make(p.tensor.size));
    const most = (f: (shape: readonly number[]) => number) => Math.max(0, ...matrices.map((p) => f(p.tensor.shape)));
    const size = most(([r, c]) => r * c);
    this.update = make(size);
    this.work = newtonSchulzWork(
      size,
      most(([r, c]) => Math.min(r, c)),
      dtype,
    );
  }

  get t(): number {
    return this.adamw.t;
  }

  set t(value: number) {
    this.adamw.t = value;
  }

  gradNorm(): number {
    let sum = this.adamw.gradNorm() ** 2;
    for (const p of this.matrices) if (p.tensor.grad) sum += this.k.sumSquares(p.tensor.grad, p.tensor.size);
    return Math.sqrt(sum);
  }

  step(lr: number, maxGradNorm = 0, norm = this.gradNorm()): number {
    this.adamw.step(lr, maxGradNorm, norm);
    const { momentum: beta, nesterov, weightDecay, nsSteps } = this.opts;
    const scale = clipScale(norm, maxGradNorm);
    const muonLr = (this.opts.lr * lr) / this.opts.baseLr;
    const k = this.k;
    this.matrices.forEach((p, i) => {
      const g = p.tensor.grad;
      if (!g) return;
      const [rows, cols] = p.tensor.shape;
      const n = rows * cols;
      const m = this.momentum[i];
      k.scale(m, beta, n);
      k.axpy(m, g, (1 - beta) * scale, n);
      const u = this.update;
      u.set(m);
      if (nesterov) {
        k.scale(u, beta, n);
        k.axpy(u, g, (1 - beta) * scale, n);
      }
      const o = newtonSchulz(k, u, rows, cols, nsSteps, this.work);
      if (weightDecay > 0) k.scale(p.tensor.data, 1 - muonLr * weightDecay, n);
      k.axpy(p.tensor.data, o, -muonLr * Math.sqrt(Math.max(1, cols / rows)), n);
    });
    return norm;
  }

  /** AdamW's moments of the other parameters, then momentum_buffer.<matrix>. */
  stateTensors(): NamedTensor[] {
    return [
      ...this.adamw.stateTensors(),
      ...this.matrices.map((p, i) => ({
        name: `momentum_buffer.${p.name}`,
        shape: p.tensor.shape,
        data: this.momentum[i],
      })),
    ];
  }
}
