/**
 * Training checkpoints: what goes into RUN/checkpoints/step-0000128/ (src/run/checkpoint.ts
 * writes, verifies and lists the directories):
 *   model.safetensors, config.json   weights and GPT2Config (Hugging Face layout)
 *   tokenizer.json                   the corpus's tokenizer
 *   optimizer.safetensors            the optimizer's state under PyTorch's names: AdamW moments
 *                                    exp_avg.<param> / exp_avg_sq.<param>, Muon's
 *                                    momentum_buffer.<param>; the step count and kind in metadata
 *   state.json                       TrainingState: step, tokens, data position, schedule
 *                                    (bandit) state, learning-rate scale, the resolved config
 *   manifest.json                    sha256 and size of each file above
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { BackendInfo } from '../engine/kernels.js';
import { hfConfig, loadModel } from '../model/checkpoint.js';
import type { GPT } from '../model/gpt.js';
import { encodeSafetensors, readSafetensors } from '../model/safetensors.js';
import { jsonBytes, verifyCheckpoint, writeCheckpointDir, type CheckpointFile } from '../run/checkpoint.js';
import { checkpointDir, CONFIG_FILE, MODEL_FILE, OPTIMIZER_FILE, STATE_FILE, TOKENIZER_FILE } from '../run/layout.js';
import { SlurryError } from '../util/errors.js';
import { readJsonFile } from '../util/json.js';
import type { BanditState } from './bandit.js';
import type { ResolvedTrainConfig } from './config.js';
import type { Optimizer } from './optimizer.js';

/** A divergence the run recovered from by going back to a checkpoint. */
export interface RollbackEvent {
  /** The step whose loss or gradient was not finite. */
  step: number;
  /** The checkpoint step the run went back to. */
  to_step: number;
  reason: string;
  /** The learning-rate scale from then on. */
  lr_scale: number;
}

/** RUN/checkpoints/step-N/state.json */
export interface TrainingState {
  step: number;
  tokens: number;
  /** Wall-clock seconds of training when the checkpoint was taken (metrics' `time` continues from it). */
  time: number;
  /** Data position: the next batch index. Batch k is a pure function of (data.seed, k), so this is the step. */
  data: { seed: number; position: number };
  /** The adaptive mixture's bandit state (null for fixed schedules). */
  schedule: BanditState | null;
  /** Multiplier of the scheduled learning rate (below 1 after divergence rollbacks). */
  lr_scale: number;
  rollbacks: RollbackEvent[];
  /** Hash of the corpus the run trains on: a resume refuses a different one. */
  corpus_fingerprint: string;
  /** The resolved config of the run: a resume refuses an edited RUN/config.json. */
  config: ResolvedTrainConfig;
  backend: BackendInfo;
}

const isObject = (v: unknown) => typeof v === 'object' && v !== null;
const count = z.number().int().nonnegative();

/**
 * state.json's fields. The config, the backend and the bandit state are checked as objects
 * here; a resume compares the config with the run's whole, field by field.
 */
const trainingStateSchema: z.ZodType<TrainingState> = z.object({
  step: count,
  tokens: z.number().nonnegative(),
  time: z.number(),
  data: z.object({ seed: z.number(), position: count }),
  schedule: z.custom<BanditState>(isObject, 'expected an object').nullable(),
  lr_scale: z.number().positive(),
  rollbacks: z.array(z.object({ step: count, to_step: count, reason: z.string(), lr_scale: z.number() })),
  corpus_fingerprint: z.string(),
  config: z.custom<ResolvedTrainConfig>(isObject, 'expected an object'),
  backend: z.custom<BackendInfo>(isObject, 'expected an object'),
});

export interface CheckpointContents {
  model: GPT;
  optimizer: Optimizer;
  state: TrainingState;
  tokenizerJson: string;
  eotId: number;
}

/**
 * The files of a checkpoint of `model` and `optimizer` (those saveModel writes, loadModel
 * reads, plus the optimizer moments and `state` as state.json), for writeCheckpointDir.
 * `modelConfig` holds the fields config.json carries besides the model's (slurry's step).
 */
