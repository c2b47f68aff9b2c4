/**
 * The training loop, readable top to bottom: for each step, the schedule picks the mixture,
 * the sampler gives batch (step - 1), the model takes a forward/backward pass, the
 * divergence guard checks the loss and the gradient norm, the optimizer updates, and one record
 * goes to metrics.jsonl; validation and checkpoints come on their schedules.
 *
 * Everything a step computes is a function of the checkpointed state (weights, optimizer
 * state, bandit state, learning-rate scale) and the step number, so a run resumed from
 * any checkpoint produces the same losses, bit for bit, as one that never stopped.
 */
import { kernels } from '../engine/backend.js';
import { BufferPool } from '../engine/buffer-pool.js';
import type { BackendInfo } from '../engine/kernels.js';
import { firstNonFinite } from '../model/checkpoint.js';
import type { Precision } from '../engine/precision.js';
import type { GPT } from '../model/gpt.js';
import { checkpointEntry, writeCheckpointIndex } from '../run/checkpoint.js';
import { checkpointDirName, runPaths } from '../run/layout.js';
import { lockRun, type LockWait } from '../run/lock.js';
import { MetricsLog } from '../run/metrics-log.js';
import type { CheckpointEntry, TrainRecord, ValRecord } from '../run/records.js';
import { SlurryError } from '../util/errors.js';
import { checkpointSteps } from './checkpoint-schedule.js';
import { newestGoodCheckpoint, readTrainingState, restoreOptimizer, writeCheckpoint } from './checkpoint-io.js';
import { openCorpusData } from './corpus-data.js';
import { makeDataSchedule } from './data-schedule.js';
import { makeLrSchedule } from './lr-schedule.js';
import { setupFresh, setupResume, type DataOpener, type RunSetup } from './run-setup.js';
import { byName, lossPerSource } from './step-stats.js';
import type { Batch } from '../data/sampler.js';
import type { TrainingData } from './training-data.js';

/** What the loop reports after each step (for progress bars). */
export interface StepProgress {
  step: number;
  steps: number;
  tokens: number;
  totalTokens: number;
  loss: number;
  tokensPerS: number;
  /** Wall-clock seconds since this process started training. */
  elapsed: number;
}

export interface TrainOptions {
  /** The run directory. */
  out: string;
  /** Continue the run in `out` from its last checkpoint. */
  resume?: boolean;
  /** An opened corpus (instead of opening the config's `corpus`). */
  data?: TrainingData;
  /** How to open a corpus directory (default: the corpus built by `slurry data build`). */
  openData?: DataOpener;
  /** Names the config's origin in errors. */
  where?: string;
  /** Called after each checkpoint is complete on disk (probes run here). */
  onCheckpoint?: (step: number, dir: string) => void | Promise<void>;
  /** Called once before the first step of this call, with the step it starts from. */
  onStart?: (p: { step: number; steps: number; tokens: number; totalTokens: number }) => void;
  onProgress?: (p: StepProgress) => void;
  /** One-line notices (resuming); default: stderr. */
  log?: (line: string) => void;
  /**
   * Lines that say something went wrong or changed the run (a checkpoint skipped on resume,
   * a rollback, another backend): a caller that silences `log` still shows these. Default: `log`.
   */
  warn?: (line: string) => void;
  /** Wait this long for another process's train.lock on `out` instead of refusing at once. */
  lockWait?: LockWait;
}

export interface TrainResult {
  run: string;
  steps: number;
  tokens: number;
  /** Loss of the last step trained in this call (NaN when none was). */
  finalLoss: number;
  checkpoints: CheckpointEntry[];
}

export async function train(config: unknown, opts: TrainOptions): Promise<TrainResult> {
  const openData = opts.openData ?? openCorpusData;
  const log = opts.log ?? ((line: string) => process.stderr.write(`slurry: ${line}\n`));
  // One trainer per run directory: taken before a resume reads anything, and by a fresh
  // run once its config is valid, before it writes anything.
  let unlock = () => {};
  const lock = () => {
    unlock = lockRun(runPaths(opts.out).trainLock, opts.out, 'training', opts.lockWait);
  };
  try {
    const warn = opts.warn ?? log;
    const o = { where: opts.where, data: opts.data, openData, lock, warn };
    const setup = opts.resume ? setupResume(config, opts.out, o) : setupFresh(config, opts.out, o);
    return await runLoop(setup, opts, log, warn);
  } finally {
    unlock();
  }
}

