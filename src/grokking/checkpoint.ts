/**
 * Checkpoints of a grokking run, in the layout of language runs (src/run/): model,
 * config.json, optimizer moments, state.json and manifest.json, written atomically by
 * run/checkpoint.ts. There is no tokenizer.json: the tokens are the residues 0..p-1 and
 * '=' = p.
 */
import type { GPT } from '../model/gpt.js';
import { checkpointEntry, writeCheckpointDir } from '../run/checkpoint.js';
import type { CheckpointEntry } from '../run/records.js';
import type { AdamW } from '../train/adamw.js';
import { checkpointFiles } from '../train/checkpoint-io.js';
import type { GrokConfig } from './config.js';

/** RUN/checkpoints/step-N/state.json */
export interface GrokCheckpointState {
  step: number;
  tokens: number;
  /** Seconds of the run when the checkpoint was taken. */
  time: number;
  config: GrokConfig;
}

export async function writeGrokCheckpoint(
  run: string,
  model: GPT,
  optimizer: AdamW,
  state: GrokCheckpointState,
): Promise<CheckpointEntry> {
  const task = { op: state.config.op, p: state.config.p };
  const files = checkpointFiles(model, optimizer, state, { slurry: { step: state.step, tokens: state.tokens, task } });
  await writeCheckpointDir(run, state.step, files);
  return checkpointEntry(state.step, state.tokens);
}