export function checkpointFiles(
  model: GPT,
  optimizer: Optimizer,
  state: unknown,
  modelConfig: Record<string, unknown>,
  tokenizerJson?: string,
): CheckpointFile[] {
  const modelTensors = model.parameters().map(({ spec, tensor }) => ({
    name: spec.name,
    shape: spec.shape,
    data: tensor.data,
  }));
  return [
    [MODEL_FILE, encodeSafetensors(modelTensors, { format: 'pt' })],
    [CONFIG_FILE, [jsonBytes(hfConfig(model.config, modelConfig))]],
    ...(tokenizerJson === undefined ? [] : [[TOKENIZER_FILE, [Buffer.from(tokenizerJson)]] satisfies CheckpointFile]),
    [
      OPTIMIZER_FILE,
      encodeSafetensors(optimizer.stateTensors(), { step: String(optimizer.t), optimizer: optimizer.kind }),
    ],
    [STATE_FILE, [jsonBytes(state)]],
  ];
}

/** Writes the training checkpoint of `state.step` atomically; returns its directory. */
export async function writeCheckpoint(run: string, c: CheckpointContents): Promise<string> {
  const slurry = { step: c.state.step, tokens: c.state.tokens };
  const modelConfig = { bos_token_id: c.eotId, eos_token_id: c.eotId, slurry };
  const files = checkpointFiles(c.model, c.optimizer, c.state, modelConfig, c.tokenizerJson);
  return writeCheckpointDir(run, c.state.step, files);
}

export function readTrainingState(dir: string): TrainingState {
  const path = join(dir, STATE_FILE);
  if (!existsSync(path)) throw new SlurryError(`${path}: missing (not a training checkpoint?)`);
  return readJsonFile(path, trainingStateSchema);
}

/** Loads the weights of a verified checkpoint. */
export function readCheckpointModel(dir: string): GPT {
  verifyCheckpoint(dir);
  return loadModel(dir);
}

/** A checkpoint that verified and loaded. */
export interface GoodCheckpoint {
  step: number;
  dir: string;
  model: GPT;
}

/**
 * The newest of `steps` (checkpoints of `run`) whose files match their manifest and whose
 * weights load and are finite, and each newer one passed over with the reason. `good` is
 * null when none is.
 */
export function newestGoodCheckpoint(
  run: string,
  steps: readonly number[],
): { good: GoodCheckpoint | null; skipped: { step: number; reason: string }[] } {
  const skipped: { step: number; reason: string }[] = [];
  for (const step of [...steps].sort((a, b) => b - a)) {
    const dir = checkpointDir(run, step);
    try {
      const model = readCheckpointModel(dir);
      readTrainingState(dir);
      return { good: { step, dir, model }, skipped };
    } catch (err) {
      if (!(err instanceof SlurryError)) throw err;
      skipped.push({ step, reason: err.message });
    }
  }
  return { good: null, skipped };
}

/**
 * Restores the optimizer's state and step count from a checkpoint (the optimizer must hold
 * the same parameters). Checkpoints from before Muon carry no kind: they are AdamW's.
 */
export function restoreOptimizer(dir: string, opt: Optimizer): void {
  const path = join(dir, OPTIMIZER_FILE);
  // The kind first (from the header alone): another optimizer's tensors are not "unexpected", they are its state.
  const kind = readSafetensors(path, () => 'skip').metadata.optimizer ?? 'adamw';
  if (kind !== opt.kind)
    throw new SlurryError(`${path}: holds ${kind} state, but the run's optimizer.kind is ${opt.kind}`);
  const expected = new Set(opt.stateTensors().map((t) => t.name));
  const file = readSafetensors(path, (name) => (expected.has(name) ? 'read' : 'refuse'));
  const t = Number(file.metadata.step);
  if (!Number.isInteger(t) || t < 0)
    throw new SlurryError(`${path}: metadata step ${JSON.stringify(file.metadata.step)} is not a step count`);
  for (const { name, data } of opt.stateTensors()) {
    const tensor = file.tensors.get(name);
    if (!tensor) throw new SlurryError(`${path}: missing tensor ${name}`);
    if (tensor.data.length !== data.length) {
      throw new SlurryError(`${path}: tensor ${name} has ${tensor.data.length} values, the model's ${data.length}`);
    }
    data.set(tensor.data);
  }
  opt.t = t;
}
