/**
 * AdamW with decoupled weight decay (Loshchilov & Hutter 2019) and global-norm gradient
 * clipping. Weight decay is on or off per parameter (matrices decay; biases, norms do not).
 * The moments live in buffers the checkpoint saves, so a resumed run continues exactly.
 */
import { kernels } from '../engine/backend.js';
import type { Buf, Kernels } from '../engine/kernels.js';
import type { Tensor } from '../engine/tensor.js';
import type { NamedTensor } from '../model/safetensors.js';
import type { Optimizer } from './optimizer.js';

export interface AdamWOptions {
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
}

export interface OptimizedParam {
  name: string;
  tensor: Tensor;
  decay: boolean;
}

/** The factor that brings gradients of global norm `norm` down to at most maxGradNorm (0: no clipping). */
export function clipScale(norm: number, maxGradNorm: number): number {
  return maxGradNorm > 0 && norm > maxGradNorm ? maxGradNorm / (norm + 1e-6) : 1;
}

export class AdamW implements Optimizer {
  readonly kind = 'adamw';
  /** Optimizer steps taken (the t of the bias corrections). */
  t = 0;
  readonly m: Buf[];
  readonly v: Buf[];

  constructor(
    readonly params: OptimizedParam[],
    readonly opts: AdamWOptions,
    private readonly k: Kernels = kernels(),
  ) {
    const zeros = (t: Tensor) => (t.dtype === 'f64' ? new Float64Array(t.size) : new Float32Array(t.size));
    this.m = params.map((p) => zeros(p.tensor));
    this.v = params.map((p) => zeros(p.tensor));
  }

  /** Global L2 norm of all gradients (missing gradients count as zero). */
  gradNorm(): number {
    let sum = 0;
    for (const p of this.params) if (p.tensor.grad) sum += this.k.sumSquares(p.tensor.grad, p.tensor.size);
    return Math.sqrt(sum);
  }

  /**
   * One update at learning rate lr. With maxGradNorm > 0, gradients are scaled so that their
   * global norm is at most maxGradNorm. Returns the norm before clipping. A caller that
   * has already computed gradNorm() (to check it is finite first) passes it as `norm`.
   */
  step(lr: number, maxGradNorm = 0, norm = this.gradNorm()): number {
    const scale = clipScale(norm, maxGradNorm);
    this.t += 1;
    const { beta1, beta2, eps, weightDecay } = this.opts;
    const bc1 = 1 - beta1 ** this.t;
    const bc2 = 1 - beta2 ** this.t;
    this.params.forEach((p, i) => {
      if (!p.tensor.grad) return;
      const wd = p.decay ? weightDecay : 0;
      this.k.adamw(
        p.tensor.data,
        p.tensor.grad,
        this.m[i],
        this.v[i],
        p.tensor.size,
        lr,
        beta1,
        beta2,
        eps,
        wd,
        bc1,
        bc2,
        scale,
      );
    });
    return norm;
  }

  /** The moments as PyTorch's AdamW names them: exp_avg.<param>, then exp_avg_sq.<param>. */
  stateTensors(): NamedTensor[] {
    return [
      ...this.params.map((p, i) => ({ name: `exp_avg.${p.name}`, shape: p.tensor.shape, data: this.m[i] })),
      ...this.params.map((p, i) => ({ name: `exp_avg_sq.${p.name}`, shape: p.tensor.shape, data: this.v[i] })),
    ];
  }
}
