/**
 * The training loop's own cost: the time of a full `train()` step (mixture schedule, batch
 * sampling from a built corpus, learning-rate schedule, divergence checks, loss per source,
 * metrics record, buffered write, checkpoint and eval scheduling, progress callback) minus
 * the time of the bare forward/backward/update on the same model and batch shape, measured
 * side by side in one process (alternating rounds, medians), in wall-clock time and in
 * this process's CPU time (user + system; every thread of the native pool counts), which
 * other processes on a shared machine disturb less. Target: at most 5% of the step
 * on configuration A (V=256, L=4, H=4, d=128, T=128, B=32), whose data path it uses (a
 * byte-level corpus: 257 ids).
 *
 * On the reference backend a configuration-A step takes tens of seconds, so by default the
 * model shrinks to one layer of width 32 there (same B, T and vocabulary, so the same data
 * and logging work): the overhead in milliseconds is what matters, and it is reported
 * against the step time of configuration A as well.
 *
 *   node dist/bench/loop.js [--model A|small] [--steps N] [--rounds R]
 *
 * The difference of two ~equal step times is noisy on a shared machine, so the loop's
 * bookkeeping is also timed alone, without the model: the same calls the loop makes per
 * step (schedule weights, batch, learning rate, loss per source, the metrics record and its
 * buffered write, the eval and checkpoint checks), on configuration A's batch shape.
 *
 * Also times writing a checkpoint of configurations A and B (target: B in at most 1 s).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BENCH_PRESETS } from '../src/bench/presets.js';
import { buildCorpus } from '../src/data/build.js';
import { presetConfig } from '../src/data/config.js';
import { kernels } from '../src/engine/backend.js';
import { BufferPool } from '../src/engine/buffer-pool.js';
import { GPT } from '../src/model/gpt.js';
import { openCorpusData } from '../src/train/corpus-data.js';
import { parseTrainConfig, resolveTrainConfig, weightVector } from '../src/train/config.js';
import { checkpointSteps } from '../src/train/checkpoint-schedule.js';
import { makeDataSchedule } from '../src/train/data-schedule.js';
import { makeLrSchedule } from '../src/train/lr-schedule.js';
import { MetricsLog } from '../src/run/metrics-log.js';
import { makeOptimizer } from '../src/train/optimizer.js';
import { byName, lossPerSource } from '../src/train/step-stats.js';
import type { TrainingData } from '../src/train/training-data.js';
import { train } from '../src/train/trainer.js';
import { benchCheckpointWrite } from './loop-checkpoint.js';
import { median } from './util.js';

/** The quick corpus with a byte-level vocabulary, built once and reused between runs. */
async function byteCorpus(): Promise<string> {
  const dir = join(tmpdir(), 'slurry-bench-corpus-quick-byte');
  if (!existsSync(join(dir, 'manifest.json'))) {
    await buildCorpus({
      config: presetConfig('quick', { vocabSize: 'byte' }),
      out: dir,
      force: true,
      progress: 'silent',
    });
  }
  return dir;
}

export interface StepTimes {
  bare_ms: number;
  loop_ms: number;
  overhead_ms: number;
  overhead_pct: number;
}

export interface LoopBench {
  model: string;
  backend: string;
  wall: StepTimes;
  cpu: StepTimes;
}

/** A step's duration by both clocks. */
interface Sample {
  wall: number;
  cpu: number;
}

const now = (): Sample => ({ wall: performance.now(), cpu: cpuMs() });
const since = (a: Sample, b: Sample): Sample => ({ wall: b.wall - a.wall, cpu: b.cpu - a.cpu });

