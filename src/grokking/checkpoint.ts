/**
 * Checkpoints of a grokking run, in the layout of language runs (src/run/layout.ts):
 * RUN/checkpoints/step-0000128/ with model.safetensors and config.json (Hugging Face
 * GPT2 layout), optimizer.safetensors (AdamW moments named exp_avg.<param> and
 * exp_avg_sq.<param>, the step count in metadata), state.json and manifest.json (sha256
 * and size of each file); RUN/checkpoints/index.json lists them. There is no
 * tokenizer.json: the tokens are the residues 0..p-1 and '=' = p.
 *
 * A checkpoint directory is written under a temporary name and renamed into place.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { saveModel } from '../model/checkpoint.js';
import type { GPT } from '../model/gpt.js';
import { writeSafetensors, type NamedTensor } from '../model/safetensors.js';
import { checkpointDirName, runPaths } from '../run/layout.js';
import type { CheckpointEntry, CheckpointIndex } from '../run/records.js';
import type { AdamW } from '../train/adamw.js';
import { writeJsonAtomic } from '../util/fs.js';
import type { GrokConfig } from './config.js';

/** RUN/checkpoints/step-N/state.json */
export interface GrokCheckpointState {
  step: number;
  tokens: number;
  /** Seconds of the run when the checkpoint was taken. */
  time: number;
  config: GrokConfig;
}

export function writeGrokCheckpoint(run: string, model: GPT, optimizer: AdamW, state: GrokCheckpointState): CheckpointEntry {
  const root = runPaths(run).checkpoints;
  const name = checkpointDirName(state.step);
  const final = join(root, name);
  const tmp = join(root, `.tmp-${name}-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  saveModel(tmp, model, { slurry: { step: state.step, tokens: state.tokens, task: { op: state.config.op, p: state.config.p } } });
  const moments: NamedTensor[] = [];
  optimizer.params.forEach((p, i) => moments.push({ name: `exp_avg.${p.name}`, shape: p.tensor.shape, data: optimizer.m[i] }));
  optimizer.params.forEach((p, i) => moments.push({ name: `exp_avg_sq.${p.name}`, shape: p.tensor.shape, data: optimizer.v[i] }));
  writeSafetensors(join(tmp, 'optimizer.safetensors'), moments, { step: String(optimizer.t) });
  writeJsonAtomic(join(tmp, 'state.json'), state);
  const files: Record<string, { sha256: string; bytes: number }> = {};
  for (const file of readdirSync(tmp).sort()) {
    const bytes = readFileSync(join(tmp, file));
    files[file] = { sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length };
  }
  writeJsonAtomic(join(tmp, 'manifest.json'), { files });
  rmSync(final, { recursive: true, force: true });
  renameSync(tmp, final);
  return { step: state.step, tokens: state.tokens, dir: name };
}

export function writeCheckpointIndex(run: string, entries: readonly CheckpointEntry[]): void {
  const index: CheckpointIndex = { checkpoints: [...entries].sort((a, b) => a.step - b.step) };
  writeJsonAtomic(runPaths(run).checkpointIndex, index);
}
