/**
 * Determinism of the native kernels: the same inputs give bit-identical outputs run after
 * run, with 1 thread and with 2, on every instruction-set path. The kernels split work by
 * index into pieces whose results do not depend on the thread count, so 1 and 2 threads
 * must agree bit for bit as well. Shapes are large enough for every kernel to use threads.
 */
import { test } from 'node:test';
import type { NativeAddon } from '../../src/engine/native/load.js';
import { Rng } from '../../src/util/rng.js';
import { assertIdentical, forEachIsa, nativeSuite, randomF32, randomIds, withThreads } from './native-support.js';

const [M, N, K] = [256, 300, 520]; // gemm
const [Bt, T, C, H] = [4, 64, 128, 4]; // attention
const [Nr, Cl] = [512, 384]; // layer norm, bias
const [rows, V] = [64, 4096]; // cross-entropy
const [BT, vocab] = [2048, 50]; // embedding (ids repeat)
const n = 100_003; // elementwise
const nSq = 1_000_003; // sumSquares

/** Fixed random inputs, made once: the runs copy what a kernel writes. */
function makeInputs() {
  const rng = new Rng('determinism');
  const r = (len: number, scale = 1) => randomF32(rng, len, scale);
  return {
    A: r(M * K),
    B: r(K * N),
    qkv: r(Bt * T * 3 * C),
    dqkv: r(Bt * T * 3 * C),
    dattOut: r(Bt * T * C),
    x: r(Nr * Cl),
    w: r(Cl),
    b: r(Cl),
    dx: r(Nr * Cl),
    dw: r(Cl),
    db: r(Cl),
    dy: r(Nr * Cl),
    logits: r(rows * V, 3),
    targets: randomIds(rng, rows, V),
    dlogits: r(rows * V),
    dlosses: r(rows),
    ids: randomIds(rng, BT, vocab),
    wte: r(vocab * C),
    wpe: r(64 * C),
    dout: r(BT * C),
    dwte: r(vocab * C),
    dwpe: r(64 * C),
    u: r(n, 2),
    v: r(n),
    g: r(n),
    sq: r(nSq),
    p: r(n),
    m: r(n),
    s: r(n).map(Math.abs),
  };
}
type Inputs = ReturnType<typeof makeInputs>;

/** Every kernel once on the inputs; returns every output buffer. */
function runAll(addon: NativeAddon, I: Inputs): Float32Array[] {
  const outs: Float32Array[] = [];
  const keep = (a: Float32Array) => (outs.push(a), a);
  const fresh = (len: number) => keep(new Float32Array(len));
  const copy = (a: Float32Array) => keep(Float32Array.from(a));

  for (const [ta, tb] of [
    [false, false],
    [false, true],
    [true, false],
  ]) {
    addon.gemm(ta, tb, M, N, K, 1, I.A, ta ? M : K, I.B, tb ? K : N, 0, fresh(M * N), N);
  }
  const att = fresh(Bt * H * T * T);
  addon.attentionForward(fresh(Bt * T * C), att, I.qkv, Bt, T, C, H);
  addon.attentionBackward(copy(I.dqkv), I.dattOut, I.qkv, att, Bt, T, C, H);

  const mean = fresh(Nr),
    rstd = fresh(Nr);
  addon.layerNormForward(fresh(Nr * Cl), mean, rstd, I.x, I.w, I.b, Nr, Cl, 1e-5);
  addon.layerNormBackward(copy(I.dx), copy(I.dw), copy(I.db), I.dy, I.x, I.w, mean, rstd, Nr, Cl);
  addon.addBias(copy(I.x), I.b, Nr, Cl);
  addon.biasBackward(copy(I.db), I.dy, Nr, Cl);

  const lse = fresh(rows);
  addon.crossEntropyForward(fresh(rows), lse, I.logits, I.targets, rows, V, -1);
  addon.crossEntropyBackward(copy(I.dlogits), I.logits, lse, I.targets, I.dlosses, rows, V, -1);

  addon.embeddingForward(fresh(BT * C), I.ids, I.wte, I.wpe, BT, 64, C);
  addon.embeddingBackward(copy(I.dwte), copy(I.dwpe), I.dout, I.ids, BT, 64, C);

  addon.geluForward(fresh(n), I.u, n);
  addon.geluBackward(copy(I.g), I.u, I.v, n);
  addon.reluForward(fresh(n), I.u, n);
  addon.reluBackward(copy(I.g), I.u, I.v, n);
  addon.add(fresh(n), I.u, I.v, n);
  addon.axpy(copy(I.u), I.v, 0.3, n);
  addon.scale(copy(I.u), 0.7, n);
  keep(Float32Array.of(addon.sumSquares(I.sq, nSq)));
  addon.adamw(copy(I.p), I.v, copy(I.m), copy(I.s), n, 1e-3, 0.9, 0.95, 1e-8, 0.1, 0.5, 0.3, 1);
  return outs;
}

function assertRunsIdentical(a: Float32Array[], b: Float32Array[], label: string): void {
  a.forEach((out, i) => assertIdentical(out, b[i], `${label}: output ${i}`));
}

nativeSuite('native determinism', (addon) => {
  const inputs = makeInputs();

  test('same inputs twice give bit-identical outputs, with 1 and with 2 threads, on every ISA path', () => {
    forEachIsa(addon, (isa) => {
      for (const threads of [1, 2]) {
        withThreads(addon, threads, () =>
          assertRunsIdentical(runAll(addon, inputs), runAll(addon, inputs), `${isa}, ${threads} threads`),
        );
      }
    });
  });

  test('1 and 2 threads give bit-identical outputs (work is split by index, reductions in fixed order)', () => {
    forEachIsa(addon, (isa) => {
      const one = withThreads(addon, 1, () => runAll(addon, inputs));
      const two = withThreads(addon, 2, () => runAll(addon, inputs));
      assertRunsIdentical(one, two, `${isa}, 1 vs 2 threads`);
    });
  });
});
