/**
 * Measures training throughput the way torch_gpt.py does: a GPT-2 model on random tokens,
 * forward + backward + AdamW per step, median step time after warm-up.
 */
import { kernels } from '../engine/backend.js';
import { BufferPool } from '../engine/buffer-pool.js';
import type { Precision } from '../engine/precision.js';
import { parseGPTConfig } from '../model/config.js';
import { GPT } from '../model/gpt.js';
import { AdamW } from '../train/adamw.js';
import { Rng } from '../util/rng.js';
import { flopsPerToken, type BenchPreset } from './presets.js';
import { profileKernels, type OpStat } from './profile.js';

export interface TrainBenchResult {
  tokens_per_s: number;
  step_ms_median: number;
  /**
   * Mean CPU time (user + system, every thread) per measured step: on a busy machine less
   * sensitive to other processes than wall time (idle pool threads spin briefly, so with
   * more than one thread it slightly exceeds the work).
   */
  cpu_ms_per_step: number;
  gflops: number;
  peak_rss_mib: number;
  steps: number;
  backend: string;
  isa: string;
  threads: number;
  precision: Precision;
  loss_first: number;
  loss_last: number;
  /** With `profile`: per op, its mean milliseconds per measured step (GEMMs with GFLOP/s). */
  profile?: ProfileRow[];
}

export interface ProfileRow {
  op: string;
  ms_per_step: number;
  share: number;
  /** CPU milliseconds (all threads) per step. */
  cpu_ms_per_step: number;
  calls_per_step: number;
  /** GEMMs only. */
  gflops?: number;
}

export function benchTrainStep(
  p: BenchPreset,
  opts: { steps?: number; warmup?: number; seed?: number; precision?: Precision; profile?: boolean } = {},
): TrainBenchResult {
  const precision = opts.precision ?? 'fp32';
  const profiler = opts.profile ? profileKernels(kernels()) : null;
  const k = profiler?.kernels ?? kernels();
  const steps = opts.steps ?? 20;
  const warmup = opts.warmup ?? 3;
  const config = parseGPTConfig({
    vocab_size: p.vocab_size,
    n_layer: p.n_layer,
    n_head: p.n_head,
    n_embd: p.n_embd,
    n_positions: p.context,
  });
  const model = GPT.init(config, opts.seed ?? 0);
  const opt = new AdamW(
    model.parameters().map(({ spec, tensor }) => ({ name: spec.name, tensor, decay: spec.decay })),
    { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.1 },
    k,
  );
  const rng = new Rng(opts.seed ?? 0);
  const batches = Array.from({ length: 4 }, () => ({
    x: Int32Array.from({ length: p.batch_size * p.context }, () => rng.int(p.vocab_size)),
    y: Int32Array.from({ length: p.batch_size * p.context }, () => rng.int(p.vocab_size)),
  }));
  const pool = new BufferPool();
  const times: number[] = [];
  const losses: number[] = [];
  let cpuStart = process.cpuUsage();
  for (let i = 0; i < warmup + steps; i++) {
    const { x, y } = batches[i % batches.length];
    if (i === warmup) {
      profiler?.reset();
      cpuStart = process.cpuUsage();
    }
    const t0 = performance.now();
    const g = model.graph(true, { pool, precision, kernels: k });
    const { loss } = model.loss(g, x, y, p.batch_size, p.context);
    model.zeroGrad();
    g.backward(loss);
    losses.push(loss.data[0]);
    g.release();
    opt.step(3e-4);
    const dt = performance.now() - t0;
    if (i >= warmup) times.push(dt);
  }
  const cpu = process.cpuUsage(cpuStart);
  const sorted = [...times].sort((a, b) => a - b);
  const median = sorted[sorted.length >> 1];
  const tokensPerS = (p.batch_size * p.context) / (median / 1000);
  const info = kernels().info();
  return {
    tokens_per_s: Math.round(tokensPerS),
    step_ms_median: Number(median.toFixed(2)),
    cpu_ms_per_step: Number(((cpu.user + cpu.system) / 1000 / steps).toFixed(2)),
    gflops: Number(((flopsPerToken(p) * tokensPerS) / 1e9).toFixed(2)),
    peak_rss_mib: Math.round(process.resourceUsage().maxRSS / 1024),
    steps,
    backend: info.name,
    isa: info.isa,
    threads: info.threads,
    precision,
    loss_first: losses[0],
    loss_last: losses[losses.length - 1],
    ...(profiler ? { profile: profileRows(profiler.stats(), times, (cpu.user + cpu.system) / 1000) } : {}),
  };
}

/** Per-step means of the kernel times, and the rest of the step as `other`. */
function profileRows(stats: OpStat[], times: number[], cpuMs: number): ProfileRow[] {
  const steps = times.length;
  const stepMs = times.reduce((a, b) => a + b, 0) / steps;
  const rows: ProfileRow[] = stats.map((s) => ({
    op: s.op,
    ms_per_step: s.ms / steps,
    share: s.ms / steps / stepMs,
    cpu_ms_per_step: s.cpuMs / steps,
    calls_per_step: s.calls / steps,
    ...(s.flops > 0 ? { gflops: s.flops / (s.ms / 1000) / 1e9 } : {}),
  }));
  const kernelMs = rows.reduce((a, r) => a + r.ms_per_step, 0);
  const kernelCpu = rows.reduce((a, r) => a + r.cpu_ms_per_step, 0);
  rows.push({
    op: 'other (JavaScript, zeroing, allocation)',
    ms_per_step: stepMs - kernelMs,
    share: 1 - kernelMs / stepMs,
    cpu_ms_per_step: cpuMs / steps - kernelCpu,
    calls_per_step: 0,
  });
  return rows;
}

/** The profile as a Markdown table. */
export function formatProfile(rows: ProfileRow[]): string {
  const lines = [
    '| op | ms/step | share | CPU-ms/step | calls/step | GFLOP/s |',
    '| --- | --- | --- | --- | --- | --- |',
  ];
  for (const r of rows) {
    const gf = r.gflops === undefined ? '' : r.gflops.toFixed(0);
    lines.push(
      `| ${r.op} | ${r.ms_per_step.toFixed(2)} | ${(100 * r.share).toFixed(1)}% | ${r.cpu_ms_per_step.toFixed(2)} | ${r.calls_per_step} | ${gf} |`,
    );
  }
  return lines.join('\n');
}
