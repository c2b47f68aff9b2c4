/**
 * Every native kernel except gemm (native-gemm.test.ts) against the float64 reference, on
 * random shapes with odd sizes (1, 3, 17, 65, 129) and on every instruction-set path the CPU
 * supports (the reference runs once per case; each path runs on fresh copies). Backward
 * kernels start from random gradient buffers, so accumulation (+=) is checked too.
 */
import { test } from 'node:test';
import { referenceKernels as ref } from '../../src/engine/reference/kernels.js';
import { Rng } from '../../src/util/rng.js';
import { assertClose, f64, forEachIsa, nativeSuite, randomF32, randomIds, U32 } from './native-support.js';

const SIZES = [1, 3, 17, 65, 129];
/** Tolerance of a float32 sum of n terms relative to the sum of their magnitudes. */
const sumTol = (n: number) => U32 * (4 * Math.sqrt(n) + 8);
const copy = (a: Float32Array) => Float32Array.from(a);

nativeSuite('native kernels', (addon) => {
  test('addBias and biasBackward', () => {
    const rng = new Rng('kernels/bias');
    for (const N of SIZES) {
      for (const O of SIZES) {
        const out = randomF32(rng, N * O),
          bias = randomF32(rng, O);
        const want = f64(out);
        ref.addBias(want, f64(bias), N, O);
        const dbias = randomF32(rng, O),
          dout = randomF32(rng, N * O);
        const wantD = f64(dbias);
        ref.biasBackward(wantD, f64(dout), N, O);
        const mag = Float64Array.from(dbias, Math.abs);
        ref.biasBackward(mag, Float64Array.from(dout, Math.abs), N, O);
        forEachIsa(addon, (isa) => {
          const o = copy(out);
          addon.addBias(o, bias, N, O);
          assertClose(o, want, 2 * U32, `${isa} addBias N=${N} O=${O}`);
          const d = copy(dbias);
          addon.biasBackward(d, dout, N, O);
          assertClose(d, wantD, sumTol(N + 1), `${isa} biasBackward N=${N} O=${O}`, mag);
        });
      }
    }
  });

  test('embedding forward and backward (repeated ids, with and without positions)', () => {
    const rng = new Rng('kernels/embedding');
    for (const C of SIZES) {
      for (const [B, T] of [
        [1, 1],
        [3, 17],
        [2, 65],
      ]) {
        const vocab = 1 + rng.int(40); // small: ids repeat
        const BT = B * T;
        const ids = randomIds(rng, BT, vocab);
        const wte = randomF32(rng, vocab * C),
          wpe = randomF32(rng, T * C);
        for (const withPos of [true, false]) {
          const want = new Float64Array(BT * C);
          ref.embeddingForward(want, ids, f64(wte), withPos ? f64(wpe) : null, BT, T, C);
          const dwte = randomF32(rng, vocab * C),
            dwpe = randomF32(rng, T * C),
            dout = randomF32(rng, BT * C);
          const wte64 = f64(dwte),
            wpe64 = f64(dwpe);
          ref.embeddingBackward(wte64, withPos ? wpe64 : null, f64(dout), ids, BT, T, C);
          forEachIsa(addon, (isa) => {
            const label = `${isa} C=${C} B=${B} T=${T} positions=${withPos}`;
            const out = new Float32Array(BT * C);
            addon.embeddingForward(out, ids, wte, withPos ? wpe : null, BT, T, C);
            assertClose(out, want, U32, `embeddingForward ${label}`);
            const gte = copy(dwte),
              gpe = copy(dwpe);
            addon.embeddingBackward(gte, withPos ? gpe : null, dout, ids, BT, T, C);
            assertClose(gte, wte64, sumTol(BT), `embeddingBackward dwte ${label}`);
            assertClose(gpe, wpe64, sumTol(B), `embeddingBackward dwpe ${label}`);
          });
        }
      }
    }
  });

  test('layerNorm forward and backward', () => {
    const rng = new Rng('kernels/layernorm');
    for (const N of SIZES) {
      for (const C of [1, 3, 17, 65, 129, 384]) {
        const inp = randomF32(rng, N * C, 2),
          w = randomF32(rng, C),
          b = randomF32(rng, C);
        for (let i = 0; i < N * C; i++) inp[i] += 3; // an offset: the variance must not cancel badly
        const o64 = new Float64Array(N * C),
          m64 = new Float64Array(N),
          r64 = new Float64Array(N);
        ref.layerNormForward(o64, m64, r64, f64(inp), f64(w), f64(b), N, C, 1e-5);
        const dout = randomF32(rng, N * C),
          dinp = randomF32(rng, N * C),
          dw = randomF32(rng, C),
          db = randomF32(rng, C);
        // the backward reads saved statistics: both get the float32-rounded reference ones
        const mean = Float32Array.from(m64),
          rstd = Float32Array.from(r64);
        const di64 = f64(dinp),
          dw64 = f64(dw),
          db64 = f64(db);
        ref.layerNormBackward(di64, dw64, db64, f64(dout), f64(inp), f64(w), f64(mean), f64(rstd), N, C);
        const tol = sumTol(C) * 8;
        forEachIsa(addon, (isa) => {
          const label = `${isa} N=${N} C=${C}`;
          const out = new Float32Array(N * C),
            m = new Float32Array(N),
            r = new Float32Array(N);
          addon.layerNormForward(out, m, r, inp, w, b, N, C, 1e-5);
          assertClose(m, m64, tol, `layerNorm mean ${label}`);
          assertClose(r, r64, tol, `layerNorm rstd ${label}`);
          assertClose(out, o64, tol, `layerNorm out ${label}`);
          const gi = copy(dinp),
            gw = copy(dw),
            gb = copy(db);
          addon.layerNormBackward(gi, gw, gb, dout, inp, w, mean, rstd, N, C);
          assertClose(gi, di64, tol, `layerNorm dinp ${label}`);
          assertClose(gw, dw64, sumTol(N) * 8, `layerNorm dw ${label}`);
          assertClose(gb, db64, sumTol(N) * 8, `layerNorm db ${label}`);
        });
      }
    }
  });

  test('causal attention forward and backward', () => {
    const rng = new Rng('kernels/attention');
    // [B, T, C, H]: head sizes 1..64, T across the micro-tile sizes, the presets' head shapes;
    // T <= 8 takes the direct path for short sequences (the grokking task's T = 3), T > 8 the GEMM one
    const shapes = [
      [1, 1, 8, 2],
      [2, 3, 12, 3],
      [5, 3, 128, 4],
      [2, 8, 40, 5],
      [2, 9, 40, 5],
      [1, 17, 64, 2],
      [1, 65, 128, 2],
      [1, 129, 96, 3],
      [3, 4, 128, 4],
      [2, 33, 40, 5],
      [1, 20, 3, 3],
    ];
    for (const [B, T, C, H] of shapes) {
      const hs = C / H;
      const qkv = randomF32(rng, B * T * 3 * C);
      const o64 = new Float64Array(B * T * C),
        a64 = new Float64Array(B * H * T * T);
      ref.attentionForward(o64, a64, f64(qkv), B, T, C, H);
      // the backward reads the saved probabilities: both get the float32-rounded reference ones
      const att = Float32Array.from(a64);
      const dout = randomF32(rng, B * T * C),
        dqkv = randomF32(rng, B * T * 3 * C);
      const d64 = f64(dqkv);
      ref.attentionBackward(d64, f64(dout), f64(qkv), f64(att), B, T, C, H);
      forEachIsa(addon, (isa) => {
        const label = `${isa} B=${B} T=${T} C=${C} H=${H}`;
        const out = new Float32Array(B * T * C),
          a = new Float32Array(B * H * T * T).fill(NaN);
        addon.attentionForward(out, a, qkv, B, T, C, H);
        assertClose(a, a64, sumTol(hs) * 16, `attention att ${label}`);
        assertClose(out, o64, sumTol(T) * 16, `attention out ${label}`);
        const g = copy(dqkv);
        addon.attentionBackward(g, dout, qkv, att, B, T, C, H);
        assertClose(g, d64, sumTol(T * hs) * 16, `attention dqkv ${label}`);
      });
    }
  });

  test('tree attention: queries over a context block plus listed rows', () => {
    const rng = new Rng('kernels/tree-attention');
    // [R rows of qkv, C, H, n queries]: head sizes 1..64, contexts 0..R, lists of 0..R rows
    const shapes = [
      [1, 8, 2, 1],
      [5, 12, 3, 4],
      [40, 64, 2, 17],
      [70, 128, 4, 65],
      [130, 96, 3, 129],
      [9, 3, 3, 3],
    ];
    for (const [R, C, H, n] of shapes) {
      const qkv = randomF32(rng, R * 3 * C);
      const rows = Int32Array.from(rng.shuffle(Array.from({ length: R }, (_, i) => i)).slice(0, n));
      const spanLen = Int32Array.from({ length: n }, (_, j) => (j % 3 === 2 ? 0 : rng.int(R + 1)));
      const spanStart = Int32Array.from(spanLen, (len) => rng.int(R - len + 1));
      const counts = Array.from(spanLen, (len) => (len === 0 ? 1 : 0) + rng.int(Math.min(R, 6)));
      const extraStart = Int32Array.from([
        0,
        ...counts.map((_, j) => counts.slice(0, j + 1).reduce((a, b) => a + b, 0)),
      ]);
      const extra = randomIds(rng, extraStart[n], R);
      const out0 = randomF32(rng, R * C);
      const want = f64(out0);
      ref.treeAttentionForward(want, f64(qkv), rows, spanStart, spanLen, extraStart, extra, n, C, H);
      forEachIsa(addon, (isa) => {
        const out = copy(out0);
        addon.treeAttentionForward(out, qkv, rows, spanStart, spanLen, extraStart, extra, n, C, H);
        assertClose(out, want, sumTol(R + 6) * 16, `${isa} treeAttentionForward R=${R} C=${C} H=${H} n=${n}`);
      });
    }
  });

  test('gelu and relu forward and backward', () => {
    const rng = new Rng('kernels/activations');
    for (const n of [...SIZES, 4099, 20000]) {
      const inp = randomF32(rng, n, 3);
      if (n > 3) inp.set([0, -0, 12, -12]); // exact zeros and saturated tails
      for (const [name, rfwd, rbwd] of [
        ['gelu', ref.geluForward, ref.geluBackward],
        ['relu', ref.reluForward, ref.reluBackward],
      ] as const) {
        const want = new Float64Array(n);
        rfwd(want, f64(inp), n);
        const dout = randomF32(rng, n),
          dinp = randomF32(rng, n);
        const d64 = f64(dinp);
        rbwd(d64, f64(inp), f64(dout), n);
        forEachIsa(addon, (isa) => {
          const fwd = name === 'gelu' ? addon.geluForward : addon.reluForward;
          const bwd = name === 'gelu' ? addon.geluBackward : addon.reluBackward;
          const out = new Float32Array(n);
          fwd(out, inp, n);
          assertClose(out, want, 8 * U32, `${isa} ${name}Forward n=${n}`);
          const g = copy(dinp);
          bwd(g, inp, dout, n);
          assertClose(g, d64, 16 * U32, `${isa} ${name}Backward n=${n}`);
        });
      }
    }
  });

  test('softmax cross-entropy with ignored rows (V up to 4096)', () => {
    const rng = new Rng('kernels/cross-entropy');
    for (const N of SIZES) {
      for (const V of [1, 3, 17, 65, 129, 4096]) {
        if (V === 4096 && N > 17) continue; // the float64 reference is slow there
        for (const ignoreIndex of [-1, V - 1]) {
          const logits = randomF32(rng, N * V, 3);
          const targets = randomIds(rng, N, V);
          for (let n = 0; n < N; n += 3) targets[n] = ignoreIndex; // some rows ignored
          const l64 = new Float64Array(N),
            s64 = new Float64Array(N);
          ref.crossEntropyForward(l64, s64, f64(logits), targets, N, V, ignoreIndex);
          const lse = Float32Array.from(s64);
          const dlosses = randomF32(rng, N),
            dlogits = randomF32(rng, N * V);
          const d64 = f64(dlogits);
          ref.crossEntropyBackward(d64, f64(logits), f64(lse), targets, f64(dlosses), N, V, ignoreIndex);
          const floor = Float64Array.from(s64, (l) => Math.abs(l) + 1);
          forEachIsa(addon, (isa) => {
            const label = `${isa} N=${N} V=${V} ignore=${ignoreIndex}`;
            const losses = new Float32Array(N),
              l = new Float32Array(N);
            addon.crossEntropyForward(losses, l, logits, targets, N, V, ignoreIndex);
            assertClose(l, s64, sumTol(V) * 4, `crossEntropy lse ${label}`, floor);
            assertClose(losses, l64, sumTol(V) * 4, `crossEntropy losses ${label}`, floor);
            const g = copy(dlogits);
            addon.crossEntropyBackward(g, logits, lse, targets, dlosses, N, V, ignoreIndex);
            assertClose(g, d64, 16 * U32, `crossEntropy dlogits ${label}`);
          });
        }
      }
    }
  });

  test('add, axpy, scale, sumSquares (out aliasing an input)', () => {
    const rng = new Rng('kernels/vector');
    for (const n of [...SIZES, 4097, 70001]) {
      const a = randomF32(rng, n),
        b = randomF32(rng, n);
      const sum = new Float64Array(n);
      ref.add(sum, f64(a), f64(b), n);
      const ax = f64(a);
      ref.axpy(ax, f64(b), -0.37, n);
      const axMag = Float64Array.from(a, (x, i) => Math.abs(x) + 0.37 * Math.abs(b[i]));
      const sc = f64(a);
      ref.scale(sc, 1.7, n);
      const ss = ref.sumSquares(f64(a), n);
      forEachIsa(addon, (isa) => {
        const out = new Float32Array(n);
        addon.add(out, a, b, n);
        assertClose(out, sum, U32, `${isa} add n=${n}`);
        const alias = copy(a);
        addon.add(alias, alias, b, n);
        assertClose(alias, sum, U32, `${isa} add aliased n=${n}`);
        const dst = copy(a);
        addon.axpy(dst, b, -0.37, n);
        assertClose(dst, ax, 2 * U32, `${isa} axpy n=${n}`, axMag);
        const s = copy(a);
        addon.scale(s, 1.7, n);
        assertClose(s, sc, 2 * U32, `${isa} scale n=${n}`);
        assertClose([addon.sumSquares(a, n)], [ss], 1e-12, `${isa} sumSquares n=${n}`);
      });
    }
  });

  test('adamw step (weight decay, gradient scale, bias corrections)', () => {
    const rng = new Rng('kernels/adamw');
    for (const n of [...SIZES, 5000]) {
      const param = randomF32(rng, n),
        grad = randomF32(rng, n),
        m = randomF32(rng, n, 0.1),
        v = randomF32(rng, n, 0.1).map(Math.abs);
      const args = [3e-3, 0.9, 0.999, 1e-8, 0.1, 1 - 0.9 ** 7, 1 - 0.999 ** 7, 0.8] as const;
      const p64 = f64(param),
        m64 = f64(m),
        v64 = f64(v);
      ref.adamw(p64, f64(grad), m64, v64, n, ...args);
      forEachIsa(addon, (isa) => {
        const p = copy(param),
          mm = copy(m),
          vv = copy(v);
        addon.adamw(p, grad, mm, vv, n, ...args);
        assertClose(mm, m64, 8 * U32, `${isa} adamw m n=${n}`);
        assertClose(vv, v64, 8 * U32, `${isa} adamw v n=${n}`);
        assertClose(p, p64, 8 * U32, `${isa} adamw param n=${n}`);
      });
    }
  });
});
