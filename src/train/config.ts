/**
 * The training config: one zod schema that validates a YAML/JSON file (every unknown key
 * and wrong type is an error naming its path) and gives the types. `resolveTrainConfig`
 * then fills in everything that depends on the corpus or on other fields (vocabulary,
 * steps from a token budget, mixture weights per source, warm-up steps), and checks what
 * the schema cannot (sizes that fit together, source names that exist). The resolved config
 * is written to RUN/config.json; resolving it again gives it back unchanged, which is what
 * lets a resume check that nothing was edited.
 */
import { z } from 'zod';
import { kernels } from '../engine/backend.js';
import { type Precision, PRECISION_CHOICES, precisionUnavailable, resolvePrecision } from '../engine/precision.js';
import { gptConfigSchema, parseGPTConfig, type GPTConfig } from '../model/config.js';
import { countParameters } from '../model/gpt.js';
import { SlurryError } from '../util/errors.js';
import { MAX_BATCH_TOKENS, MAX_CHECKPOINTS, MAX_EVAL_BATCHES, MAX_STEPS, overBudget } from '../util/limits.js';
import { parseWith } from '../util/schema.js';
import type { SourceInfo } from './training-data.js';

const positiveInt = z.number().int().positive();
const nonNegativeInt = z.number().int().nonnegative();
const fraction = z.number().gt(0).lt(1);
const repeatFraction = z.number().min(0).max(1);

/**
 * A mixture: "natural" (each source by its share of the corpus's tokens), "uniform", or
 * weights by source name or by source kind (a kind's weight is split over its sources by
 * their token counts). Weights need not sum to 1; sources left out get 0.
 */
export const mixtureSchema = z.union(
  [z.enum(['natural', 'uniform']), z.record(z.string(), z.number().nonnegative().finite())],
  {
    error: 'expected "natural", "uniform" or a map from source name (or kind) to a weight >= 0',
  },
);
export type MixtureSpec = z.infer<typeof mixtureSchema>;

const phaseSchema = z
  .object({
    weights: mixtureSchema,
    /** The phase's budget: steps, tokens or a fraction of the run; the last may omit it (the rest). */
    steps: positiveInt.optional(),
    tokens: positiveInt.optional(),
    fraction: fraction.optional(),
  })
  .strict();

export const dataScheduleSchema = z.discriminatedUnion('kind', [
  /** Fixed weights for the whole run. */
  z.object({ kind: z.literal('mix'), weights: mixtureSchema.default('natural') }).strict(),
  /** Phases in order, each with its own weights and budget (a curriculum). */
  z.object({ kind: z.literal('staged'), phases: z.array(phaseSchema).min(1) }).strict(),
  /**
   * `weights` until the last `anneal_fraction` of the run, then `anneal_weights` (a
   * high-quality mixture) while the learning rate decays linearly to zero (OLMo 2's
   * mid-training).
   */
  z
    .object({
      kind: z.literal('anneal'),
      weights: mixtureSchema.default('natural'),
      anneal_weights: mixtureSchema,
      anneal_fraction: fraction.default(0.2),
    })
    .strict(),
  /** An online mixture: an EXP3 bandit over sources (Online Data Mixing, Albalak et al. 2023). */
  z
    .object({
      kind: z.literal('adaptive'),
      /** Weights before the bandit has seen any reward (and its prior). */
      initial: mixtureSchema.default('uniform'),
      /**
       * The arm's reward: `loss_reduction` (the drop of a source's loss below its running
       * mean: learning progress) or `loss` (the source's loss itself, as in ODM).
       */
      reward: z.enum(['loss_reduction', 'loss']).default('loss_reduction'),
      /** Smoothing of the estimated rewards (ODM's alpha); also of the running mean losses. */
      smoothing: z.number().min(0).lt(1).default(0.9),
      /**
       * Softmax temperature over the scores, in nats (default 0.25 for loss_reduction, 1 for
       * loss; see bandit.ts). On the quick corpus, 0.05 made the mixture nearly one-hot (82%
       * on one source, hopping between sources); 0.25 follows learning progress softly.
       */
      temperature: z.number().positive().finite().optional(),
      /** Floor of every weight, so no source starves and every estimate stays fresh (default 0.2 / sources). */
      min_weight: z.number().min(0).lt(1).optional(),
    })
    .strict(),
]);
export type DataScheduleSpec = z.infer<typeof dataScheduleSchema>;

