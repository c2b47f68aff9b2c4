/**
 * Opens a checkpoint directory for use: verifies its files against the manifest when it has
 * one (training checkpoints do), loads the model and the tokenizer saved beside it, and
 * checks that they agree on the vocabulary. `sample`, `score` and the probes all use this.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { BpeTokenizer } from '../data/tokenizer/tokenizer.js';
import { verifyCheckpoint } from '../run/checkpoint.js';
import { MANIFEST_FILE, TOKENIZER_FILE } from '../run/layout.js';
import { SlurryError } from '../util/errors.js';
import { readJsonFile } from '../util/json.js';
import { loadModel } from './checkpoint.js';
import type { GPT } from './gpt.js';

/** The model of a checkpoint directory, verified against its manifest when there is one. */
export function loadVerifiedModel(dir: string): GPT {
  if (!existsSync(dir)) throw new SlurryError(`${dir}: missing (no such checkpoint directory)`);
  if (existsSync(join(dir, MANIFEST_FILE))) verifyCheckpoint(dir);
  return loadModel(dir);
}

/** The tokenizer saved in a checkpoint directory (tokenizer.json, Hugging Face format). */
export function loadCheckpointTokenizer(dir: string): BpeTokenizer {
  const path = join(dir, TOKENIZER_FILE);
  if (!existsSync(path))
    throw new SlurryError(`${path}: missing (a checkpoint keeps its tokenizer beside the weights)`);
  return BpeTokenizer.fromHuggingFace(readJsonFile(path, z.unknown()), path);
}

/** Model and tokenizer of a checkpoint, checked to agree on the vocabulary size. */
export function openCheckpoint(dir: string): { model: GPT; tokenizer: BpeTokenizer } {
  const model = loadVerifiedModel(dir);
  const tokenizer = loadCheckpointTokenizer(dir);
  if (tokenizer.vocabSize !== model.config.vocab_size) {
    throw new SlurryError(
      `${join(dir, TOKENIZER_FILE)}: ${tokenizer.vocabSize} tokens, but the model's vocab_size is ${model.config.vocab_size}`,
    );
  }
  return { model, tokenizer };
}
