/**
 * Linear centred kernel alignment (Kornblith et al. 2019) between two representations of
 * the same n inputs, X [n, dx] and Y [n, dy]:
 *
 *   CKA(X, Y) = ||Yᵀ X||²_F / (||Xᵀ X||_F ||Yᵀ Y||_F)     (columns centred first)
 *
 * It is 1 for identical representations, invariant to orthogonal transforms and isotropic
 * scaling of either side, and 0 for representations whose centred features are orthogonal.
 */
import { centerColumns, crossProduct, frobeniusSq } from './matrix.js';

/** A representation prepared for CKA: centred, with its self-similarity norm. */
export interface CkaSide {
  x: Float32Array;
  n: number;
  d: number;
  /** ||Xᵀ X||_F */
  selfNorm: number;
}

export function ckaSide(x: ArrayLike<number>, n: number, d: number): CkaSide {
  const c = centerColumns(x, n, d);
  return { x: c, n, d, selfNorm: Math.sqrt(frobeniusSq(crossProduct(c, c, n, d, d))) };
}

export function linearCka(a: CkaSide, b: CkaSide): number {
  if (a.n !== b.n) throw new Error(`linearCka: ${a.n} rows against ${b.n}`);
  if (a.selfNorm === 0 || b.selfNorm === 0) return 0;
  return frobeniusSq(crossProduct(a.x, b.x, a.n, a.d, b.d)) / (a.selfNorm * b.selfNorm);
}