export const lrScheduleSchema = z.discriminatedUnion('kind', [
  /** Linear warm-up, then cosine decay to min_lr_ratio * lr. */
  z
    .object({
      kind: z.literal('cosine'),
      warmup_steps: nonNegativeInt.optional(),
      warmup_fraction: z.number().min(0).lt(1).optional(),
      min_lr_ratio: z.number().min(0).max(1).default(0.1),
    })
    .strict(),
  /** Linear warm-up, then constant. */
  z
    .object({
      kind: z.literal('constant'),
      warmup_steps: nonNegativeInt.optional(),
      warmup_fraction: z.number().min(0).lt(1).optional(),
    })
    .strict(),
  /** Warm-up, stable, decay: constant until the last decay_fraction, then linear to min_lr_ratio * lr. */
  z
    .object({
      kind: z.literal('wsd'),
      warmup_steps: nonNegativeInt.optional(),
      warmup_fraction: z.number().min(0).lt(1).optional(),
      decay_fraction: fraction.default(0.2),
      min_lr_ratio: z.number().min(0).max(1).default(0),
    })
    .strict(),
]);
export type LrScheduleSpec = z.infer<typeof lrScheduleSchema>;

/** AdamW's keys; with kind muon they drive the AdamW groups (embeddings, head, LayerNorms, biases). */
const adamwKeys = {
  lr: z.number().positive().finite().default(3e-3),
  beta1: z.number().min(0).lt(1).default(0.9),
  beta2: z.number().min(0).lt(1).default(0.95),
  eps: z.number().positive().default(1e-8),
  weight_decay: z.number().min(0).default(0.1),
  /** Global gradient-norm clip over every parameter; 0 turns clipping off. */
  grad_clip: z.number().min(0).default(1),
};

/**
 * The optimizer: AdamW for every parameter (the default; a config without `kind` means it), or
 * Muon (Jordan et al. 2024) for the hidden weight matrices and AdamW for the rest (see muon.ts).
 */
const optimizerSchema = z
  .preprocess(
    (v) => (typeof v === 'object' && v !== null && !Array.isArray(v) && !('kind' in v) ? { kind: 'adamw', ...v } : v),
    z.discriminatedUnion('kind', [
      z.object({ kind: z.literal('adamw'), ...adamwKeys }).strict(),
      z
        .object({
          kind: z.literal('muon'),
          ...adamwKeys,
          /** Peak learning rate of the matrices (in spectral norm per update); follows lr's schedule. */
          muon_lr: z.number().positive().finite().default(0.02),
          muon_momentum: z.number().min(0).lt(1).default(0.95),
          muon_nesterov: z.boolean().default(true),
          /** Decoupled weight decay of the matrices: p -= muon_lr * muon_weight_decay * p each step. */
          muon_weight_decay: z.number().min(0).default(0),
          /** Newton-Schulz iterations of the orthogonalisation. */
          muon_ns_steps: positiveInt.max(20).default(5),
        })
        .strict(),
    ]),
  )
  .prefault({});
export type OptimizerConfig = z.output<typeof optimizerSchema>;

/** The model section: GPT2Config's fields; vocab_size comes from the corpus, n_positions defaults to the context. */
const modelSchema = gptConfigSchema.partial({ vocab_size: true, n_positions: true });

