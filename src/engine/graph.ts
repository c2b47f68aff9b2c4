/**
 * Reverse-mode autograd over coarse, fused ops. A Graph records one forward pass: each op
 * computes its output with a kernel and, when gradients are wanted, pushes a closure that
 * runs the matching backward kernel. `backward(loss)` runs the closures in reverse order.
 *
 * Buffers: activations, saved statistics and activation gradients come from a BufferPool
 * and go back to it (gradients as soon as their producer's backward has run, everything
 * else at `release()`). Tensors returned by a Graph must not be used after release().
 */
import { BufferPool } from './buffer-pool.js';
import type { Buf, Kernels } from './kernels.js';
import { precisionUnavailable, type Precision } from './precision.js';
import { Tensor, type DType } from './tensor.js';

export interface GraphOptions {
  /** Record backward closures (training) or not (inference). */
  grad: boolean;
  dtype?: DType;
  pool?: BufferPool;
  /**
   * Arithmetic of the matrix products (linear layers, attention): fp32 (default) or bf16
   * operands with float32 accumulation. Everything else stays in dtype.
   */
  precision?: Precision;
}

/** Weight layout of a linear layer: HF Conv1D stores [in, out]; nn.Linear (and a tied
 * unembedding, which is the embedding matrix) stores [out, in]. */
export type WeightLayout = 'in_out' | 'out_in';

export class Graph {
  readonly grad: boolean;
  readonly dtype: DType;
  private readonly pool: BufferPool;
  private readonly backwards: (() => void)[] = [];
  private readonly activations = new Set<Tensor>();
  private readonly scratch: Buf[] = [];
  /** The kernels of the products, in the graph's precision. */
  private readonly mm: Pick<Required<Kernels>, 'gemm' | 'attentionForward' | 'attentionBackward'>;

  constructor(
    readonly k: Kernels,
    opts: GraphOptions,
  ) {
    this.grad = opts.grad;
    this.dtype = opts.dtype ?? 'f32';
    this.pool = opts.pool ?? new BufferPool();
    const precision = opts.precision ?? 'fp32';
    const why = precisionUnavailable(precision, k);
    if (why) throw new Error(`precision ${precision}: ${why}`);
    this.mm =
      precision === 'bf16'
        ? {
            gemm: k.gemmBf16!.bind(k),
            attentionForward: k.attentionForwardBf16!.bind(k),
            attentionBackward: k.attentionBackwardBf16!.bind(k),
          }
        : {
            gemm: k.gemm.bind(k),
            attentionForward: k.attentionForward.bind(k),
            attentionBackward: k.attentionBackward.bind(k),
          };
  }

  // ---- ops --------------------------------------------------------------------------

  /** Token (+ position) embedding: ids [B*T] -> [B*T, C]. */
  embedding(ids: Int32Array, wte: Tensor, wpe: Tensor | null, B: number, T: number): Tensor {
    const C = wte.shape[1];
    const BT = B * T;
    if (ids.length !== BT) throw new Error(`embedding: ${ids.length} ids for B*T = ${BT}`);
    const out = this.activation([BT, C], [wte, ...(wpe ? [wpe] : [])]);
    this.k.embeddingForward(out.data, ids, wte.data, wpe ? wpe.data : null, BT, T, C);
    this.onBackward(out, (dout) => {
      this.k.embeddingBackward(this.gradOf(wte), wpe ? this.gradOf(wpe) : null, dout, ids, BT, T, C);
    });
    return out;
  }

