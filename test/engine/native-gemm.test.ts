/**
 * The native SGEMM against the float64 reference on every instruction-set path the CPU
 * supports: all transpose combinations, odd sizes, alpha/beta, leading dimensions larger
 * than the width (padding holds NaN, which must never be read), and shapes large enough to
 * cross the cache blocks and use every thread.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { NativeAddon } from '../../src/engine/native/load.js';
import { referenceKernels as ref } from '../../src/engine/reference/kernels.js';
import { Rng } from '../../src/util/rng.js';
import { assertClose, forEachIsa, nativeSuite, U32 } from './native-support.js';

interface Case {
  ta: boolean;
  tb: boolean;
  M: number;
  N: number;
  K: number;
  alpha: number;
  beta: number;
  pad: number;
}

/** A stored rows x cols matrix with row stride cols + pad; the padding is NaN. */
function stored(rng: Rng, rows: number, cols: number, pad: number): { data: Float32Array; ld: number } {
  const ld = cols + pad;
  const data = new Float32Array(Math.max(1, rows * ld)).fill(NaN);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) data[r * ld + c] = rng.normal();
  return { data, ld };
}

/** Relative tolerance of a float32 dot product of length K (blocked, with FMAs). */
const gemmTol = (K: number) => U32 * (4 * Math.sqrt(K) + 8);

interface Prepared {
  c: Case;
  A: { data: Float32Array; ld: number };
  B: { data: Float32Array; ld: number };
  C0: Float32Array;
  ldc: number;
  expected: Float64Array;
  floor: Float64Array;
}

/** Random operands and the float64 oracle, shared by every ISA path. */
function prepare(rng: Rng, c: Case, exactFloor: boolean): Prepared {
  const { ta, tb, M, N, K, alpha, beta, pad } = c;
  const A = stored(rng, ta ? K : M, ta ? M : K, pad);
  const B = stored(rng, tb ? N : K, tb ? K : N, pad + 1);
  const ldc = N + pad;
  const C0 = new Float32Array(Math.max(1, M * ldc)).fill(-7); // padding sentinel
  for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) C0[i * ldc + j] = beta === 0 ? NaN : rng.normal();
  // NaN (padding, and C when beta = 0) as 0 for the oracle: it never reads them either
  const clean = (x: Float32Array) => Float64Array.from(x, (v) => (Number.isNaN(v) ? 0 : v));
  const cA = clean(A.data),
    cB = clean(B.data),
    cC = clean(C0);
  const expected = Float64Array.from(cC);
  ref.gemm(ta, tb, M, N, K, alpha, cA, A.ld, cB, B.ld, beta, expected, ldc);
  // magnitude of the summed terms, for the tolerance: |alpha| sum_k |a_ik b_kj| + |beta c_ij|,
  // or its Cauchy-Schwarz bound |alpha| |a_i| |b_j| + |beta c_ij| (cheaper) for large shapes
  const floor = Float64Array.from(cC, (v) => Math.abs(beta * v));
  if (exactFloor) {
    ref.gemm(ta, tb, M, N, K, Math.abs(alpha), cA.map(Math.abs), A.ld, cB.map(Math.abs), B.ld, 1, floor, ldc);
  } else {
    const at = (i: number, p: number) => (ta ? cA[p * A.ld + i] : cA[i * A.ld + p]);
    const bt = (p: number, j: number) => (tb ? cB[j * B.ld + p] : cB[p * B.ld + j]);
    const rowNorm = Array.from({ length: M }, (_, i) => Math.hypot(...Array.from({ length: K }, (_, p) => at(i, p))));
    const colNorm = Array.from({ length: N }, (_, j) => Math.hypot(...Array.from({ length: K }, (_, p) => bt(p, j))));
    for (let i = 0; i < M; i++)
      for (let j = 0; j < N; j++) floor[i * ldc + j] += Math.abs(alpha) * rowNorm[i] * colNorm[j];
  }
  return { c, A, B, C0, ldc, expected, floor };
}