export const trainConfigSchema = z
  .object({
    /** Seeds the model's initialisation (and the data unless data.seed is set). */
    seed: nonNegativeInt.default(0),
    /** A corpus directory built by `slurry data build`. */
    corpus: z.string().min(1).optional(),
    /** Start from another run's checkpoint directory (continued pretraining); null: from scratch. */
    init_from: z.string().min(1).nullable().default(null),
    model: modelSchema.prefault({ n_layer: 4, n_head: 4, n_embd: 128 }),
    /**
     * Arithmetic of the matrix products: fp32, or bf16 mixed precision (bf16 operands,
     * float32 accumulation; weights, AdamW, LayerNorm, softmax and the loss in float32).
     * bf16 needs a CPU with AVX512_BF16; auto (the default) is bf16 where the CPU has it,
     * fp32 elsewhere, and config.json records which.
     */
    precision: z.enum(PRECISION_CHOICES, { error: `expected one of ${PRECISION_CHOICES.join(', ')}` }).default('auto'),
    /** Sequences per batch. */
    batch_size: positiveInt.default(32),
    /** Tokens per sequence (T). */
    context: positiveInt.default(128),
    /** The budget: optimizer steps, or tokens (rounded up to whole steps); both must agree. */
    steps: positiveInt.optional(),
    tokens: positiveInt.optional(),
    optimizer: optimizerSchema,
    lr_schedule: lrScheduleSchema.prefault({ kind: 'cosine' }),
    data: z
      .object({
        /** Seed of the batch sampler; defaults to the run's seed. */
        seed: nonNegativeInt.optional(),
        schedule: dataScheduleSchema.prefault({ kind: 'mix' }),
        /**
         * Fraction of training rows that hold a span of their text followed at once by the
         * same span again (data/sampler.ts): text with repeated spans, from which induction
         * heads form (Olsson et al. 2022). 0: every row is plain text. One fraction for every
         * source, or fractions by source name or kind (a kind's applies to each of its
         * sources; sources left out get 0), e.g. { books: 1, news: 1 }.
         */
        repeats: z.union([repeatFraction, z.record(z.string(), repeatFraction)]).default(0),
      })
      .strict()
      .prefault({}),
    checkpoints: z
      .object({
        /** Powers of two up to this step get a checkpoint (0, 1, 2, 4, ...). */
        log_until: nonNegativeInt.default(512),
        /** After log_until, a checkpoint every this many steps (and at the last step). */
        every: positiveInt.default(1000),
      })
      .strict()
      .prefault({}),
    eval: z
      .object({
        /** Validation loss per source every this many steps (0: only at checkpoints). */
        every: nonNegativeInt.default(100),
        /** Also at every checkpoint step. */
        at_checkpoints: z.boolean().default(true),
        /** Validation batches per source, each [batch_size, context]. */
        batches: positiveInt.default(2),
      })
      .strict()
      .prefault({}),
    divergence: z
      .object({
        /** On a non-finite loss or gradient, go back to the last checkpoint with a lower learning rate instead of stopping. */
        rollback: z.boolean().default(false),
        /** Learning-rate multiplier applied at each rollback. */
        lr_factor: fraction.default(0.5),
        max_rollbacks: positiveInt.default(3),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type TrainConfigInput = z.input<typeof trainConfigSchema>;
export type TrainConfig = z.output<typeof trainConfigSchema>;

/** A config with everything resolved: what RUN/config.json holds and the trainer runs. */
export interface ResolvedTrainConfig
  extends Omit<TrainConfig, 'model' | 'precision' | 'steps' | 'tokens' | 'corpus' | 'lr_schedule' | 'data'> {
  corpus: string;
  /** `auto` resolved on this machine's kernels. */
  precision: Precision;
  model: GPTConfig;
  steps: number;
  tokens: number;
  lr_schedule: ResolvedLrSchedule;
  /** repeats: one fraction for every source, or one per source name (every source named). */
  data: { seed: number; schedule: ResolvedDataSchedule; repeats: number | Weights };
}

export type Weights = Record<string, number>;

export type ResolvedLrSchedule =
  | { kind: 'cosine'; warmup_steps: number; min_lr_ratio: number }
  | { kind: 'constant'; warmup_steps: number }
  | { kind: 'wsd'; warmup_steps: number; decay_fraction: number; min_lr_ratio: number };

export type ResolvedDataSchedule =
  | { kind: 'mix'; weights: Weights }
  | { kind: 'staged'; phases: { weights: Weights; steps: number }[] }
  | { kind: 'anneal'; weights: Weights; anneal_weights: Weights; anneal_fraction: number }
  | {
      kind: 'adaptive';
      initial: Weights;
      reward: 'loss_reduction' | 'loss';
      smoothing: number;
      temperature: number;
      min_weight: number;
    };

/** Parses (validates) a config object; `where` names its origin in errors (a file name). */
export function parseTrainConfig(value: unknown, where: string): TrainConfig {
  return parseWith(trainConfigSchema, value, where);
}

/** What resolution needs to know about the world outside the config. */
export interface ResolveContext {
  sources: readonly SourceInfo[];
  vocabSize: number;
  /** The model config of `init_from`'s checkpoint, when continuing another run. */
  initModel?: GPTConfig;
  /** Names the config's origin in errors. */
  where: string;
}

/** Bytes of activation memory past which a config is refused as impossible on this machine. */
const MAX_ACTIVATION_BYTES = 32 * 2 ** 30;

/** The budget in optimizer steps: `steps`, or `tokens` rounded up to whole steps; undefined when neither is set. */
export function budgetSteps(c: Pick<TrainConfig, 'steps' | 'tokens' | 'batch_size' | 'context'>): number | undefined {
  return c.steps ?? (c.tokens === undefined ? undefined : Math.ceil(c.tokens / (c.batch_size * c.context)));
}

export function resolveTrainConfig(c: TrainConfig, ctx: ResolveContext): ResolvedTrainConfig {
  const where = ctx.where;
  const fail = (msg: string): never => {
    throw new SlurryError(`${where}: ${msg}`);
  };
  if (!c.corpus) fail('corpus: missing (a directory built by `slurry data build`; set `corpus:` or pass --corpus DIR)');
  const B = c.batch_size;
  const T = c.context;
  const perStep = B * T;

  // The budget.
  const steps = budgetSteps(c) ?? fail('steps or tokens: one is required (the training budget)');
  if (c.steps !== undefined && c.tokens !== undefined && c.tokens !== c.steps * perStep) {
    fail(
      `tokens (${c.tokens}) disagrees with steps * batch_size * context (${c.steps} * ${B} * ${T} = ${c.steps * perStep}); give one of them`,
    );
  }

  if (steps > MAX_STEPS) fail(`steps: ${steps} is more than the ${MAX_STEPS} a run may take`);
  const checkpointCount =
    Math.floor(steps / c.checkpoints.every) + Math.log2(Math.min(steps, c.checkpoints.log_until) + 1);
  if (checkpointCount > MAX_CHECKPOINTS) {
    fail(
      `checkpoints.every: ${c.checkpoints.every} gives about ${Math.round(checkpointCount)} checkpoints over ${steps} steps (at most ${MAX_CHECKPOINTS}); raise it`,
    );
  }

  const precision = resolvePrecision(c.precision, kernels());
  const unavailable = precisionUnavailable(precision, kernels());
  if (unavailable) fail(`precision: ${precision}: ${unavailable} (use precision: fp32 or auto)`);
  const model = resolveModel(c, ctx, fail);
  const lr_schedule = resolveLrSchedule(c.lr_schedule, steps, fail);
  const schedule = resolveDataSchedule(c.data.schedule, ctx.sources, steps, perStep, fail);

  // Memory: activations kept for backward are about (16 C + 2 V) floats per token per
  // layer-ish, plus attention probabilities B H T T per layer. Refuse what cannot fit.
  const actFloats =
    perStep * (model.n_layer * (16 * model.n_embd + 2 * model.n_inner) + 3 * model.vocab_size) +
    model.n_layer * B * model.n_head * T * T;
  if (actFloats * 4 > MAX_ACTIVATION_BYTES) {
    fail(
      `batch_size ${B} x context ${T} with this model needs about ${Math.round((actFloats * 4) / 2 ** 30)} GiB of activations (limit ${MAX_ACTIVATION_BYTES / 2 ** 30} GiB); lower batch_size or context`,
    );
  }
  if (perStep > MAX_BATCH_TOKENS)
    fail(`batch_size ${B} x context ${T} = ${perStep} tokens per batch, more than ${MAX_BATCH_TOKENS}`);
  if (c.eval.batches > MAX_EVAL_BATCHES)
    fail(`eval.batches: ${c.eval.batches} batches per source is more than ${MAX_EVAL_BATCHES}`);
  // Weights, gradients and AdamW's two moments, the validation batches (9 bytes a token), the activations.
  const evalBytes = c.eval.batches * ctx.sources.length * perStep * 9;
  const tooBig =
    overBudget(
      evalBytes,
      `eval.batches: ${c.eval.batches} batches x ${ctx.sources.length} sources x ${perStep} tokens`,
    ) ??
    overBudget(
      16 * countParameters(model) + evalBytes + 4 * actFloats,
      `this model (${countParameters(model)} parameters) with its validation batches`,
    );
  if (tooBig) fail(tooBig);

  return {
    seed: c.seed,
    corpus: c.corpus!,
    init_from: c.init_from,
    model,
    precision,
    batch_size: B,
    context: T,
    steps,
    tokens: steps * perStep,
    optimizer: c.optimizer,
    lr_schedule,
    data: { seed: c.data.seed ?? c.seed, schedule, repeats: resolveRepeats(c.data.repeats, ctx.sources, fail) },
    checkpoints: c.checkpoints,
    eval: c.eval,
    divergence: c.divergence,
  };
}

function resolveModel(c: TrainConfig, ctx: ResolveContext, fail: (msg: string) => never): GPTConfig {
  const m = c.model;
  if (m.vocab_size !== undefined && m.vocab_size !== ctx.vocabSize) {
    fail(
      `model.vocab_size: ${m.vocab_size}, but the corpus tokenizer has ${ctx.vocabSize} tokens (leave it out to take the corpus's)`,
    );
  }
  const model = parseGPTConfig(
    { ...m, vocab_size: ctx.vocabSize, n_positions: m.n_positions ?? c.context },
    `${ctx.where}: model`,
  );
  if (c.context > model.n_positions) fail(`context: ${c.context} exceeds model.n_positions (${model.n_positions})`);
  if (ctx.initModel) {
    // Continued pretraining keeps the architecture of the checkpoint it starts from.
    for (const [key, value] of Object.entries(ctx.initModel) as [keyof GPTConfig, unknown][]) {
      if (model[key] !== value)
        fail(
          `model.${key}: ${String(model[key])}, but init_from's checkpoint has ${String(value)} (leave it out or match it)`,
        );
    }
  }
  return model;
}

function resolveLrSchedule(s: LrScheduleSpec, steps: number, fail: (msg: string) => never): ResolvedLrSchedule {
  if (s.warmup_steps !== undefined && s.warmup_fraction !== undefined)
    fail('lr_schedule: give warmup_steps or warmup_fraction, not both');
  const warmup_steps = s.warmup_steps ?? Math.round((s.warmup_fraction ?? 0.05) * steps);
  if (warmup_steps > steps) fail(`lr_schedule.warmup_steps: ${warmup_steps} exceeds the run's ${steps} steps`);
  if (s.kind === 'cosine') return { kind: 'cosine', warmup_steps, min_lr_ratio: s.min_lr_ratio };
  if (s.kind === 'constant') return { kind: 'constant', warmup_steps };
  if (warmup_steps + Math.round(s.decay_fraction * steps) > steps)
    fail('lr_schedule: warm-up and decay overlap (warmup_steps + decay_fraction * steps > steps)');
  return { kind: 'wsd', warmup_steps, decay_fraction: s.decay_fraction, min_lr_ratio: s.min_lr_ratio };
}

function resolveDataSchedule(
  s: DataScheduleSpec,
  sources: readonly SourceInfo[],
  steps: number,
  perStep: number,
  fail: (msg: string) => never,
): ResolvedDataSchedule {
  const w = (spec: MixtureSpec, path: string) => resolveMixture(spec, sources, `data.schedule.${path}`, fail);
  switch (s.kind) {
    case 'mix':
      return { kind: 'mix', weights: w(s.weights, 'weights') };
    case 'anneal':
      if (Math.round(s.anneal_fraction * steps) < 1)
        fail(`data.schedule.anneal_fraction: ${s.anneal_fraction} of ${steps} steps is no step at all`);
      return {
        kind: 'anneal',
        weights: w(s.weights, 'weights'),
        anneal_weights: w(s.anneal_weights, 'anneal_weights'),
        anneal_fraction: s.anneal_fraction,
      };
    case 'adaptive': {
      const min_weight = s.min_weight ?? 0.2 / sources.length;
      if (min_weight * sources.length >= 1)
        fail(
          `data.schedule.min_weight: ${min_weight} x ${sources.length} sources leaves nothing for the bandit (must be < 1/${sources.length})`,
        );
      const temperature = s.temperature ?? (s.reward === 'loss' ? 1 : 0.25);
      return {
        kind: 'adaptive',
        initial: w(s.initial, 'initial'),
        reward: s.reward,
        smoothing: s.smoothing,
        temperature,
        min_weight,
      };
    }
    case 'staged': {
      const phases = s.phases.map((p, i) => {
        const given = [p.steps, p.tokens, p.fraction].filter((x) => x !== undefined).length;
        if (given > 1) fail(`data.schedule.phases.${i}: give one of steps, tokens, fraction`);
        if (given === 0 && i !== s.phases.length - 1)
          fail(`data.schedule.phases.${i}: needs steps, tokens or fraction (only the last phase may take the rest)`);
        const n =
          p.steps ??
          (p.tokens !== undefined
            ? Math.round(p.tokens / perStep)
            : p.fraction !== undefined
              ? Math.round(p.fraction * steps)
              : undefined);
        return { weights: w(p.weights, `phases.${i}.weights`), steps: n };
      });
      const fixed = phases.reduce((a, p) => a + (p.steps ?? 0), 0);
      const last = phases[phases.length - 1];
      if (last.steps === undefined) {
        if (fixed >= steps)
          fail(
            `data.schedule.phases: the phases before the last take ${fixed} of the run's ${steps} steps, leaving none for the last`,
          );
        last.steps = steps - fixed;
      } else if (fixed !== steps) {
        fail(
          `data.schedule.phases: the phases add up to ${fixed} steps, but the run has ${steps} (leave the last phase's budget out to take the rest)`,
        );
      }
      phases.forEach((p, i) => {
        if (p.steps! < 1) fail(`data.schedule.phases.${i}: its budget rounds to 0 steps`);
      });
      return { kind: 'staged', phases: phases as { weights: Weights; steps: number }[] };
    }
  }
}

/** A mixture as explicit weights for every source, by name, in corpus order. */
export function resolveMixture(
  spec: MixtureSpec,
  sources: readonly SourceInfo[],
  path: string,
  fail: (msg: string) => never,
): Weights {
  const out: Weights = Object.fromEntries(sources.map((s) => [s.name, 0]));
  const total = sources.reduce((a, s) => a + s.tokens, 0);
  if (spec === 'natural') {
    for (const s of sources) out[s.name] = total > 0 ? s.tokens / total : 1 / sources.length;
    return out;
  }
  if (spec === 'uniform') {
    for (const s of sources) out[s.name] = 1 / sources.length;
    return out;
  }
  const names = new Set(sources.map((s) => s.name));
  const kinds = new Set(sources.map((s) => s.kind));
  for (const [key, weight] of Object.entries(spec)) {
    if (names.has(key)) {
      out[key] += weight;
    } else if (kinds.has(key)) {
      const members = sources.filter((s) => s.kind === key);
      const kindTokens = members.reduce((a, s) => a + s.tokens, 0);
      for (const s of members) out[s.name] += weight * (kindTokens > 0 ? s.tokens / kindTokens : 1 / members.length);
    } else {
      fail(
        `${path}.${key}: no such source or kind (sources: ${[...names].join(', ')}; kinds: ${[...kinds].join(', ')})`,
      );
    }
  }
  if (!Object.values(out).some((x) => x > 0)) fail(`${path}: every weight is 0`);
  for (const s of sources)
    if (out[s.name] > 0 && s.tokens === 0) fail(`${path}.${s.name}: the source has no training tokens`);
  return out;
}

/** data.repeats as given, or by source name: a kind's fraction goes to each of its sources. */
function resolveRepeats(
  spec: number | Record<string, number>,
  sources: readonly SourceInfo[],
  fail: (msg: string) => never,
): number | Weights {
  if (typeof spec === 'number') return spec;
  const out: Weights = Object.fromEntries(sources.map((s) => [s.name, 0]));
  for (const [key, fraction] of Object.entries(spec)) {
    const members = sources.filter((s) => s.name === key || s.kind === key);
    if (members.length === 0)
      fail(
        `data.repeats.${key}: no such source or kind (sources: ${sources.map((s) => s.name).join(', ')}; kinds: ${[...new Set(sources.map((s) => s.kind))].join(', ')})`,
      );
    for (const s of members) out[s.name] = fraction;
  }
  return out;
}

/** Weights by name -> an array in corpus order, normalised to sum to 1. */
export function weightVector(weights: Weights, sources: readonly SourceInfo[]): Float64Array {
  const v = Float64Array.from(sources, (s) => weights[s.name] ?? 0);
  let sum = 0;
  for (const x of v) sum += x;
  for (let i = 0; i < v.length; i++) v[i] /= sum;
  return v;
}