  /** x [N, I] times a weight (see WeightLayout) plus an optional bias [O] -> [N, O]. */
  linear(x: Tensor, w: Tensor, b: Tensor | null, layout: WeightLayout = 'in_out'): Tensor {
    const [N, I] = x.shape;
    const O = layout === 'in_out' ? w.shape[1] : w.shape[0];
    const wIn = layout === 'in_out' ? w.shape[0] : w.shape[1];
    if (wIn !== I) throw new Error(`linear: input has ${I} features, weight [${w.shape}] (${layout}) expects ${wIn}`);
    const out = this.activation([N, O], b ? [x, w, b] : [x, w]);
    const { gemm } = this.mm;
    if (layout === 'in_out') gemm(false, false, N, O, I, 1, x.data, I, w.data, O, 0, out.data, O);
    else gemm(false, true, N, O, I, 1, x.data, I, w.data, I, 0, out.data, O);
    if (b) this.k.addBias(out.data, b.data, N, O);
    this.onBackward(out, (dy) => {
      if (x.requiresGrad) {
        const { grad: dx, beta } = this.gradToWrite(x);
        if (layout === 'in_out') gemm(false, true, N, I, O, 1, dy, O, w.data, O, beta, dx, I);
        else gemm(false, false, N, I, O, 1, dy, O, w.data, I, beta, dx, I);
      }
      if (w.requiresGrad) {
        const dw = this.gradOf(w);
        if (layout === 'in_out') gemm(true, false, I, O, N, 1, x.data, I, dy, O, 1, dw, O);
        else gemm(true, false, O, I, N, 1, dy, O, x.data, I, 1, dw, I);
      }
      if (b && b.requiresGrad) this.k.biasBackward(this.gradOf(b), dy, N, O);
    });
    return out;
  }

  /** LayerNorm over the last axis. */
  layerNorm(x: Tensor, w: Tensor, b: Tensor, eps = 1e-5): Tensor {
    const [N, C] = x.shape;
    const out = this.activation([N, C], [x, w, b]);
    const mean = this.scratchBuffer(N);
    const rstd = this.scratchBuffer(N);
    this.k.layerNormForward(out.data, mean, rstd, x.data, w.data, b.data, N, C, eps);
    this.onBackward(out, (dout) => {
      this.k.layerNormBackward(this.gradOf(x), this.gradOf(w), this.gradOf(b), dout, x.data, w.data, mean, rstd, N, C);
    });
    return out;
  }

  /**
   * Causal multi-head self-attention from packed qkv [B*T, 3C] -> [B*T, C]. `onPattern`
   * sees the attention probabilities [B, H, T, T] (valid until release()).
   */
  attention(qkv: Tensor, B: number, T: number, H: number, onPattern?: (att: Buf) => void): Tensor {
    const C = qkv.shape[1] / 3;
    const out = this.activation([B * T, C], [qkv]);
    const att = this.scratchBuffer(B * H * T * T);
    this.mm.attentionForward(out.data, att, qkv.data, B, T, C, H);
    onPattern?.(att);
    this.onBackward(out, (dout) => {
      this.mm.attentionBackward(this.gradOf(qkv), dout, qkv.data, att, B, T, C, H);
    });
    return out;
  }

  /**
   * Causal attention of Tn new tokens (one sequence, positions start..start+Tn-1) over the
   * cached keys/values of positions < start plus their own: inference only (generation with
   * a KV cache). keys/values [capacity, C] receive the new tokens' k and v.
   */
  attentionCached(qkv: Tensor, keys: Buf, values: Buf, start: number, H: number): Tensor {
    if (this.grad) throw new Error('attentionCached is for inference; record without gradients');
    const Tn = qkv.shape[0];
    const C = qkv.shape[1] / 3;
    const hs = C / H;
    const scale = 1 / Math.sqrt(hs);
    const q = qkv.data;
    for (let t = 0; t < Tn; t++) {
      keys.set(q.subarray(t * 3 * C + C, t * 3 * C + 2 * C), (start + t) * C);
      values.set(q.subarray(t * 3 * C + 2 * C, t * 3 * C + 3 * C), (start + t) * C);
    }
    const out = this.activation([Tn, C], [qkv]);
    const scores = new Float64Array(start + Tn);
    for (let t = 0; t < Tn; t++) {
      const pos = start + t;
      for (let h = 0; h < H; h++) {
        const qo = t * 3 * C + h * hs;
        let max = -Infinity;
        for (let u = 0; u <= pos; u++) {
          let dot = 0;
          for (let i = 0; i < hs; i++) dot += q[qo + i] * keys[u * C + h * hs + i];
          scores[u] = dot * scale;
          if (scores[u] > max) max = scores[u];
        }
        let sum = 0;
        for (let u = 0; u <= pos; u++) sum += scores[u] = Math.exp(scores[u] - max);
        const o = t * C + h * hs;
        for (let i = 0; i < hs; i++) out.data[o + i] = 0;
        for (let u = 0; u <= pos; u++) {
          const p = scores[u] / sum;
          for (let i = 0; i < hs; i++) out.data[o + i] += p * values[u * C + h * hs + i];
        }
      }
    }
    return out;
  }