async function runLoop(
  s: RunSetup,
  opts: TrainOptions,
  log: (line: string) => void,
  warn: (line: string) => void,
): Promise<TrainResult> {
  const { run, config: c, data, model, optimizer } = s;
  const B = c.batch_size;
  const T = c.context;
  const perStep = B * T;
  const K = data.sources.length;
  const names = data.sources.map((x) => x.name);
  const paths = runPaths(run);

  let state = s.state;
  let schedule = makeDataSchedule(c.data.schedule, data.sources, c.steps, state.schedule);
  const lrAt = makeLrSchedule({
    lr: c.optimizer.lr,
    steps: c.steps,
    schedule: c.lr_schedule,
    annealStart: schedule.annealStart,
  });
  const ckptSteps = new Set(
    checkpointSteps(c.steps, { logUntil: c.checkpoints.log_until, every: c.checkpoints.every }),
  );
  const isEvalStep = (step: number) =>
    (c.eval.every > 0 && step % c.eval.every === 0) || (c.eval.at_checkpoints && ckptSteps.has(step));
  const validation = data.sources.map((_, i) => data.validation(i, c.eval.batches, B, T));
  const checkpoints = new Map(s.checkpoints.map((e) => [e.step, e]));
  let metrics = new MetricsLog(paths.metrics, s.resumed ? state.step : undefined);
  if (s.resumed) {
    log(`resuming ${run} from ${checkpointDirName(state.step)} (step ${state.step} of ${c.steps})`);
    const [was, now] = [state.backend, kernels().info()];
    if (was.name !== now.name || was.isa !== now.isa || was.threads !== now.threads) {
      warn(
        `warning: the run started on ${backendLabel(was)} and continues on ${backendLabel(now)}: losses will not be bit-identical to an uninterrupted run`,
      );
    }
  }

  const pool = new BufferPool();
  const lossSum = new Float64Array(K);
  const lossCount = new Float64Array(K);
  const lossBySource = new Float64Array(K);
  const started = performance.now();
  const timeOffset = state.time;
  const elapsed = () => (performance.now() - started) / 1000;
  let finalLoss = NaN;

  /**
   * The divergence guard: the run goes back to the newest checkpoint before `step` that is
   * good (its weights load and are finite; a checkpoint is only written when its weights
   * are finite and its validation loss is sane) with the learning rate lowered by
   * divergence.lr_factor, and stops with a message when rollback is off, the rollbacks are
   * spent, or no good checkpoint is left. Returns the step to continue after.
   */
  const rollBack = (step: number, reason: string): number => {
    metrics.close();
    const { good, skipped } = newestGoodCheckpoint(
      run,
      [...checkpoints.keys()].filter((s) => s < step),
    );
    for (const s of skipped) warn(`skipping checkpoint ${checkpointDirName(s.step)}: ${s.reason}`);
    const lastGood = good
      ? ` The last good checkpoint is ${good.dir} (step ${good.step}).`
      : ' No checkpoint before it is good.';
    if (!c.divergence.rollback || state.rollbacks.length >= c.divergence.max_rollbacks || !good) {
      const why = !c.divergence.rollback
        ? ''
        : !good
          ? ' (nothing to roll back to)'
          : ` after ${state.rollbacks.length} rollbacks (divergence.max_rollbacks)`;
      throw new SlurryError(
        `step ${step}: ${reason}; training stopped${why}.${lastGood}` +
          (c.divergence.rollback
            ? ' Lower optimizer.lr, or raise divergence.max_rollbacks.'
            : ' Set divergence.rollback: true to go back to it with a lower learning rate automatically.'),
      );
    }
    // Back to the checkpoint, and retry with a lower learning rate.
    const saved = readTrainingState(good.dir);
    copyWeights(good.model, model);
    restoreOptimizer(good.dir, optimizer);
    const lr_scale = state.lr_scale * c.divergence.lr_factor;
    state = { ...saved, lr_scale, rollbacks: [...state.rollbacks, { step, to_step: good.step, reason, lr_scale }] };
    schedule = makeDataSchedule(c.data.schedule, data.sources, c.steps, saved.schedule);
    for (const s of [...checkpoints.keys()]) if (s > good.step) checkpoints.delete(s);
    metrics = new MetricsLog(paths.metrics, good.step);
    warn(
      `step ${step}: ${reason}; rolled back to ${checkpointDirName(good.step)} with learning-rate scale ${lr_scale}`,
    );
    return good.step;
  };

  /** Why the run at `step` must not be checkpointed (weights not finite, validation loss absurd), or null. */
  const unhealthy = (step: number, val: ValRecord | null): string | null => {
    for (const { spec, tensor } of model.parameters()) {
      const i = firstNonFinite(tensor.data);
      if (i >= 0) return `the weights are not finite after step ${step} (${spec.name}[${i}] = ${tensor.data[i]})`;
    }
    if (val && !saneLoss(val.loss, data.tokenizer.vocabSize)) {
      return `the validation loss is ${val.loss}, above ${DIVERGED_LOSS_FACTOR} x ln(vocabulary) = ${(DIVERGED_LOSS_FACTOR * Math.log(data.tokenizer.vocabSize)).toFixed(2)}`;
    }
    return null;
  };

  const checkpoint = async (step: number) => {
    metrics.flush(true);
    state = {
      ...state,
      step,
      tokens: step * perStep,
      time: timeOffset + elapsed(),
      data: { ...state.data, position: step },
      schedule: schedule.state(),
      backend: kernels().info(),
    };
    const dir = await writeCheckpoint(run, {
      model,
      optimizer,
      state,
      tokenizerJson: data.tokenizerJson,
      eotId: data.tokenizer.eotId,
    });
    checkpoints.set(step, checkpointEntry(step, state.tokens));
    writeCheckpointIndex(run, [...checkpoints.values()]);
    await opts.onCheckpoint?.(step, dir);
  };
  const validate = (step: number): ValRecord => {
    const record = evaluate(model, validation, names, pool, step, step * perStep, B, T, c.precision);
    metrics.append(record);
    return record;
  };

  if (state.step === 0 && !checkpoints.has(0)) {
    if (isEvalStep(0)) validate(0);
    await checkpoint(0);
  }

  opts.onStart?.({ step: state.step, steps: c.steps, tokens: state.tokens, totalTokens: c.tokens });
  for (let step = state.step + 1; step <= c.steps; step++) {
    const t0 = performance.now();
    const weights = schedule.weightsAt(step);
    const batch = data.batch(c.data.seed, step - 1, weights, B, T, c.data.repeats);
    const lr = lrAt(step) * state.lr_scale;

    const g = model.graph(true, { pool, precision: c.precision });
    const { loss, rowLosses } = model.loss(g, batch.inputs, batch.targets, B, T);
    const lossValue = loss.data[0];
    let norm = NaN;
    if (Number.isFinite(lossValue)) {
      model.zeroGrad();
      g.backward(loss);
      norm = optimizer.gradNorm();
    }
    lossPerSource(rowLosses, batch, lossSum, lossCount, lossBySource);
    g.release();

    if (!Number.isFinite(lossValue) || !Number.isFinite(norm)) {
      step = rollBack(step, !Number.isFinite(lossValue) ? `the loss is ${lossValue}` : `the gradient norm is ${norm}`);
      continue;
    }

    optimizer.step(lr, c.optimizer.grad_clip, norm);
    schedule.observe(lossBySource);
    finalLoss = lossValue;
    const seconds = (performance.now() - t0) / 1000;
    const record: TrainRecord = {
      type: 'train',
      step,
      tokens: step * perStep,
      loss: lossValue,
      loss_by_source: byName(names, lossBySource),
      lr,
      grad_norm: norm,
      tokens_per_s: perStep / seconds,
      weights: byName(names, weights),
      time: timeOffset + elapsed(),
    };
    metrics.append(record);
    opts.onProgress?.({
      step,
      steps: c.steps,
      tokens: record.tokens,
      totalTokens: c.tokens,
      loss: lossValue,
      tokensPerS: record.tokens_per_s,
      elapsed: elapsed(),
    });
    const val = isEvalStep(step) ? validate(step) : null;
    const sick = ckptSteps.has(step) || val !== null ? unhealthy(step, val) : null;
    if (sick) {
      step = rollBack(step, sick);
      continue;
    }
    if (ckptSteps.has(step)) await checkpoint(step);
  }
  metrics.close();
  return {
    run,
    steps: c.steps,
    tokens: c.tokens,
    finalLoss,
    checkpoints: [...checkpoints.values()].sort((a, b) => a.step - b.step),
  };
}

