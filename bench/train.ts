/**
 * Training throughput, slurry (fp32 and bf16 where the CPU has AVX512_BF16) against PyTorch
 * side by side: for each reference configuration, runs alternate (slurry fp32, slurry bf16,
 * torch, ...) in separate processes so all see the same machine load; medians of each and
 * their ratios are printed, with model GFLOP/s as a share of the measured peaks, peak
 * memory, and a per-op profile of one fp32 and one bf16 step set (where a step's time goes).
 * PyTorch is ../shared/bench/torch_gpt.py run by Debian's python3 (SLURRY_TORCH_GPT
 * overrides the script path); where it is missing, a line says so.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BENCH_PRESETS, type BenchPreset } from '../src/bench/presets.js';
import { formatProfile, type TrainBenchResult } from '../src/bench/train-step.js';
import { loadNativeKernels } from '../src/engine/native/load.js';
import type { Precision } from '../src/engine/precision.js';
import { loadLine, median, torchAvailable, TORCH_PYTHON } from './util.js';

const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const TORCH_GPT =
  process.env.SLURRY_TORCH_GPT ?? fileURLToPath(new URL('../../../shared/bench/torch_gpt.py', import.meta.url));

interface Sample {
  tokens_per_s: number;
  peak_rss_mib: number;
}

function runSlurry(name: string, steps: number, precision: Precision, profile = false): TrainBenchResult {
  const args = [CLI, 'bench', 'train', '--preset', name, '--steps', String(steps), '--precision', precision, '--json'];
  const r = spawnSync(process.execPath, profile ? [...args, '--profile'] : args, { encoding: 'utf8' });
  if (r.status !== 0)
    throw new Error(`slurry bench train --preset ${name} --precision ${precision} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

function runTorch(p: BenchPreset, steps: number, threads: number): Sample {
  const args = [
    TORCH_GPT,
    '--vocab',
    p.vocab_size,
    '--n_layer',
    p.n_layer,
    '--n_head',
    p.n_head,
    '--d_model',
    p.n_embd,
    '--T',
    p.context,
    '--B',
    p.batch_size,
    '--threads',
    threads,
    '--steps',
    steps,
    '--omp_passive',
  ].map(String);
  const r = spawnSync(TORCH_PYTHON, args, { encoding: 'utf8' });
  const line = r.stdout.split('\n').find((l) => l.startsWith('RESULT'));
  if (r.status !== 0 || !line) throw new Error(`torch_gpt.py failed: ${r.stderr.slice(-500)}`);
  const field = (k: string) => Number(new RegExp(`${k}=([\\d.]+)`).exec(line)![1]);
  return { tokens_per_s: field('tokens_per_s'), peak_rss_mib: field('peak_rss_MiB') };
}

/** The measured peaks (GFLOP/s, best of 7 short runs on every pool thread): fp32 FMA, and bf16 VDPBF16PS where available. */
export function measuredPeaks(): { fp32: number; bf16: number | null } | null {
  const load = loadNativeKernels();
  if (!load.ok) return null;
  const a = load.kernels;
  const best = (probe: (iters: number) => number) => Math.max(...Array.from({ length: 7 }, () => probe(5_000_000)));
  return { fp32: best(a.fmaPeak), bf16: a.bf16Unavailable() === null ? best(a.bf16Peak) : null };
}

export function benchTraining(
  opts: { presets?: string[]; rounds?: number; threads?: number; profile?: string[] } = {},
): void {
  const presets = opts.presets ?? Object.keys(BENCH_PRESETS);
  const rounds = opts.rounds ?? 3;
  const threads = opts.threads ?? 2;
  const profiled = opts.profile ?? ['A', 'B'];
  const torch = existsSync(TORCH_GPT) && torchAvailable();
  const peaks = measuredPeaks();
  const bf16 = peaks?.bf16 != null;
  console.log(
    `\n## Training throughput (tokens/s, median of ${rounds} alternated runs, ${threads} threads; ${loadLine()})`,
  );
  if (peaks)
    console.log(
      `measured peaks: fp32 ${peaks.fp32.toFixed(0)} GFLOP/s (FMA)` +
        (bf16 ? `, bf16 ${peaks.bf16!.toFixed(0)} GFLOP/s (VDPBF16PS)` : ', bf16 unavailable'),
    );
  if (!torch)
    console.log(
      `PyTorch reference skipped: needs ${TORCH_GPT} and ${TORCH_PYTHON} with torch (apt-get install python3-torch python3-numpy libopenblas0-pthread)`,
    );
  console.log(
    '| preset | fp32 tok/s | fp32 model GFLOP/s (% fp32 peak) | bf16 tok/s | bf16 / fp32 | bf16 model GFLOP/s (% bf16 peak) | torch tok/s | fp32 / torch | bf16 / torch | fp32 / bf16 / torch peak MiB |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  const fmt = (x: number, d = 0) => (Number.isNaN(x) ? '-' : x.toFixed(d));
  const pct = (x: number, peak: number | null | undefined) => (peak ? ` (${fmt((100 * x) / peak)}%)` : '');
  for (const name of presets) {
    const p = BENCH_PRESETS[name];
    const steps = name === 'B' ? 10 : 20;
    const f32: TrainBenchResult[] = [];
    const b16: TrainBenchResult[] = [];
    const theirs: Sample[] = [];
    for (let r = 0; r < rounds; r++) {
      f32.push(runSlurry(name, steps, 'fp32'));
      if (bf16) b16.push(runSlurry(name, steps, 'bf16'));
      if (torch) theirs.push(runTorch(p, steps, threads));
    }
    const m = (xs: { tokens_per_s: number }[]) => (xs.length ? median(xs.map((s) => s.tokens_per_s)) : NaN);
    const g = (xs: TrainBenchResult[]) => (xs.length ? median(xs.map((s) => s.gflops)) : NaN);
    const rss = (xs: { peak_rss_mib: number }[]) => (xs.length ? fmt(median(xs.map((s) => s.peak_rss_mib))) : '-');
    const [a, b, t] = [m(f32), m(b16), m(theirs)];
    console.log(
      `| ${name} | ${fmt(a)} | ${fmt(g(f32), 1)}${pct(g(f32), peaks?.fp32)} | ${fmt(b)} | ${fmt(b / a, 2)}x | ${fmt(g(b16), 1)}${pct(g(b16), peaks?.bf16)} | ${fmt(t)} | ${fmt(a / t, 2)}x | ${fmt(b / t, 2)}x | ${rss(f32)} / ${rss(b16)} / ${rss(theirs)} |`,
    );
  }
  for (const name of presets.filter((n) => profiled.includes(n))) {
    for (const precision of bf16 ? (['fp32', 'bf16'] as const) : (['fp32'] as const)) {
      const r = runSlurry(name, name === 'B' ? 5 : 10, precision, true);
      console.log(
        `\n### Where a training step goes: preset ${name}, ${precision} (${r.step_ms_median} ms/step median, ${loadLine()})`,
      );
      console.log(formatProfile(r.profile!));
    }
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const presets = process.argv.slice(2);
  benchTraining({ presets: presets.length ? presets : undefined });
}
