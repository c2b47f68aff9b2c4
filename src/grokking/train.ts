/**
 * A grokking run: full-batch AdamW on the training pairs, the loss on the answer only
 * (logits of the '=' position, computed through GPT.forward's lastPosition path), progress
 * measures at the evaluation steps, checkpoints on the log-then-linear schedule of language
 * runs, and after training the measures that need the final model's key frequencies.
 *
 *   RUN/config.json        the resolved GrokConfig (the model config written out in full)
 *   RUN/metrics.jsonl      grok_train (every step), grok_eval, then grok_progress records
 *                          (run/metrics-log.ts: buffered, fsynced before each checkpoint)
 *   RUN/checkpoints/       step-N/ directories and index.json
 *   RUN/summary.json       GrokSummary: memorisation and grokking steps, their ratio, times
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { kernels } from '../engine/backend.js';
import { BufferPool } from '../engine/buffer-pool.js';
import { precisionUnavailable, resolvePrecision } from '../engine/precision.js';
import { loadModel } from '../model/checkpoint.js';
import { countParameters, GPT } from '../model/gpt.js';
import { writeCheckpointIndex } from '../run/checkpoint.js';
import { runPaths } from '../run/layout.js';
import { MetricsLog } from '../run/metrics-log.js';
import type { CheckpointEntry } from '../run/records.js';
import { AdamW } from '../train/adamw.js';
import { checkpointSteps } from '../train/checkpoint-schedule.js';
import { SlurryError } from '../util/errors.js';
import { writeJsonAtomic } from '../util/fs.js';
import { writeGrokCheckpoint } from './checkpoint.js';
import { grokModelConfig, type GrokConfig } from './config.js';
import { accuracy, measureStep, predict } from './evaluate.js';
import { embeddingSpectrum, keyFrequencies } from './fourier.js';
import { neuronKeyShare } from './neuron-fourier.js';
import type { GrokEvalRecord, GrokProgressRecord, GrokRecord, GrokSummary, GrokTrainRecord } from './records.js';
import { makeDataset, SEQ_LEN, type GrokDataset } from './task.js';

/** Test accuracy that counts as grokked. */
export const GROKKED_ACC = 0.95;

export interface GrokRunOptions {
  /** Receives progress lines (default: stderr). */
  log?: (line: string) => void;
}

/** Steps 0, 1, 2, 4, ... below `every`, then every `every` steps, and the last step. */
function schedule(steps: number, every: number): Set<number> {
  return new Set(checkpointSteps(steps, { logUntil: every - 1, every }));
}