/** Validation loss per source on the fixed validation batches. */
function evaluate(
  model: GPT,
  validation: Batch[][],
  names: readonly string[],
  pool: BufferPool,
  step: number,
  tokens: number,
  B: number,
  T: number,
  precision: Precision,
): ValRecord {
  const bySource: Record<string, number> = {};
  let sum = 0;
  let count = 0;
  validation.forEach((batches, k) => {
    let s = 0;
    let n = 0;
    for (const batch of batches) {
      const g = model.graph(false, { pool, precision });
      const { rowLosses } = model.loss(g, batch.inputs, batch.targets, B, T);
      for (let i = 0; i < batch.targets.length; i++) {
        if (batch.targets[i] < 0) continue;
        s += rowLosses[i];
        n++;
      }
      g.release();
    }
    if (n > 0) bySource[names[k]] = s / n;
    sum += s;
    count += n;
  });
  return { type: 'val', step, tokens, loss: count > 0 ? sum / count : NaN, loss_by_source: bySource };
}

/**
 * A validation loss past this multiple of ln(vocabulary) (the loss of a uniform guess, where
 * training starts) means the run has diverged, even while the numbers are finite.
 */
export const DIVERGED_LOSS_FACTOR = 2;

export function saneLoss(loss: number, vocabSize: number): boolean {
  return Number.isFinite(loss) && loss <= DIVERGED_LOSS_FACTOR * Math.log(vocabSize);
}

function backendLabel(b: BackendInfo): string {
  return `${b.name}/${b.isa} with ${b.threads} thread${b.threads === 1 ? '' : 's'}`;
}

function copyWeights(from: GPT, to: GPT): void {
  for (const { spec, tensor } of to.parameters()) tensor.data.set(from.param(spec.name).data);
}
