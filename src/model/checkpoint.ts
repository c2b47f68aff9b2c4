/**
 * Model checkpoints in the layout Hugging Face tools read: model.safetensors with
 * GPT2LMHeadModel's tensor names, and a config.json that GPT2Config reads (slurry's own
 * fields ride along and are ignored there). Loading validates the config and every tensor:
 * a missing, extra or misshapen tensor, or a truncated file, is reported by name.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Tensor } from '../engine/tensor.js';
import { CONFIG_FILE, MODEL_FILE } from '../run/layout.js';
import { SlurryError } from '../util/errors.js';
import { writeJsonAtomic } from '../util/fs.js';
import { jsonObject, readJsonFile } from '../util/json.js';
import { parseGPTConfig, type GPTConfig } from './config.js';
import { GPT, parameterSpecs } from './gpt.js';
import { readSafetensors, writeSafetensors } from './safetensors.js';

/** config.json as GPT2Config reads it, slurry's fields included. */
export function hfConfig(c: GPTConfig, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    architectures: ['GPT2LMHeadModel'],
    model_type: 'gpt2',
    ...c,
    n_ctx: c.n_positions,
    // GPT2Config names: resid/embd/attn dropout 0 in slurry (no dropout).
    resid_pdrop: 0,
    embd_pdrop: 0,
    attn_pdrop: 0,
    ...extra,
  };
}

/** Keys of config.json that are not part of slurry's model config. */
const FOREIGN_KEYS = [
  'architectures',
  'model_type',
  'n_ctx',
  'resid_pdrop',
  'embd_pdrop',
  'attn_pdrop',
  'bos_token_id',
  'eos_token_id',
  'torch_dtype',
  'transformers_version',
  'slurry',
];

export function saveModel(dir: string, model: GPT, extraConfig: Record<string, unknown> = {}): void {
  const tensors = model
    .parameters()
    .map(({ spec, tensor }) => ({ name: spec.name, shape: spec.shape, data: tensor.data }));
  writeSafetensors(join(dir, MODEL_FILE), tensors, { format: 'pt' });
  writeJsonAtomic(join(dir, CONFIG_FILE), hfConfig(model.config, extraConfig));
}

export function readModelConfig(dir: string): GPTConfig {
  const path = join(dir, CONFIG_FILE);
  if (!existsSync(path)) throw new SlurryError(`${path}: missing (is ${dir} a checkpoint directory?)`);
  const raw = readJsonFile(path, jsonObject);
  const own = Object.fromEntries(Object.entries(raw).filter(([k]) => !FOREIGN_KEYS.includes(k)));
  return parseGPTConfig(own, path);
}

export function loadModel(dir: string): GPT {
  const config = readModelConfig(dir);
  const path = join(dir, MODEL_FILE);
  const specs = parameterSpecs(config);
  const known = new Set(specs.map((s) => s.name));
  // Tied checkpoints written by other tools may carry lm_head.weight as a copy, and GPT2's
  // attention mask buffers: both are skipped. Any other name is not this config's.
  const extra = (n: string) =>
    (n === 'lm_head.weight' && config.tie_word_embeddings) ||
    n.endsWith('.attn.bias') ||
    n.endsWith('.attn.masked_bias');
  const file = readSafetensors(path, (n) => (known.has(n) ? 'read' : extra(n) ? 'skip' : 'refuse'));
  const params = new Map<string, Tensor>();
  for (const spec of specs) {
    const t = file.tensors.get(spec.name);
    if (!t) throw new SlurryError(`${path}: missing tensor ${spec.name} (shape [${spec.shape}])`);
    if (t.shape.join() !== spec.shape.join()) {
      throw new SlurryError(
        `${path}: tensor ${spec.name} has shape [${t.shape}], expected [${spec.shape}] from ${CONFIG_FILE}`,
      );
    }
    const bad = firstNonFinite(t.data);
    if (bad >= 0) throw new SlurryError(`${path}: tensor ${spec.name} holds a non-finite value at index ${bad}`);
    params.set(spec.name, new Tensor(t.data, spec.shape, true));
  }
  return new GPT(config, params);
}

/** Index of the first NaN or infinity in `data`, or -1. */
export function firstNonFinite(data: ArrayLike<number>): number {
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) return i;
  return -1;
}
