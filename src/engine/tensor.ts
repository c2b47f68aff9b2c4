/**
 * A tensor is a flat row-major buffer with a shape and, when it takes part in backward, a
 * gradient buffer of the same size. Parameters keep their tensors across steps; activations
 * live for one forward/backward and their buffers return to a pool.
 */
import type { Buf } from './kernels.js';

export type DType = 'f32' | 'f64';

export class Tensor {
  /** Gradient, allocated on first use; backward kernels accumulate into it. */
  grad: Buf | null = null;

  constructor(
    readonly data: Buf,
    readonly shape: readonly number[],
    /** True for parameters and for anything computed from them while recording. */
    readonly requiresGrad = false,
  ) {
    const n = shape.reduce((a, b) => a * b, 1);
    if (n !== data.length) throw new Error(`tensor of shape [${shape}] needs ${n} elements, got ${data.length}`);
  }

  get size(): number {
    return this.data.length;
  }

  get dtype(): DType {
    return this.data instanceof Float64Array ? 'f64' : 'f32';
  }

  static zeros(shape: readonly number[], dtype: DType = 'f32', requiresGrad = false): Tensor {
    const n = shape.reduce((a, b) => a * b, 1);
    return new Tensor(dtype === 'f64' ? new Float64Array(n) : new Float32Array(n), shape, requiresGrad);
  }

  /** The gradient buffer, allocated zeroed if absent. */
  gradBuffer(): Buf {
    if (!this.grad) this.grad = this.dtype === 'f64' ? new Float64Array(this.size) : new Float32Array(this.size);
    return this.grad;
  }
}