export async function trainGrok(config: GrokConfig, run: string, opts: GrokRunOptions = {}): Promise<GrokSummary> {
  const log = opts.log ?? ((line: string) => process.stderr.write(line + '\n'));
  const paths = runPaths(run);
  if (existsSync(paths.metrics))
    throw new SlurryError(`--out ${run}: already holds a run (metrics.jsonl); choose a new directory`);
  // Refused before anything is written: a precision this CPU cannot run leaves no directory.
  const precision = resolvePrecision(config.precision, kernels());
  const unavailable = precisionUnavailable(precision, kernels());
  if (unavailable) throw new SlurryError(`--precision ${precision}: ${unavailable} (use fp32 or auto)`);
  mkdirSync(run, { recursive: true });

  const modelConfig = grokModelConfig(config);
  const resolved: GrokConfig = { ...config, model: modelConfig, precision };
  const ds = makeDataset(config.op, config.p, config.train_frac, config.seed);
  writeJsonAtomic(paths.config, resolved);

  const model = GPT.init(modelConfig, config.seed);
  // Weight decay on every parameter, biases included, as in Nanda et al. and torch_grok.py.
  const o = config.optimizer;
  const opt = new AdamW(
    model.parameters().map(({ spec, tensor }) => ({ name: spec.name, tensor, decay: true })),
    { beta1: o.beta1, beta2: o.beta2, eps: o.eps, weightDecay: o.weight_decay },
  );
  const V = modelConfig.vocab_size;
  const n = ds.train.size;
  const evalSteps = schedule(config.steps, config.eval_every);
  const ckptSteps = schedule(config.steps, config.checkpoint_every);
  const tokensAt = (step: number) => step * n * SEQ_LEN;
  const info = kernels().info();
  log(
    `grok: ${config.op} mod ${config.p}, ${n} train / ${ds.test.size} test pairs, ${countParameters(modelConfig)} parameters, wd ${config.optimizer.weight_decay}, up to ${config.steps} steps [${info.name}/${info.isa}, ${info.threads} threads]`,
  );

  const pool = new BufferPool();
  const metrics = new MetricsLog<GrokRecord>(paths.metrics);
  const entries: CheckpointEntry[] = [];
  const stepTimes: number[] = [];
  const t0 = performance.now();
  const elapsed = () => (performance.now() - t0) / 1000;
  let memorised: { step: number; wall: number } | null = null;
  let grokked: { step: number; wall: number } | null = null;
  let streakStart: number | null = null;
  let stopReason = 'max_steps';
  let last: GrokEvalRecord | null = null;
  let lastPrint = -Infinity;

  for (let step = 0; ; step++) {
    const ts = performance.now();
    const g = model.graph(true, { pool, precision });
    const logits = model.forward(g, ds.train.tokens, n, SEQ_LEN, { lastPosition: true });
    const { loss } = g.crossEntropy(logits, ds.train.labels);
    const trainLoss = loss.data[0];
    const trainAcc = accuracy(logits.data, ds.train.labels, V);
    const forwardMs = performance.now() - ts;
    const lr = config.optimizer.lr * Math.min((step + 1) / Math.max(config.lr_schedule.warmup_steps, 1), 1);
    const record: GrokTrainRecord = {
      type: 'grok_train',
      step,
      train_loss: trainLoss,
      train_acc: trainAcc,
      lr,
      time: elapsed(),
    };
    metrics.append(record);
    if (!memorised && trainAcc === 1) memorised = { step, wall: elapsed() };

    let stop = step >= config.steps;
    if (!Number.isFinite(trainLoss)) {
      stop = true;
      stopReason = `non-finite training loss at step ${step}`;
    }
    if (evalSteps.has(step) || stop) {
      const m = measureStep(model, ds, logits.data, predict(model, ds.test, pool, precision));
      last = { type: 'grok_eval', step, ...m, time: elapsed() };
      metrics.append(last);
      let event = '';
      if (!grokked && m.test_acc >= GROKKED_ACC) {
        grokked = { step, wall: elapsed() };
        event = '  <- grokked';
      }
      if (m.test_acc >= config.stop_acc) {
        streakStart ??= step;
        if (config.stop_after > 0 && step - streakStart >= config.stop_after && !stop) {
          stop = true;
          stopReason = `test accuracy >= ${config.stop_acc} for ${config.stop_after} steps`;
        }
      } else {
        streakStart = null;
      }
      if (event || stop || elapsed() - lastPrint >= 5) {
        lastPrint = elapsed();
        const rate = stepTimes.length ? (1000 / median(stepTimes)).toFixed(1) : '-';
        log(
          `step ${String(step).padStart(6)}  train ${m.train_loss.toExponential(2)} ${(100 * m.train_acc).toFixed(1)}%  ` +
            `test ${m.test_loss.toExponential(2)} ${(100 * m.test_acc).toFixed(1)}%  |W| ${m.weight_norm.toFixed(1)}  ` +
            `key [${m.key_frequencies.join(',')}] ${(100 * m.key_share).toFixed(0)}%  ${rate} steps/s  ${elapsed().toFixed(0)}s${event}`,
        );
      }
    }
    if (ckptSteps.has(step) || stop) {
      metrics.flush(true);
      const state = { step, tokens: tokensAt(step), time: elapsed(), config: resolved };
      entries.push(await writeGrokCheckpoint(run, model, opt, state));
      writeCheckpointIndex(run, entries);
    }
    if (stop) {
      g.release();
      break;
    }
    // Step time counts forward, backward and update, not the evaluation or checkpoint between.
    const tb = performance.now();
    model.zeroGrad();
    g.backward(loss);
    g.release();
    opt.step(lr);
    stepTimes.push(forwardMs + performance.now() - tb);
  }
  const wallTotal = elapsed();

  const finalKeys = keyFrequencies(
    embeddingSpectrum(model.param('transformer.wte.weight').data, config.p, modelConfig.n_embd),
  );
  for (const r of measureCheckpoints(run, entries, ds, finalKeys, pool)) metrics.append(r);
  metrics.close();

  const summary: GrokSummary = {
    op: config.op,
    p: config.p,
    train_frac: config.train_frac,
    weight_decay: config.optimizer.weight_decay,
    seed: config.seed,
    n_train: n,
    n_test: ds.test.size,
    n_params: countParameters(modelConfig),
    backend: `${info.name}/${info.isa}`,
    threads: info.threads,
    steps_done: last!.step,
    stop_reason: stopReason,
    memorised_step: memorised?.step ?? null,
    grokked_step: grokked?.step ?? null,
    ratio: memorised && grokked ? grokked.step / Math.max(memorised.step, 1) : null,
    wall_s_to_memorise: memorised?.wall ?? null,
    wall_s_to_grok: grokked?.wall ?? null,
    wall_s_total: wallTotal,
    step_s_median: stepTimes.length ? median(stepTimes) / 1000 : null,
    final: {
      train_loss: last!.train_loss,
      train_acc: last!.train_acc,
      test_loss: last!.test_loss,
      test_acc: last!.test_acc,
      weight_norm: last!.weight_norm,
    },
    final_key_frequencies: finalKeys,
  };
  writeJsonAtomic(paths.summary, summary);
  log(
    `grok: ${stopReason} after ${summary.steps_done} steps, ${wallTotal.toFixed(1)} s; memorised at ${summary.memorised_step ?? '-'}, ` +
      `grokked at ${summary.grokked_step ?? '-'}${summary.ratio ? ` (ratio ${summary.ratio.toFixed(1)})` : ''}; final key frequencies [${finalKeys.join(', ')}]`,
  );
  return summary;
}

/**
 * Nanda et al.'s measures at every checkpoint, with the key frequencies of the final model
 * (restricted and excluded loss need them, and they are only known once training is over).
 */
function measureCheckpoints(
  run: string,
  entries: CheckpointEntry[],
  ds: GrokDataset,
  keys: number[],
  pool: BufferPool,
): GrokProgressRecord[] {
  return entries.map((entry) => {
    const m = loadModel(join(runPaths(run).checkpoints, entry.dir));
    const s = measureStep(m, ds, predict(m, ds.train, pool), predict(m, ds.test, pool), keys);
    return {
      type: 'grok_progress',
      step: entry.step,
      key_frequencies: keys,
      key_share: s.key_share,
      neuron_key_share: neuronKeyShare(m, ds, keys),
      restricted_loss: s.restricted_loss,
      excluded_loss: s.excluded_loss,
      train_loss: s.train_loss,
      test_loss: s.test_loss,
    };
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
