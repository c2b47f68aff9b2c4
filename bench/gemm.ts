/**
 * SGEMM speed of the native backend, side by side with OpenBLAS at the same sizes and thread
 * counts (bench/openblas.ts; skipped with a line where it is not installed). Each round runs
 * slurry, then OpenBLAS as it detects this CPU, then OpenBLAS forced to its AVX-512 kernels
 * (OPENBLAS_CORETYPE=SkylakeX), so all see the same machine load; the tables show the
 * median over rounds of each round's median GFLOP/s, and slurry's ratio to each.
 *
 * Peak is measured, not assumed: the addon's FMA-throughput loop (independent chains of
 * vector FMAs on every pool thread) on the active instruction-set path, best of 7 runs.
 *
 * Run alone: `node dist/bench/gemm.js [--rounds N] [--quick]`; or `npm run bench -- gemm`.
 */
import { fileURLToPath } from 'node:url';
import { loadNativeKernels, type NativeAddon } from '../src/engine/native/load.js';
import { openblasRunner } from './openblas.js';
import { loadLine, median } from './util.js';

export interface GemmShape {
  label: string;
  M: number;
  N: number;
  K: number;
  transA?: boolean;
  transB?: boolean;
}

/** The square-ish reference shapes of the brief. */
export const SQUARE_SHAPES: GemmShape[] = [
  { label: '512x512x512', M: 512, N: 512, K: 512 },
  { label: '1024x1024x1024', M: 1024, N: 1024, K: 1024 },
  { label: '2048x384x1536', M: 2048, N: 384, K: 1536 },
];

/**
 * The products of one GPT training step (rows = B*T tokens, width d, vocabulary V): forward
 * C = X W (NN), input gradient dX = dY W^T (NT), weight gradient dW = X^T dY (TN), and the
 * tied unembedding logits = x wte^T (NT) with its gradient dwte = dlogits^T x (TN).
 */
export function gptShapes(name: string, rows: number, d: number, V: number): GemmShape[] {
  return [
    { label: `${name} qkv X W`, M: rows, N: 3 * d, K: d },
    { label: `${name} fc X W`, M: rows, N: 4 * d, K: d },
    { label: `${name} proj X W`, M: rows, N: d, K: 4 * d },
    { label: `${name} fc dX = dY W^T`, M: rows, N: d, K: 4 * d, transB: true },
    { label: `${name} fc dW = X^T dY`, M: d, N: 4 * d, K: rows, transA: true },
    { label: `${name} logits x wte^T`, M: rows, N: V, K: d, transB: true },
    { label: `${name} dwte = dL^T x`, M: V, N: d, K: rows, transA: true },
  ];
}

/** Median GFLOP/s of `reps` native calls (gemm, or gemmBf16) after two warm-up calls. */
export function timeNativeGemm(
  addon: NativeAddon,
  s: GemmShape,
  reps: number,
  fn: 'gemm' | 'gemmBf16' = 'gemm',
): number {
  const { M, N, K, transA = false, transB = false } = s;
  const A = new Float32Array(M * K).map((_, i) => ((i * 7919) % 1000) / 1000 - 0.5);
  const B = new Float32Array(K * N).map((_, i) => ((i * 104729) % 1000) / 1000 - 0.5);
  const C = new Float32Array(M * N);
  const gflops: number[] = [];
  for (let r = -2; r < reps; r++) {
    const t0 = performance.now();
    addon[fn](transA, transB, M, N, K, 1, A, transA ? M : K, B, transB ? K : N, 0, C, N);
    const s = (performance.now() - t0) / 1000;
    if (r >= 0) gflops.push((2 * M * N * K) / s / 1e9);
  }
  return median(gflops);
}

const fmt = (x: number, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : '-');
const dims = (s: GemmShape) => `M=${s.M} N=${s.N} K=${s.K}${s.transA ? ' A^T' : ''}${s.transB ? ' B^T' : ''}`;

