/**
 * Training checkpoints: RUN/checkpoints/step-0000128/ with
 *   model.safetensors, config.json   weights and GPT2Config (Hugging Face layout)
 *   tokenizer.json                   the corpus's tokenizer
 *   optimizer.safetensors            AdamW moments, named exp_avg.<param> / exp_avg_sq.<param>
 *                                    as in PyTorch's AdamW state; the step count in metadata
 *   state.json                       TrainingState: step, tokens, data position, schedule
 *                                    (bandit) state, learning-rate scale, the resolved config
 *   manifest.json                    sha256 and size of each file above
 * The directory is written under a temporary name and renamed into place, so a kill leaves
 * either the whole checkpoint or none; a checkpoint whose files do not match its manifest
 * is reported by file name and never loaded.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { BackendInfo } from '../engine/kernels.js';
import { CONFIG_FILE, hfConfig, loadModel, MODEL_FILE } from '../model/checkpoint.js';
import type { GPT } from '../model/gpt.js';
import { encodeSafetensors, readSafetensors, type NamedTensor } from '../model/safetensors.js';
import { checkpointDirName, runPaths } from '../run/layout.js';
import type { CheckpointEntry, CheckpointIndex } from '../run/records.js';
import { SlurryError } from '../util/errors.js';
import { writeAllAt, writeJsonAtomic } from '../util/fs.js';
import { readJsonFile } from '../util/json.js';
import type { AdamW } from './adamw.js';
import type { BanditState } from './bandit.js';
import type { ResolvedTrainConfig } from './config.js';

export const OPTIMIZER_FILE = 'optimizer.safetensors';
export const STATE_FILE = 'state.json';
export const TOKENIZER_FILE = 'tokenizer.json';
export const MANIFEST_FILE = 'manifest.json';

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
  optimizer: AdamW;
  state: TrainingState;
  tokenizerJson: string;
  eotId: number;
}

/**
 * Writes the checkpoint of `state.step` atomically; returns its directory. The files go
 * into a temporary directory that is renamed into place once all are on disk, so each file
 * needs no rename of its own. Their chunks (one per tensor) are written concurrently by
 * positional writes on libuv's thread pool while this thread hashes them from memory:
 * about 150 MB for configuration B, in well under a second.
 */