export async function benchLoop(
  opts: { model?: 'A' | 'small'; steps?: number; rounds?: number } = {},
): Promise<LoopBench> {
  const info = kernels().info();
  const which = opts.model ?? (info.name === 'native' ? 'A' : 'small');
  const steps = opts.steps ?? (which === 'A' ? 12 : 20);
  const rounds = opts.rounds ?? 3;
  const p = BENCH_PRESETS.A;
  const data = openCorpusData(await byteCorpus());
  const modelSpec =
    which === 'A' ? { n_layer: p.n_layer, n_head: p.n_head, n_embd: p.n_embd } : { n_layer: 1, n_head: 2, n_embd: 32 };
  const raw = {
    corpus: data.dir,
    model: modelSpec,
    batch_size: p.batch_size,
    context: p.context,
    steps,
    // Checkpoints only at the ends and no evaluation: the loop's per-step work alone.
    checkpoints: { log_until: 0, every: 1_000_000 },
    eval: { every: 0, at_checkpoints: false },
  };
  const config = resolveTrainConfig(parseTrainConfig(raw, 'bench'), {
    sources: data.sources,
    vocabSize: data.tokenizer.vocabSize,
    where: 'bench',
  });

  const bare: Sample[] = [];
  const loop: Sample[] = [];
  for (let r = 0; r < rounds; r++) {
    // Alternate which goes first, so neither always runs on a warmer (or busier) machine.
    if (r % 2 === 0) bare.push(...bareSteps(config, data, steps));
    loop.push(...(await loopSteps(raw, data)));
    if (r % 2 === 1) bare.push(...bareSteps(config, data, steps));
  }
  const times = (clock: keyof Sample): StepTimes => {
    const b = median(bare.map((x) => x[clock]));
    const l = median(loop.map((x) => x[clock]));
    return {
      bare_ms: round(b),
      loop_ms: round(l),
      overhead_ms: round(l - b),
      overhead_pct: round((100 * (l - b)) / b),
    };
  };
  return {
    model: which === 'A' ? 'A (L4 H4 d128)' : 'small (L1 H2 d32; B, T, V of A)',
    backend: `${info.name}/${info.isa}/${info.threads}t`,
    wall: times('wall'),
    cpu: times('cpu'),
  };
}

/**
 * The per-step work of trainer.ts's loop other than the model, in the same order, with the
 * model's outputs (row losses, loss, gradient norm) stood in by fixed values. Wall-clock
 * milliseconds per step, median of blocks of 50 steps.
 */
export async function benchBookkeeping(steps = 500): Promise<number> {
  const p = BENCH_PRESETS.A;
  const data = openCorpusData(await byteCorpus());
  const raw = {
    corpus: data.dir,
    batch_size: p.batch_size,
    context: p.context,
    steps,
    data: { schedule: { kind: 'adaptive' } },
  };
  const c = resolveTrainConfig(parseTrainConfig(raw, 'bench'), {
    sources: data.sources,
    vocabSize: data.tokenizer.vocabSize,
    where: 'bench',
  });
  const schedule = makeDataSchedule(c.data.schedule, data.sources, c.steps);
  const lrAt = makeLrSchedule({ lr: c.optimizer.lr, steps: c.steps, schedule: c.lr_schedule });
  const ckptSteps = new Set(
    checkpointSteps(c.steps, { logUntil: c.checkpoints.log_until, every: c.checkpoints.every }),
  );
  const names = data.sources.map((s) => s.name);
  const K = names.length;
  const [sum, count, bySource] = [new Float64Array(K), new Float64Array(K), new Float64Array(K)];
  const rowLosses = Float32Array.from({ length: p.batch_size * p.context }, (_, i) => 2 + Math.sin(i));
  const dir = mkdtempSync(join(tmpdir(), 'slurry-bench-bookkeeping-'));
  const metrics = new MetricsLog(join(dir, 'metrics.jsonl'));
  const blocks: number[] = [];
  let sink = 0;
  let t0 = performance.now();
  for (let step = 1; step <= steps; step++) {
    const weights = schedule.weightsAt(step);
    const batch = data.batch(c.data.seed, step - 1, weights, p.batch_size, p.context);
    const lr = lrAt(step);
    lossPerSource(rowLosses, batch, sum, count, bySource);
    schedule.observe(bySource);
    metrics.append({
      type: 'train',
      step,
      tokens: step * p.batch_size * p.context,
      loss: 3.25,
      loss_by_source: byName(names, bySource),
      lr,
      grad_norm: 0.5,
      tokens_per_s: 1000,
      weights: byName(names, weights),
      time: performance.now() / 1000,
    });
    sink += Number((c.eval.every > 0 && step % c.eval.every === 0) || ckptSteps.has(step));
    if (step % 50 === 0) {
      blocks.push((performance.now() - t0) / 50);
      t0 = performance.now();
    }
  }
  metrics.close();
  rmSync(dir, { recursive: true, force: true });
  if (sink < 0) console.log(sink); // keeps the checks from being optimised away
  return median(blocks);
}

