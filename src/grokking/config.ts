/**
 * The configuration of a grokking run: the task, the optimiser, the schedule of
 * evaluations and checkpoints, and the model. Presets give the recipe; command-line options
 * override single fields. The resolved config (every default written out, the seed
 * included) is what RUN/config.json holds, so a run is reproduced from that file alone.
 */
import { z } from 'zod';
import { PRECISION_CHOICES } from '../engine/precision.js';
import { parseGPTConfig, type GPTConfig } from '../model/config.js';
import { FieldError, SlurryError } from '../util/errors.js';
import { parseWith } from '../util/schema.js';
import { GROK_OPS, SEQ_LEN, checkTask } from './task.js';

export const grokConfigSchema = z
  .object({
    op: z.enum(GROK_OPS),
    p: z.number().int(),
    train_frac: z.number(),
    /** Full-batch AdamW, with the keys of the training config's `optimizer`. */
    optimizer: z
      .object({
        lr: z.number().positive(),
        beta1: z.number().min(0).lt(1),
        beta2: z.number().min(0).lt(1),
        eps: z.number().positive(),
        weight_decay: z.number().nonnegative(),
      })
      .strict(),
    /** As the training config's `constant` schedule: lr rises linearly over warmup_steps updates, then stays. */
    lr_schedule: z.object({ kind: z.literal('constant'), warmup_steps: z.number().int().nonnegative() }).strict(),
    /** Most optimizer updates (the run may stop earlier, see stop_after). */
    steps: z.number().int().positive(),
    seed: z.number().int().nonnegative(),
    /** Evaluations at steps 0, 1, 2, 4, ... below eval_every, then every eval_every. */
    eval_every: z.number().int().positive(),
    /** Checkpoints at steps 0, 1, 2, 4, ... below checkpoint_every, then every checkpoint_every. */
    checkpoint_every: z.number().int().positive(),
    /** Stop once test accuracy has stayed >= stop_acc for stop_after steps (0: run all steps). */
    stop_acc: z.number().gt(0).max(1),
    stop_after: z.number().int().nonnegative(),
    /** Model fields over the grokking transformer (see grokModelConfig). */
    model: z.record(z.string(), z.unknown()),
    /**
     * Arithmetic of the matrix products, as the training config's `precision`; a run's
     * config.json records the precision it ran in (fp32 for runs from before the key).
     */
    precision: z.enum(PRECISION_CHOICES, { error: `expected one of ${PRECISION_CHOICES.join(', ')}` }).default('fp32'),
  })
  .strict();

export type GrokConfig = z.output<typeof grokConfigSchema>;

/**
 * The setup of Nanda et al. 2023: p = 113, 30% of pairs, full-batch AdamW (lr 1e-3,
 * weight decay 1, betas 0.9/0.98), a one-layer ReLU transformer without LayerNorm.
 */
const DEFAULT: GrokConfig = {
  op: 'add',
  p: 113,
  train_frac: 0.3,
  optimizer: { lr: 1e-3, beta1: 0.9, beta2: 0.98, eps: 1e-8, weight_decay: 1 },
  lr_schedule: { kind: 'constant', warmup_steps: 10 },
  steps: 25_000,
  seed: 0,
  eval_every: 100,
  checkpoint_every: 500,
  stop_acc: 0.99,
  stop_after: 1000,
  model: {},
  // fp32 as the PyTorch reference: with the same seed, bf16 steps were 1.2x faster but the
  // run generalised more slowly per step (test accuracy 0.048 against 0.083 at step 5,000).
  precision: 'fp32',
};

/**
 * Presets. `quick` keeps the recipe (model, optimiser, weight decay) with a smaller p. A
 * smaller p at the same train fraction has fewer training pairs and groks much later, so
 * it trains on a larger fraction to keep the pair count up (../shared/bench/GROKKING.md).
 */
export const GROK_PRESETS: Record<string, GrokConfig> = {
  default: DEFAULT,
  quick: { ...DEFAULT, p: 59, train_frac: 0.5, steps: 5000, eval_every: 50, checkpoint_every: 250, stop_after: 500 },
};

/** Validates a config (from a preset plus options, or a config.json); errors name the field. */
export function parseGrokConfig(value: unknown, where = 'grok config'): GrokConfig {
  const c = parseWith(grokConfigSchema, value, where);
  checkTask(c.op, c.p);
  if (!(c.train_frac > 0 && c.train_frac < 1)) {
    throw new FieldError('train_frac', c.train_frac, 'expected a fraction strictly between 0 and 1');
  }
  grokModelConfig(c);
  return c;
}

/**
 * The model of a run: the one-layer transformer of Nanda et al. (4 heads, d_model 128,
 * d_mlp 512, ReLU, no LayerNorm, untied unembedding, weights drawn with standard deviation
 * 1/sqrt(d_model)) with `config.model` fields on top. Its vocabulary is the p residues and
 * '=' (the output logits include '=' too, as in Nanda et al.'s model); a model with fewer
 * tokens or positions than the task needs is an error naming --model.
 */
export function grokModelConfig(c: Pick<GrokConfig, 'p' | 'model'>): GPTConfig {
  const need = c.p + 1;
  const width = typeof c.model.n_embd === 'number' ? c.model.n_embd : 128;
  const merged = {
    vocab_size: need,
    n_layer: 1,
    n_head: 4,
    n_embd: 128,
    n_positions: SEQ_LEN,
    n_inner: 512,
    activation_function: 'relu',
    layer_norm: false,
    tie_word_embeddings: false,
    initializer_range: width > 0 ? 1 / Math.sqrt(width) : 1,
    ...c.model,
  };
  const model = asModelField(() => parseGPTConfig(merged, 'model'));
  if (model.vocab_size < need) {
    const needs = `the task needs ${need} tokens (residues 0..${c.p - 1} and '=')`;
    throw new FieldError('model', undefined, `vocab_size ${model.vocab_size} is too small for p = ${c.p}: ${needs}`);
  }
  if (model.n_positions < SEQ_LEN) {
    const needs = `the task's sequences [a, b, =] have ${SEQ_LEN} tokens`;
    throw new FieldError('model', undefined, `n_positions ${model.n_positions} is too small: ${needs}`);
  }
  return model;
}

/** Errors of the model fields as FieldErrors of `model` (the CLI names --model then). */
function asModelField<T>(parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    if (!(err instanceof SlurryError)) throw err;
    throw new FieldError('model', undefined, err.message.replace(/^model: /gm, ''));
  }
}