export function benchGemm(opts: { rounds?: number; reps?: number; threads?: number[]; gpt?: boolean } = {}): void {
  const rounds = opts.rounds ?? 5;
  const reps = opts.reps ?? 5;
  const threadCounts = opts.threads ?? [1, 2];
  console.log('\n## SGEMM (C = A B, float32, row-major)');
  const load = loadNativeKernels();
  if (!load.ok) {
    console.log(`native SGEMM skipped: ${load.reason}`);
    return;
  }
  const addon = load.kernels;
  const startThreads = addon.info().threads;
  const blas = openblasRunner();
  if ('skipped' in blas) console.log(blas.skipped);

  const peak = new Map<number, number>();
  for (const t of threadCounts) {
    addon.setThreads(t);
    // the best of several short runs: a capability, so interruptions by other processes
    // must not lower it
    peak.set(t, Math.max(...Array.from({ length: 7 }, () => addon.fmaPeak(5_000_000))));
  }
  const isa = addon.info().isa;
  console.log(
    `isa ${isa}; peak = measured FMA throughput of the ${isa} path: ` +
      threadCounts.map((t) => `${fmt(peak.get(t)!)} GFLOP/s on ${t} thread${t > 1 ? 's' : ''}`).join(', '),
  );
  console.log(`GFLOP/s: median over ${rounds} alternated rounds of each round's median of ${reps} calls.`);

  const table = (shapes: GemmShape[], counts: number[]) => {
    const openblas = !('skipped' in blas);
    let core = '?';
    console.log(
      '| shape | threads | slurry | % peak | OpenBLAS auto | slurry / auto | OpenBLAS SkylakeX | slurry / SkylakeX |',
    );
    console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
    for (const s of shapes) {
      for (const t of counts) {
        addon.setThreads(t);
        const ours: number[] = [],
          auto: number[] = [],
          skx: number[] = [];
        for (let r = 0; r < rounds; r++) {
          ours.push(timeNativeGemm(addon, s, reps));
          if (openblas) {
            const a = blas.run(s, t, reps);
            core = a.core;
            auto.push(a.gflops);
            skx.push(blas.run(s, t, reps, 'SkylakeX').gflops);
          }
        }
        const o = median(ours),
          a = openblas ? median(auto) : NaN,
          k = openblas ? median(skx) : NaN;
        console.log(
          `| ${s.label} (${dims(s)}) | ${t} | ${fmt(o)} | ${fmt((100 * o) / peak.get(t)!, 0)}% | ${fmt(a)} | ${fmt(o / a, 2)}x | ${fmt(k)} | ${fmt(o / k, 2)}x |`,
        );
      }
    }
    if (openblas)
      console.log(`(OpenBLAS auto picked its ${core} kernels on this CPU; SkylakeX = its AVX-512 kernels, forced.)`);
  };
  console.log('\n### Reference shapes');
  table(SQUARE_SHAPES, threadCounts);
  if (opts.gpt ?? true) {
    console.log('\n### GPT training-step shapes (presets A and B: rows = B*T)');
    table(
      [...gptShapes('A', 4096, 128, 256), ...gptShapes('B', 4096, 384, 4096)],
      [threadCounts[threadCounts.length - 1]],
    );
    bf16Table(
      addon,
      [...gptShapes('A', 4096, 128, 256), ...gptShapes('B', 4096, 384, 4096)],
      threadCounts[threadCounts.length - 1],
      rounds,
      reps,
    );
  }
  addon.setThreads(startThreads);
}

/** bf16 (VDPBF16PS) against fp32 at the training shapes, alternated in each round. */
function bf16Table(addon: NativeAddon, shapes: GemmShape[], threads: number, rounds: number, reps: number): void {
  const why = addon.bf16Unavailable();
  console.log(`\n### bf16 GEMM at the training-step shapes (${threads} threads)`);
  if (why) {
    console.log(`skipped: ${why}`);
    return;
  }
  addon.setThreads(threads);
  const peak = Math.max(...Array.from({ length: 7 }, () => addon.bf16Peak(5_000_000)));
  const fp32Peak = Math.max(...Array.from({ length: 7 }, () => addon.fmaPeak(5_000_000)));
  console.log(
    `peaks on ${threads} threads: bf16 ${fmt(peak)} GFLOP/s (VDPBF16PS), fp32 ${fmt(fp32Peak)} GFLOP/s (FMA); ${loadLine()}`,
  );
  console.log('| shape | fp32 | bf16 | bf16 / fp32 | bf16 % of bf16 peak |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const s of shapes) {
    const f: number[] = [],
      b: number[] = [];
    for (let r = 0; r < rounds; r++) {
      f.push(timeNativeGemm(addon, s, reps));
      b.push(timeNativeGemm(addon, s, reps, 'gemmBf16'));
    }
    const [mf, mb] = [median(f), median(b)];
    console.log(
      `| ${s.label} (${dims(s)}) | ${fmt(mf)} | ${fmt(mb)} | ${fmt(mb / mf, 2)}x | ${fmt((100 * mb) / peak, 0)}% |`,
    );
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const at = args.indexOf('--rounds');
  const quick = args.includes('--quick');
  benchGemm({ rounds: at >= 0 ? Number(args[at + 1]) : quick ? 3 : 5, reps: quick ? 3 : 5, gpt: !quick });
}