/** Forward, backward and AdamW update alone, on the corpus's batches (drawn outside the timing). */
function bareSteps(config: ReturnType<typeof resolveTrainConfig>, data: TrainingData, steps: number): Sample[] {
  const model = GPT.init(config.model, config.seed);
  const optimizer = makeOptimizer(model, config.optimizer);
  const weights = weightVector(config.data.schedule.kind === 'mix' ? config.data.schedule.weights : {}, data.sources);
  const batches = Array.from({ length: steps }, (_, k) =>
    data.batch(config.data.seed, k, weights, config.batch_size, config.context),
  );
  const pool = new BufferPool();
  const times: Sample[] = [];
  for (const batch of batches) {
    const t0 = now();
    const g = model.graph(true, { pool });
    const { loss } = model.loss(g, batch.inputs, batch.targets, config.batch_size, config.context);
    model.zeroGrad();
    g.backward(loss);
    g.release();
    optimizer.step(1e-3, config.optimizer.grad_clip);
    times.push(since(t0, now()));
  }
  return times.slice(1); // the first step warms the pool
}

/** Full train() steps: the time between consecutive progress callbacks. */
async function loopSteps(raw: object, data: TrainingData): Promise<Sample[]> {
  const out = join(mkdtempSync(join(tmpdir(), 'slurry-bench-loop-')), 'run');
  const stamps: Sample[] = [];
  try {
    await train(raw, { out, data, onProgress: () => void stamps.push(now()), log: () => {} });
  } finally {
    rmSync(join(out, '..'), { recursive: true, force: true });
  }
  // Interval i is step i+1 entire; the first step (after checkpoint 0) warms the pool.
  return stamps
    .slice(1)
    .map((t, i) => since(stamps[i], t))
    .slice(1);
}

/** CPU time of this process (all threads), in milliseconds. */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

function round(x: number): number {
  return Number(x.toFixed(2));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const model = arg('model') as 'A' | 'small' | undefined;
  if (model !== undefined && model !== 'A' && model !== 'small')
    throw new Error(`--model ${model}: expected A or small`);
  const steps = arg('steps') ? Number(arg('steps')) : undefined;
  const rounds = arg('rounds') ? Number(arg('rounds')) : undefined;
  console.log('## Training loop overhead (median step, ms)');
  console.log('| model | backend | clock | bare step | loop step | overhead | overhead % |');
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  const r = await benchLoop({ model, steps, rounds });
  for (const clock of ['wall', 'cpu'] as const) {
    const t = r[clock];
    console.log(
      `| ${r.model} | ${r.backend} | ${clock} | ${t.bare_ms} | ${t.loop_ms} | ${t.overhead_ms} | ${t.overhead_pct}% |`,
    );
  }
  const bookkeeping = await benchBookkeeping();
  console.log(
    `\nBookkeeping alone (no model; adaptive schedule, A's batch shape): ${bookkeeping.toFixed(3)} ms per step, median of 50-step blocks.`,
  );
  console.log('\n## Checkpoint write (median of 5, ms)');
  console.log('| config | parameters | MB (weights + AdamW) | write ms | all |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const name of ['A', 'B']) {
    const c = await benchCheckpointWrite(name);
    console.log(
      `| ${name} | ${c.parameters.toLocaleString('en-US')} | ${c.megabytes} | ${c.write_ms_median} | ${c.write_ms_all.join(', ')} |`,
    );
  }
}