  gelu(x: Tensor): Tensor {
    const out = this.activation(x.shape, [x]);
    this.k.geluForward(out.data, x.data, x.size);
    this.onBackward(out, (dout) => this.k.geluBackward(this.gradOf(x), x.data, dout, x.size));
    return out;
  }

  relu(x: Tensor): Tensor {
    const out = this.activation(x.shape, [x]);
    this.k.reluForward(out.data, x.data, x.size);
    this.onBackward(out, (dout) => this.k.reluBackward(this.gradOf(x), x.data, dout, x.size));
    return out;
  }

  /**
   * Rows of x [N, C] picked by index -> [rows.length, C] (a pure copy; backward adds each
   * row's gradient back into its source row). Used to carry only the positions a loss reads
   * through the rest of the network.
   */
  gatherRows(x: Tensor, rows: Int32Array): Tensor {
    const [N, C] = x.shape;
    for (let r = 0; r < rows.length; r++) {
      if (!(rows[r] >= 0 && rows[r] < N)) throw new Error(`gatherRows: row ${rows[r]} at ${r} outside [0, ${N})`);
    }
    const out = this.activation([rows.length, C], [x]);
    for (let r = 0; r < rows.length; r++) out.data.set(x.data.subarray(rows[r] * C, rows[r] * C + C), r * C);
    this.onBackward(out, (dout) => {
      const dx = this.gradOf(x);
      // A plain loop: one kernel call per row would cost more than the adds themselves.
      for (let r = 0; r < rows.length; r++) {
        const src = r * C;
        const dst = rows[r] * C;
        for (let c = 0; c < C; c++) dx[dst + c] += dout[src + c];
      }
    });
    return out;
  }

  /** Elementwise a + b (the residual stream). */
  add(a: Tensor, b: Tensor): Tensor {
    if (a.size !== b.size) throw new Error(`add: sizes ${a.size} and ${b.size} differ`);
    const out = this.activation(a.shape, [a, b]);
    this.k.add(out.data, a.data, b.data, a.size);
    this.onBackward(out, (dout) => {
      this.passGrad(a, dout, out);
      this.passGrad(b, dout, out);
    });
    return out;
  }

  /**
   * Mean softmax cross-entropy of logits [N, V] against targets [N], skipping rows whose
   * target is ignoreIndex. Returns the scalar loss and each row's loss (minus the
   * log-probability of its target; 0 for ignored rows), which stays valid until release().
   */
  crossEntropy(logits: Tensor, targets: Int32Array, ignoreIndex = -1): { loss: Tensor; rowLosses: Buf; count: number } {
    const [N, V] = logits.shape;
    if (targets.length !== N) throw new Error(`crossEntropy: ${targets.length} targets for ${N} rows`);
    const rowLosses = this.scratchBuffer(N);
    const lse = this.scratchBuffer(N);
    this.k.crossEntropyForward(rowLosses, lse, logits.data, targets, N, V, ignoreIndex);
    let count = 0;
    let sum = 0;
    for (let n = 0; n < N; n++) {
      if (targets[n] === ignoreIndex) continue;
      count++;
      sum += rowLosses[n];
    }
    const loss = this.activation([1], [logits]);
    loss.data[0] = count > 0 ? sum / count : 0;
    this.onBackward(loss, (dloss) => {
      if (count === 0) return;
      const dlosses = this.scratchBuffer(N);
      dlosses.fill(dloss[0] / count);
      this.k.crossEntropyBackward(this.gradOf(logits), logits.data, lse, targets, dlosses, N, V, ignoreIndex);
    });
    return { loss, rowLosses, count };
  }

