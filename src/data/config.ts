/**
 * The corpus build configuration and its presets. The resolved config (every default
 * written out) is stored in manifest.json, so a corpus says exactly how it was made.
 *
 * quick: at most ~5 MB of text, built in seconds; the main demo (`npm start`) trains on it
 *   for a few minutes, seeing a few million tokens, so its facts and arithmetic are dense
 *   enough to be learned in that budget while real books, speech, reference and code
 *   text stay in the mixture. Its vocabulary is 4096: a token then covers more text (2.92
 *   bytes against 2.62; 3.36 of Brown against 2.91), and the quick model for the same 8.4M
 *   tokens at batch 16 reached syntax 0.49 against 0.43 and stored facts 0.63 against 0.50
 *   of their ranges, in about the same training time (369 s; one seed each).
 * reference: the quick corpus's facts and problems and a 2,048-token vocabulary (at 4,096
 *   the reference run's syntax crossed half sooner, at 12M tokens against 17M, but facts in
 *   held-out phrasings fell from 0.44 to 0.38 of their range; one seed each), with far more
 *   natural text (two thirds of Brown, Moby-Dick and the speeches whole, more reference and
 *   code), for the reference experiment (`slurry episode --preset full`): trained on the quick
 *   corpus for 50M tokens, the model sees its 0.9 MB of Brown about 30 times and its Brown
 *   validation loss turns up halfway; with this corpus (and the quick corpus's shares by
 *   kind, set in the training preset) natural syntax went from 0.45 to 0.63 of its range (facts
 *   in held-out phrasings did not move: 0.25 and 0.22). A third of Brown stays out of training so
 *   the natural syntax pairs, cut from sentences never trained on, keep their number.
 * full: every natural text whole (over 40 MB), more exposure and harder problems.
 */
import { z } from 'zod';
import { FilterThresholds } from './clean.js';
import { DedupOptions } from './dedup.js';
import { DuplicateOptions } from './duplicates.js';
import { SlurryError } from '../util/errors.js';
import { parseWith } from '../util/schema.js';

export const PRESETS = ['quick', 'reference', 'full'] as const;
export type PresetName = (typeof PRESETS)[number];

/** Per-source settings: `maxBytes` caps a natural source (a seeded sample of its documents); the rest are the source's own options. */
export const SourceSettings = z.looseObject({
  maxBytes: z.number().int().positive().optional(),
});
export type SourceSettings = z.infer<typeof SourceSettings>;

export const VocabSize = z.union([z.literal('byte'), z.number().int().min(257).max(65536)]);

export const BuildConfig = z.strictObject({
  preset: z.enum([...PRESETS, 'custom']),
  seed: z.number().int().nonnegative(),
  /** Fraction of each source's documents held out for validation (at least one document). */
  valFraction: z.number().gt(0).lt(0.5).default(0.05),
  tokenizer: z
    .strictObject({
      /** Ids in all, end-of-text included; "byte" is the 256 bytes plus end-of-text. */
      vocabSize: VocabSize.default(4096),
      /** Bytes of training text (a seeded sample across sources) the BPE merges are learned on. */
      sampleBytes: z.number().int().positive().default(6_000_000),
    })
    .default({ vocabSize: 4096, sampleBytes: 6_000_000 }),
  filters: FilterThresholds.default(FilterThresholds.parse({})),
  dedup: DedupOptions.default(DedupOptions.parse({})),
  /** Near-duplicate passages injected into one source's training split (the dedup experiment). */
  duplicates: DuplicateOptions.optional(),
  knowledge: z
    .strictObject({ hypernymNouns: z.number().int().positive().default(300) })
    .default({ hypernymNouns: 300 }),
  /** Sources to build, by name, in registry order; each with its settings. */
  sources: z.record(z.string(), SourceSettings),
});
export type BuildConfig = z.infer<typeof BuildConfig>;

