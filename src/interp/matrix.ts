/**
 * The little linear algebra the interpretability measures need, over flat row-major
 * buffers: column centring, AᵀB on the engine's GEMM, and a Cholesky solve for the
 * probes' normal equations.
 */
import { kernels } from '../engine/backend.js';

/** Columns of x [n, d] minus their means, as a new float32 buffer. */
export function centerColumns(x: ArrayLike<number>, n: number, d: number): Float32Array {
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += x[i * d + j];
  for (let j = 0; j < d; j++) mean[j] /= n;
  const out = new Float32Array(n * d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) out[i * d + j] = x[i * d + j] - mean[j];
  return out;
}

/** AᵀB for A [n, da] and B [n, db] -> [da, db]. */
export function crossProduct(a: Float32Array, b: Float32Array, n: number, da: number, db: number): Float32Array {
  const out = new Float32Array(da * db);
  kernels().gemm(true, false, da, db, n, 1, a, da, b, db, 0, out, db);
  return out;
}

/** Squared Frobenius norm, accumulated in double. */
export function frobeniusSq(m: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < m.length; i++) s += m[i] * m[i];
  return s;
}

/**
 * Solves (A) X = B in place for a symmetric positive definite A [d, d] (float64) and
 * B [d, k]; returns X. Throws when A is not positive definite.
 */
export function choleskySolve(a: Float64Array, b: Float64Array, d: number, k: number): Float64Array {
  const l = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * d + j];
      for (let p = 0; p < j; p++) s -= l[i * d + p] * l[j * d + p];
      if (i === j) {
        if (!(s > 0)) throw new Error(`choleskySolve: matrix not positive definite at ${i}`);
        l[i * d + i] = Math.sqrt(s);
      } else {
        l[i * d + j] = s / l[j * d + j];
      }
    }
  }
  const x = Float64Array.from(b);
  // Forward (L y = b), then backward (Lᵀ x = y), column by column of b.
  for (let c = 0; c < k; c++) {
    for (let i = 0; i < d; i++) {
      let s = x[i * k + c];
      for (let p = 0; p < i; p++) s -= l[i * d + p] * x[p * k + c];
      x[i * k + c] = s / l[i * d + i];
    }
    for (let i = d - 1; i >= 0; i--) {
      let s = x[i * k + c];
      for (let p = i + 1; p < d; p++) s -= l[p * d + i] * x[p * k + c];
      x[i * k + c] = s / l[i * d + i];
    }
  }
  return x;
}
