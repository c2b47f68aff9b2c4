/**
 * The size and shape of a GPT. Field names follow Hugging Face's GPT2Config where one
 * exists, so a checkpoint's config.json is read by `GPT2Config.from_pretrained`.
 */
import { z } from 'zod';
import { SlurryError } from '../util/errors.js';
import { parseWith } from '../util/schema.js';

const positiveInt = z.number().int().positive();

export const gptConfigSchema = z
  .object({
    vocab_size: positiveInt,
    n_layer: positiveInt,
    n_head: positiveInt,
    n_embd: positiveInt,
    /** Context length (learned positions). */
    n_positions: positiveInt,
    /** MLP hidden width; GPT-2 uses 4 * n_embd. */
    n_inner: positiveInt.optional(),
    /** 'gelu_new' is GPT-2's tanh approximation; 'relu' for the grokking model. */
    activation_function: z.enum(['gelu_new', 'relu']).default('gelu_new'),
    /** Pre-LayerNorm blocks and a final LayerNorm (false: no LayerNorm anywhere). */
    layer_norm: z.boolean().default(true),
    layer_norm_epsilon: z.number().positive().default(1e-5),
    /** Unembedding tied to the token embedding (GPT-2) or a separate lm_head [V, C]. */
    tie_word_embeddings: z.boolean().default(true),
    /** Standard deviation of the weight initialisation. */
    initializer_range: z.number().positive().default(0.02),
  })
  .strict();

export type GPTConfigInput = z.input<typeof gptConfigSchema>;
export type GPTConfig = Required<z.output<typeof gptConfigSchema>>;

/** Validates a model config (from a file, a CLI flag or code); errors name the field. */
export function parseGPTConfig(value: unknown, where = 'model config'): GPTConfig {
  const c = parseWith(gptConfigSchema, value, where);
  if (c.n_embd % c.n_head !== 0) {
    throw new SlurryError(`${where}: n_embd (${c.n_embd}) must be divisible by n_head (${c.n_head})`);
  }
  return { ...c, n_inner: c.n_inner ?? 4 * c.n_embd };
}