function check(addon: NativeAddon, p: Prepared, label: string): void {
  const { ta, tb, M, N, K, alpha, beta } = p.c;
  const { ldc } = p;
  const C = Float32Array.from(p.C0);
  addon.gemm(ta, tb, M, N, K, alpha, p.A.data, p.A.ld, p.B.data, p.B.ld, beta, C, ldc);
  const got: number[] = [];
  const want: number[] = [];
  const mag: number[] = [];
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      got.push(C[i * ldc + j]);
      want.push(p.expected[i * ldc + j]);
      mag.push(p.floor[i * ldc + j]);
    }
    for (let j = N; j < ldc && i * ldc + j < C.length; j++) {
      assert.equal(C[i * ldc + j], p.C0[i * ldc + j], `${label}: padding C[${i}, ${j}] was written`);
    }
  }
  assertClose(got, want, gemmTol(K), label, mag);
}

function checkOnEveryIsa(addon: NativeAddon, p: Prepared, label: string): void {
  forEachIsa(addon, (isa) => check(addon, p, `${isa} ${label}`));
}

nativeSuite('native gemm', (addon) => {
  const sizes = [1, 3, 17, 65, 129];

  test('gemm: every transpose combination and odd size, on every ISA path', () => {
    const rng = new Rng('gemm/sizes');
    for (const ta of [false, true]) {
      for (const tb of [false, true]) {
        for (const M of sizes) {
          for (const N of sizes) {
            for (const K of sizes) {
              const p = prepare(rng, { ta, tb, M, N, K, alpha: 1, beta: 0, pad: 0 }, true);
              checkOnEveryIsa(addon, p, `ta=${ta} tb=${tb} M=${M} N=${N} K=${K}`);
            }
          }
        }
      }
    }
  });

  test('gemm: alpha, beta and leading dimensions larger than the width', () => {
    const rng = new Rng('gemm/alphabeta');
    for (const [alpha, beta] of [
      [1, 1],
      [-0.5, 0.3],
      [2.5, 0],
      [1, -1],
      [0.25, 2],
    ]) {
      for (const ta of [false, true]) {
        for (const tb of [false, true]) {
          const M = 1 + rng.int(70),
            N = 1 + rng.int(70),
            K = 1 + rng.int(140),
            pad = 1 + rng.int(5);
          const p = prepare(rng, { ta, tb, M, N, K, alpha, beta, pad }, true);
          checkOnEveryIsa(addon, p, `alpha=${alpha} beta=${beta} ta=${ta} tb=${tb} M=${M} N=${N} K=${K} pad=${pad}`);
        }
      }
    }
  });

  test('gemm: shapes that cross the cache blocks (K > KC, N > NC), few-row shapes, all threaded', () => {
    const rng = new Rng('gemm/large');
    const shapes: [number, number, number][] = [
      [200, 150, 530],
      [20, 4200, 9],
      [40, 70, 1100],
      [1030, 31, 70],
      [3, 5000, 70],
      [1, 700, 600],
    ];
    for (const [M, N, K] of shapes) {
      for (const [ta, tb] of [
        [false, false],
        [false, true],
        [true, false],
        [true, true],
      ]) {
        const p = prepare(rng, { ta, tb, M, N, K, alpha: 1, beta: 1, pad: 3 }, false);
        checkOnEveryIsa(addon, p, `M=${M} N=${N} K=${K} ta=${ta} tb=${tb}`);
      }
    }
  });

  test('gemm: K = 0 or alpha = 0 scales C by beta; beta = 0 ignores NaN in C; empty shapes are no-ops', () => {
    const C = Float32Array.from([1, 2, NaN, 4]);
    addon.gemm(false, false, 2, 2, 0, 1, new Float32Array(0), 0, new Float32Array(0), 2, 0.5, C, 2);
    assert.deepEqual([...C.slice(0, 2)], [0.5, 1]);
    assert.ok(Number.isNaN(C[2]));
    const D = Float32Array.from([NaN, NaN, NaN, NaN]);
    addon.gemm(false, false, 2, 2, 3, 0, new Float32Array(6), 3, new Float32Array(6), 2, 0, D, 2);
    assert.deepEqual([...D], [0, 0, 0, 0]);
    const E = Float32Array.from([NaN, NaN]);
    addon.gemm(false, false, 1, 2, 1, 1, Float32Array.from([2]), 1, Float32Array.from([3, 4]), 2, 0, E, 2);
    assert.deepEqual([...E], [6, 8]);
    addon.gemm(false, false, 0, 5, 5, 1, new Float32Array(0), 5, new Float32Array(25), 5, 1, new Float32Array(0), 5);
  });
});