export async function writeCheckpoint(run: string, c: CheckpointContents): Promise<string> {
  const root = runPaths(run).checkpoints;
  const name = checkpointDirName(c.state.step);
  const final = join(root, name);
  const tmp = join(root, `.tmp-${name}-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  // The same files saveModel writes (loadModel reads them), plus the training state.
  const modelTensors = c.model.parameters().map(({ spec, tensor }) => ({ name: spec.name, shape: spec.shape, data: tensor.data }));
  const modelConfig = hfConfig(c.model.config, { bos_token_id: c.eotId, eos_token_id: c.eotId, slurry: { step: c.state.step, tokens: c.state.tokens } });
  const files: [string, Uint8Array[]][] = [
    [MODEL_FILE, encodeSafetensors(modelTensors, { format: 'pt' })],
    [CONFIG_FILE, [jsonBytes(modelConfig)]],
    [TOKENIZER_FILE, [Buffer.from(c.tokenizerJson)]],
    [OPTIMIZER_FILE, encodeSafetensors(optimizerTensors(c.optimizer), { step: String(c.optimizer.t) })],
    [STATE_FILE, [jsonBytes(c.state)]],
  ];
  const writes = files.map(([file, chunks]) => writeChunks(join(tmp, file), chunks));
  const manifest: Manifest = { files: {} };
  for (const [file, chunks] of files) {
    const hash = createHash('sha256');
    let bytes = 0;
    for (const chunk of chunks) {
      hash.update(chunk);
      bytes += chunk.byteLength;
    }
    manifest.files[file] = { sha256: hash.digest('hex'), bytes };
  }
  try {
    await Promise.all(writes);
    await writeChunks(join(tmp, MANIFEST_FILE), [jsonBytes(manifest)]);
  } catch (err) {
    // No space, an I/O error: nothing half-written stays behind (and the space comes back).
    await Promise.allSettled(writes);
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
  rmSync(final, { recursive: true, force: true });
  renameSync(tmp, final);
  return final;
}

/** Writes chunks at their offsets concurrently, then fsyncs. */
async function writeChunks(path: string, chunks: Uint8Array[]): Promise<void> {
  const fh = await open(path, 'w');
  try {
    let position = 0;
    await Promise.all(
      chunks.map((chunk) => {
        const at = position;
        position += chunk.byteLength;
        return writeAllAt(fh, chunk, at, path);
      }),
    );
    await fh.sync();
  } finally {
    await fh.close();
  }
}

function jsonBytes(value: unknown): Uint8Array {
  return Buffer.from(JSON.stringify(value, null, 2) + '\n');
}

function optimizerTensors(opt: AdamW): NamedTensor[] {
  const out: NamedTensor[] = [];
  opt.params.forEach((p, i) => out.push({ name: `exp_avg.${p.name}`, shape: p.tensor.shape, data: opt.m[i] }));
  opt.params.forEach((p, i) => out.push({ name: `exp_avg_sq.${p.name}`, shape: p.tensor.shape, data: opt.v[i] }));
  return out;
}

const manifestSchema = z.object({
  files: z.record(z.string(), z.object({ sha256: z.string(), bytes: z.number().int().nonnegative() })),
});
type Manifest = z.output<typeof manifestSchema>;

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Checks every file of a checkpoint against its manifest; throws naming the first bad file. */
export function verifyCheckpoint(dir: string): void {
  const path = join(dir, MANIFEST_FILE);
  if (!existsSync(path)) throw new SlurryError(`${path}: missing (an incomplete or foreign checkpoint)`);
  const manifest = readJsonFile(path, manifestSchema);
  for (const [name, want] of Object.entries(manifest.files)) {
    const file = join(dir, name);
    if (!existsSync(file)) throw new SlurryError(`${file}: missing (listed in ${MANIFEST_FILE})`);
    const bytes = readFileSync(file);
    if (bytes.length !== want.bytes) throw new SlurryError(`${file}: ${bytes.length} bytes, ${MANIFEST_FILE} says ${want.bytes} (damaged or truncated)`);
    if (sha256(bytes) !== want.sha256) throw new SlurryError(`${file}: sha256 does not match ${MANIFEST_FILE} (damaged)`);
  }
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
export function newestGoodCheckpoint(run: string, steps: readonly number[]): { good: GoodCheckpoint | null; skipped: { step: number; reason: string }[] } {
  const skipped: { step: number; reason: string }[] = [];
  for (const step of [...steps].sort((a, b) => b - a)) {
    const dir = join(runPaths(run).checkpoints, checkpointDirName(step));
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

/** Restores AdamW's moments and step count from a checkpoint (the optimizer must hold the same parameters). */
export function restoreOptimizer(dir: string, opt: AdamW): void {
  const path = join(dir, OPTIMIZER_FILE);
  const expected = new Set(opt.params.flatMap((p) => [`exp_avg.${p.name}`, `exp_avg_sq.${p.name}`]));
  const file = readSafetensors(path, (name) => (expected.has(name) ? 'read' : 'refuse'));
  const t = Number(file.metadata.step);
  if (!Number.isInteger(t) || t < 0) throw new SlurryError(`${path}: metadata step ${JSON.stringify(file.metadata.step)} is not a step count`);
  opt.params.forEach((p, i) => {
    for (const [prefix, buf] of [['exp_avg', opt.m[i]], ['exp_avg_sq', opt.v[i]]] as const) {
      const name = `${prefix}.${p.name}`;
      const tensor = file.tensors.get(name);
      if (!tensor) throw new SlurryError(`${path}: missing tensor ${name}`);
      if (tensor.data.length !== buf.length) throw new SlurryError(`${path}: tensor ${name} has ${tensor.data.length} values, the model's ${p.name} ${buf.length}`);
      buf.set(tensor.data);
    }
  });
  opt.t = t;
}

/** Steps of the complete checkpoints (directories named step-N) of a run, ascending. */
export function listCheckpointSteps(run: string): number[] {
  const root = runPaths(run).checkpoints;
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .map((n) => /^step-(\d+)$/.exec(n))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
}

/** Removes the temporary directories of checkpoints a kill interrupted. */
export function removeTornCheckpoints(run: string): void {
  const root = runPaths(run).checkpoints;
  if (!existsSync(root)) return;
  for (const n of readdirSync(root)) if (n.startsWith('.tmp-step-')) rmSync(join(root, n), { recursive: true, force: true });
}

export function writeCheckpointIndex(run: string, entries: CheckpointEntry[]): void {
  const index: CheckpointIndex = { checkpoints: [...entries].sort((a, b) => a.step - b.step) };
  writeJsonAtomic(runPaths(run).checkpointIndex, index);
}

export function checkpointEntry(step: number, tokens: number): CheckpointEntry {
  return { step, tokens, dir: checkpointDirName(step) };
}

/**
 * The checkpoint directory a user means: a checkpoint directory itself, or a run directory
 * (its checkpoint at `step`, or its latest). Errors list what there is.
 */
export function resolveCheckpointDir(path: string, step?: number): string {
  if (!existsSync(path)) throw new SlurryError(`${path}: no such run or checkpoint directory`);
  if (existsSync(join(path, MODEL_FILE))) {
    if (step !== undefined) throw new SlurryError(`${path} is a checkpoint already; --step picks a checkpoint of a run directory`);
    return path;
  }
  const steps = listCheckpointSteps(path);
  if (!steps.length) throw new SlurryError(`${path}: neither a checkpoint (no ${MODEL_FILE}) nor a run with checkpoints`);
  const chosen = step ?? steps[steps.length - 1];
  if (!steps.includes(chosen)) throw new SlurryError(`${path}: no checkpoint at step ${chosen} (there are ${steps.join(', ')})`);
  return join(runPaths(path).checkpoints, checkpointDirName(chosen));
}