/** The generated sources (facts and problems) of the quick corpus. */
const QUICK_GENERATED = {
  facts: { maxExposure: 300, headMin: 50, torsoMin: 10, grouping: 'subject' },
  twohop: { repeats: 4 },
  arithmetic: { problems: 16_000, maxDigits: 3, heldOutPerDigits: 100, answer: 'reversed' },
  tracing: { programs: 4_000, heldOut: 300 },
};

/**
 * The reference corpus's: the quick corpus's facts, and twelve times the distinct additions
 * and programs. A reference run of 63M tokens at the quick shares drew about 7M tokens of
 * additions: with 16,000 problems each was seen about 40 times and the model learned them by
 * heart (held-out three-digit sums 0.08). The reference experiment now draws 34M tokens, a
 * fifth of them additions: with 192,000 problems each is seen about 3 times. The training
 * presets fix each source's share, so the larger sources do not take a larger part of the
 * budget.
 */
const REFERENCE_GENERATED = {
  ...QUICK_GENERATED,
  arithmetic: { ...QUICK_GENERATED.arithmetic, problems: 192_000 },
  tracing: { ...QUICK_GENERATED.tracing, programs: 48_000 },
};

const PRESET_VALUES: Record<PresetName, unknown> = {
  quick: {
    preset: 'quick',
    seed: 1234,
    tokenizer: { vocabSize: 4096, sampleBytes: 2_000_000 },
    sources: {
      brown: { maxBytes: 900_000 },
      moby_dick: { maxBytes: 300_000 },
      sotu: { maxBytes: 700_000 },
      wordnet: { maxBytes: 500_000 },
      code: { maxBytes: 600_000 },
      ...QUICK_GENERATED,
    },
  },
  reference: {
    preset: 'reference',
    seed: 1234,
    tokenizer: { vocabSize: 2048, sampleBytes: 2_000_000 },
    sources: {
      brown: { maxBytes: 4_000_000 },
      moby_dick: {},
      sotu: {},
      wordnet: { maxBytes: 2_000_000 },
      code: { maxBytes: 2_000_000 },
      ...REFERENCE_GENERATED,
    },
  },
  full: {
    preset: 'full',
    seed: 1234,
    tokenizer: { vocabSize: 4096, sampleBytes: 6_000_000 },
    sources: {
      brown: {},
      moby_dick: {},
      sotu: {},
      wordnet: {},
      code: {},
      facts: { maxExposure: 1000, headMin: 100, torsoMin: 10, grouping: 'subject' },
      twohop: { repeats: 8 },
      arithmetic: { problems: 100_000, maxDigits: 5, heldOutPerDigits: 200, answer: 'reversed' },
      tracing: { programs: 20_000, heldOut: 500 },
    },
  },
};

export interface ConfigOverrides {
  seed?: number;
  vocabSize?: number | 'byte';
  /** Near-duplicate Jaccard threshold. */
  dedupThreshold?: number;
}

/** The config of a preset with overrides applied, validated, defaults filled in. */
export function presetConfig(name: string, overrides: ConfigOverrides = {}): BuildConfig {
  if (!(PRESETS as readonly string[]).includes(name))
    throw new SlurryError(`unknown preset "${name}"; expected one of ${PRESETS.join(', ')}`);
  const base = structuredClone(PRESET_VALUES[name as PresetName]) as {
    seed: number;
    tokenizer: { vocabSize: number | 'byte' };
    dedup?: { threshold: number };
  };
  if (overrides.seed !== undefined) base.seed = overrides.seed;
  if (overrides.vocabSize !== undefined) base.tokenizer.vocabSize = overrides.vocabSize;
  if (overrides.dedupThreshold !== undefined) base.dedup = { threshold: overrides.dedupThreshold };
  return parseBuildConfig(base, `preset "${name}"`);
}

export function parseBuildConfig(value: unknown, where: string): BuildConfig {
  return parseWith(BuildConfig, value, where);
}
