/**
 * The bf16 kernels (AVX512_BF16) against a float64 oracle computed from the same
 * bf16-rounded operands (rounded by src/engine/bf16.ts, independent of the native
 * conversion). Products of two bf16 values are exact in float32, so the GEMM's only error
 * is the float32 accumulation: the tolerance is the float32 GEMM's, U32 (4 sqrt(K) + 8)
 * relative to sum_k |a_ik b_kj|. Attention also rounds what it computes on the way (the
 * probabilities P before P V, dS before dS K and dS^T Q), which the oracle, fed the rounded
 * inputs only, does not: its out is held to 2^-8 of sum_u P_u |v_u| (each P_u off by at
 * most 2^-9 relative), and its gradients to 2^-6 of their root mean square (dS off by 2^-9
 * relative, computed from the unrounded P). Where the CPU lacks AVX512_BF16 the tests check
 * the refusal instead.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { roundArrayToBf16, roundToBf16 } from '../../src/engine/bf16.js';
import type { NativeAddon } from '../../src/engine/native/load.js';
import { referenceKernels as ref } from '../../src/engine/reference/kernels.js';
import { Rng } from '../../src/util/rng.js';
import { assertClose, assertIdentical, nativeSuite, randomF32, U32, withThreads } from './native-support.js';

const gemmTol = (K: number) => U32 * (4 * Math.sqrt(K) + 8);

/** C = alpha op(A) op(B) + beta C0 by the bf16 kernel and by the float64 oracle, compared. */
function checkGemm(
  addon: NativeAddon,
  rng: Rng,
  ta: boolean,
  tb: boolean,
  M: number,
  N: number,
  K: number,
  alpha = 1,
  beta = 0,
  pad = 0,
): void {
  const label = `gemmBf16 ta=${ta} tb=${tb} M=${M} N=${N} K=${K} alpha=${alpha} beta=${beta} pad=${pad}`;
  const [ar, ac] = ta ? [K, M] : [M, K];
  const [br, bc] = tb ? [N, K] : [K, N];
  const lda = ac + pad,
    ldb = bc + pad + 1,
    ldc = N + pad;
  const stored = (rows: number, cols: number, ld: number) => {
    const x = new Float32Array(Math.max(1, rows * ld)).fill(NaN); // padding is NaN: never read
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) x[r * ld + c] = rng.normal();
    return x;
  };
  const A = stored(ar, ac, lda),
    B = stored(br, bc, ldb),
    C0 = stored(M, N, ldc);
  const clean = (x: Float32Array) => roundArrayToBf16(x).map((v) => (Number.isNaN(v) ? 0 : v));
  const a64 = clean(A),
    b64 = clean(B);
  const c64 = Float64Array.from(C0, (v) => (Number.isNaN(v) ? 0 : v));
  const expected = Float64Array.from(c64);
  ref.gemm(ta, tb, M, N, K, alpha, a64, lda, b64, ldb, beta, expected, ldc);
  const floor = Float64Array.from(c64, (v) => Math.abs(beta * v));
  ref.gemm(ta, tb, M, N, K, Math.abs(alpha), a64.map(Math.abs), lda, b64.map(Math.abs), ldb, 1, floor, ldc);
  const C = Float32Array.from(C0);
  addon.gemmBf16(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
  const pick = (x: ArrayLike<number>) => Array.from({ length: M * N }, (_, i) => x[Math.floor(i / N) * ldc + (i % N)]);
  assertClose(pick(C), pick(expected), gemmTol(K), label, pick(floor));
  for (let i = 0; i < M; i++) {
    for (let j = N; j < ldc && i * ldc + j < C.length; j++)
      assert.ok(Number.isNaN(C[i * ldc + j]), `${label}: padding written`);
  }
}

