/**
 * Reuses activation and gradient buffers between steps. A training step allocates the same
 * sizes every time; handing them back avoids tens of megabytes of garbage and page faults
 * per step. Buffers are keyed by (dtype, length).
 */
import type { Buf } from './kernels.js';
import type { DType } from './tensor.js';

export class BufferPool {
  private free = new Map<string, Buf[]>();

  /** A buffer of n elements with unspecified content (the caller overwrites all of it). */
  take(n: number, dtype: DType): Buf {
    const list = this.free.get(key(n, dtype));
    const reused = list?.pop();
    if (reused) return reused;
    return dtype === 'f64' ? new Float64Array(n) : new Float32Array(n);
  }

  /** A zero-filled buffer of n elements. */
  takeZeroed(n: number, dtype: DType): Buf {
    const buf = this.take(n, dtype);
    buf.fill(0);
    return buf;
  }

  give(buf: Buf): void {
    const k = key(buf.length, buf instanceof Float64Array ? 'f64' : 'f32');
    let list = this.free.get(k);
    if (!list) this.free.set(k, (list = []));
    list.push(buf);
  }

  /** Drop every pooled buffer (e.g. after a shape change). */
  clear(): void {
    this.free.clear();
  }
}

function key(n: number, dtype: DType): string {
  return `${dtype}:${n}`;
}