  // ---- backward and lifetime ---------------------------------------------------------

  /**
   * Runs every recorded backward closure in reverse. A scalar output is seeded with
   * d(out)/d(out) = 1; any other output needs `seed`, the gradient of some objective with
   * respect to it (gradient checks use this).
   */
  backward(output: Tensor, seed?: Buf): void {
    if (!this.grad) throw new Error('backward() on a graph recorded without gradients');
    if (seed) {
      if (seed.length !== output.size) throw new Error(`backward(): seed has ${seed.length} values for ${output.size}`);
      this.gradOf(output).set(seed);
    } else {
      if (output.size !== 1) throw new Error(`backward() needs a scalar output or a seed, got shape [${output.shape}]`);
      this.gradOf(output)[0] = 1;
    }
    for (let i = this.backwards.length - 1; i >= 0; i--) this.backwards[i]();
    this.backwards.length = 0;
  }

  /** Returns every buffer this graph took to the pool. Its tensors are dead afterwards. */
  release(): void {
    for (const t of this.activations) {
      this.pool.give(t.data);
      if (t.grad) this.pool.give(t.grad);
      t.grad = null;
    }
    for (const b of this.scratch) this.pool.give(b);
    this.activations.clear();
    this.scratch.length = 0;
    this.backwards.length = 0;
  }

  // ---- helpers -----------------------------------------------------------------------

  private activation(shape: readonly number[], parents: Tensor[]): Tensor {
    const n = shape.reduce((a, b) => a * b, 1);
    const requiresGrad = this.grad && parents.some((p) => p.requiresGrad);
    const t = new Tensor(this.pool.take(n, this.dtype), shape, requiresGrad);
    this.activations.add(t);
    return t;
  }

  private scratchBuffer(n: number): Buf {
    const b = this.pool.take(n, this.dtype);
    this.scratch.push(b);
    return b;
  }

  /** Records `fn(out.grad)` when out needs a gradient; frees out.grad once it has run. */
  private onBackward(out: Tensor, fn: (dout: Buf) => void): void {
    if (!out.requiresGrad) return;
    this.backwards.push(() => {
      if (!out.grad) return; // nothing downstream used this output
      fn(out.grad);
      if (this.activations.has(out) && out.grad) {
        this.pool.give(out.grad);
        out.grad = null;
      }
    });
  }

  /**
   * t's gradient for a kernel that writes every element with a beta (C = ... + beta C): an
   * activation without a gradient yet gets a pooled buffer as it is, with beta 0, so it is
   * not zero-filled only to be overwritten; otherwise the gradient so far, with beta 1.
   */
  private gradToWrite(t: Tensor): { grad: Buf; beta: 0 | 1 } {
    if (!t.grad && this.activations.has(t)) {
      t.grad = this.pool.take(t.size, this.dtype);
      return { grad: t.grad, beta: 0 };
    }
    return { grad: this.gradOf(t), beta: 1 };
  }

  /** The gradient buffer of t: a parameter's own, or a pooled zeroed one for activations. */
  private gradOf(t: Tensor): Buf {
    if (t.grad) return t.grad;
    if (this.activations.has(t)) {
      t.grad = this.pool.takeZeroed(t.size, this.dtype);
      return t.grad;
    }
    return t.gradBuffer();
  }

  /**
   * Adds g (the gradient of `from`) into t's gradient. When t is an activation without a
   * gradient yet, it takes over g's buffer instead of copying: `from`'s backward is done.
   */
  private passGrad(t: Tensor, g: Buf, from: Tensor): void {
    if (!t.requiresGrad) return;
    if (!t.grad && this.activations.has(t) && from.grad === g) {
      t.grad = g;
      from.grad = null;
      return;
    }
    this.k.axpy(this.gradOf(t), g, 1, t.size);
  }
}