nativeSuite('native bf16 kernels', (addon) => {
  const why = addon.bf16Unavailable();
  if (why !== null) {
    test('bf16 is refused with the reason on this CPU', () => {
      assert.throws(
        () =>
          addon.gemmBf16(
            false,
            false,
            1,
            1,
            1,
            1,
            new Float32Array(1),
            1,
            new Float32Array(1),
            1,
            0,
            new Float32Array(1),
            1,
          ),
        new RegExp(why.replace(/[()]/g, '.')),
      );
    });
    return;
  }

  test('roundToBf16: nearest even, subnormals to zero, NaN and infinities kept', () => {
    assert.equal(roundToBf16(1 + 2 ** -8), 1); // halfway: ties to the even 1
    assert.equal(roundToBf16(1 + 3 * 2 ** -8), 1 + 2 ** -6); // halfway: ties to the even 1 + 2^-6
    assert.equal(roundToBf16(1 + 2 ** -8 + 2 ** -20), 1 + 2 ** -7); // above halfway: up
    assert.equal(roundToBf16(-3.0000001), -3);
    assert.equal(roundToBf16(2 ** -130), 0);
    assert.ok(Object.is(roundToBf16(-(2 ** -130)), -0));
    assert.ok(Number.isNaN(roundToBf16(NaN)));
    assert.equal(roundToBf16(Infinity), Infinity);
    assert.equal(roundToBf16(3.4e38), Infinity); // rounds past the largest bf16
  });

  test('gemmBf16: every transpose combination and odd size', () => {
    const rng = new Rng('bf16/sizes');
    const sizes = [1, 2, 3, 17, 33, 65];
    for (const ta of [false, true]) {
      for (const tb of [false, true]) {
        for (const M of sizes) for (const N of sizes) for (const K of sizes) checkGemm(addon, rng, ta, tb, M, N, K);
      }
    }
  });

  test('gemmBf16: alpha, beta, padded leading dimensions, and shapes past the cache blocks, 1 and 2 threads', () => {
    const rng = new Rng('bf16/large');
    for (const [alpha, beta] of [
      [1, 1],
      [-0.5, 0.3],
      [2.5, 0],
    ]) {
      for (const [ta, tb] of [
        [false, false],
        [false, true],
        [true, false],
        [true, true],
      ]) {
        checkGemm(addon, rng, ta, tb, 1 + rng.int(70), 1 + rng.int(70), 1 + rng.int(140), alpha, beta, 1 + rng.int(5));
      }
    }
    const shapes: [number, number, number][] = [
      [200, 150, 1031],
      [20, 4200, 9],
      [130, 70, 2100],
      [4, 33, 129],
      [1, 40, 7],
    ];
    for (const threads of [1, 2]) {
      withThreads(addon, threads, () => {
        for (const [M, N, K] of shapes) {
          for (const [ta, tb] of [
            [false, false],
            [false, true],
            [true, false],
          ])
            checkGemm(addon, rng, ta, tb, M, N, K, 1, 1, 3);
        }
      });
    }
  });

  test('gemmBf16 rounds its operands: a value below half a bf16 ulp above 1 is lost, one above half is kept', () => {
    const C = new Float32Array(2);
    addon.gemmBf16(
      false,
      false,
      1,
      2,
      1,
      1,
      Float32Array.from([1 + 2 ** -9]),
      1,
      Float32Array.from([1, 1 + 2 ** -7 + 2 ** -9]),
      2,
      0,
      C,
      2,
    );
    assert.deepEqual([...C], [1, 1 + 2 ** -7]);
  });

  test('attention in bf16 against the float64 attention of the rounded operands', () => {
    const rng = new Rng('bf16/attention');
    const shapes = [
      [1, 1, 8, 2],
      [2, 3, 12, 3],
      [1, 17, 64, 2],
      [1, 65, 128, 2],
      [1, 129, 96, 3],
      [2, 33, 40, 5],
      [2, 64, 128, 4],
    ];
    for (const [B, T, C, H] of shapes) {
      const label = `B=${B} T=${T} C=${C} H=${H}`;
      const qkv = randomF32(rng, B * T * 3 * C);
      const o64 = new Float64Array(B * T * C),
        a64 = new Float64Array(B * H * T * T);
      ref.attentionForward(o64, a64, roundArrayToBf16(qkv), B, T, C, H);
      const out = new Float32Array(B * T * C),
        att = new Float32Array(B * H * T * T).fill(NaN);
      addon.attentionForwardBf16(out, att, qkv, B, T, C, H);
      assertClose(att, a64, U32 * (4 * Math.sqrt(C / H) + 8) * 16, `attention att ${label}`);
      const absV = roundArrayToBf16(qkv).map((x, i) => (i % (3 * C) >= 2 * C ? Math.abs(x) : x));
      const floor = new Float64Array(B * T * C);
      ref.attentionForward(floor, new Float64Array(B * H * T * T), absV, B, T, C, H); // sum_u P_u |v_u|
      assertClose(out, o64, 2 ** -8, `attention out ${label}`, floor);
      const dout = randomF32(rng, B * T * C),
        dqkv = randomF32(rng, B * T * 3 * C);
      const d64 = Float64Array.from(dqkv);
      ref.attentionBackward(d64, roundArrayToBf16(dout), roundArrayToBf16(qkv), roundArrayToBf16(att), B, T, C, H);
      const g = Float32Array.from(dqkv);
      addon.attentionBackwardBf16(g, dout, qkv, att, B, T, C, H);
      assertClose(g, d64, 2 ** -6, `attention dqkv ${label}`);
    }
  });

  test('bf16 kernels are bit-identical run after run and with 1 or 2 threads', () => {
    const rng = new Rng('bf16/determinism');
    const [M, N, K] = [300, 260, 1100];
    const A = randomF32(rng, M * K),
      Bm = randomF32(rng, K * N);
    const [Bt, T, C, H] = [4, 64, 128, 4];
    const qkv = randomF32(rng, Bt * T * 3 * C),
      dout = randomF32(rng, Bt * T * C);
    const runAll = () => {
      const outs: Float32Array[] = [];
      for (const [ta, tb] of [
        [false, false],
        [false, true],
        [true, false],
      ]) {
        const c = new Float32Array(M * N);
        addon.gemmBf16(ta, tb, M, N, K, 1, A, ta ? M : K, Bm, tb ? K : N, 0, c, N);
        outs.push(c);
      }
      const out = new Float32Array(Bt * T * C),
        att = new Float32Array(Bt * H * T * T),
        g = new Float32Array(Bt * T * 3 * C);
      addon.attentionForwardBf16(out, att, qkv, Bt, T, C, H);
      addon.attentionBackwardBf16(g, dout, qkv, att, Bt, T, C, H);
      return [...outs, out, att, g];
    };
    const one = withThreads(addon, 1, runAll);
    const two = withThreads(addon, 2, runAll);
    const again = withThreads(addon, 2, runAll);
    one.forEach((x, i) => assertIdentical(x, two[i], `output ${i}, 1 vs 2 threads`));
    two.forEach((x, i) => assertIdentical(x, again[i], `output ${i}, run after run`));
  });

  test('a lower instruction-set path stands for a CPU without AVX512_BF16: bf16 is refused with the reason', () => {
    const best = addon.supportedIsas()[0];
    try {
      addon.setIsa('avx2');
      assert.match(addon.bf16Unavailable() ?? '', /avx2 path is active/);
      assert.throws(
        () =>
          addon.gemmBf16(
            false,
            false,
            1,
            1,
            1,
            1,
            new Float32Array(1),
            1,
            new Float32Array(1),
            1,
            0,
            new Float32Array(1),
            1,
          ),
        /gemmBf16: bf16 runs beside the avx512 path/,
      );
    } finally {
      addon.setIsa(best);
    }
    assert.equal(addon.bf16Unavailable(), null);
  });

  test('bf16 peak probe reports a positive throughput', () => {
    assert.ok(addon.bf16Peak(10_000) > 0);
  });
});
