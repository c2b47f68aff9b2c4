/**
 * What each scale trains, shared by the experiments that do not need their own.
 *
 *   tiny   a 2-layer width-32 model, 24 steps, on a byte-level corpus of Moby-Dick, code,
 *          additions and tracing built in about a second: tests only (hidden from --help)
 *   quick  the quick model (4 layers, width 128, Muon) on the quick corpus's sources for
 *          2.6M tokens (640 steps of 32 x 128), 13 checkpoints. Sized from the quick model's
 *          measured speed (about 24k tokens/s on an idle 2-core machine, so about 2 minutes
 *          of training per cell, plus probing) so that 2 seeds of an experiment of 2 to 3
 *          arms fit in about 30 minutes
 *   full   the quick preset's budget, 8.4M tokens, in the same steps of 32 x 128 (2048
 *          steps, 17 checkpoints)
 * Both keep the batch of 32 and the 2,048-token vocabulary the quick preset had when the
 * experiments' wall times and answers (README) were measured: the quick preset's batch of
 * 16 doubles the steps and so the checkpoints these schedules place by step.
 */
import { BUILTIN_SUITES } from '../probes/registry.js';
import { parseBuildConfig, presetConfig, type BuildConfig } from '../data/config.js';
import type { CorpusInfo } from '../sweep/plan.js';
import { trainPreset } from '../train/presets.js';
import type { Scale } from './types.js';

/** Steps of 32 x 128 tokens at quick scale (the full scale trains 2048). */
const QUICK_STEPS = 640;
const EXPERIMENT_BATCH = 32;
const EXPERIMENT_VOCAB = 2048;

export function scaleCorpus(scale: Scale): BuildConfig {
  if (scale !== 'tiny') return presetConfig('quick', { vocabSize: EXPERIMENT_VOCAB });
  return parseBuildConfig(
    {
      preset: 'custom',
      seed: 1,
      tokenizer: { vocabSize: 'byte', sampleBytes: 100_000 },
      sources: {
        moby_dick: { maxBytes: 40_000 },
        code: { maxBytes: 40_000 },
        arithmetic: { problems: 1000, maxDigits: 2, heldOutPerDigits: 20 },
        tracing: { programs: 300, heldOut: 30 },
      },
    },
    'the tiny experiment corpus',
  );
}

export function scaleBase(scale: Scale): Record<string, unknown> {
  if (scale === 'tiny')
    return {
      preset: 'tiny',
      steps: 24,
      checkpoints: { log_until: 4, every: 8 },
      eval: { every: 8, batches: 1 },
    };
  if (scale === 'quick')
    return {
      preset: 'quick',
      batch_size: EXPERIMENT_BATCH,
      tokens: QUICK_STEPS * EXPERIMENT_BATCH * 128,
      checkpoints: { log_until: 256, every: 128 },
    };
  return {
    preset: 'quick',
    batch_size: EXPERIMENT_BATCH,
    checkpoints: { log_until: 512, every: 256 },
    eval: { every: 64, batches: 2 },
  };
}

/** Every built-in suite but the samples (text for people, no score), or the tokens suite alone at tiny scale. */
export function scaleSuites(scale: Scale): string[] {
  if (scale === 'tiny') return ['tokens'];
  return BUILTIN_SUITES.map((s) => s.name).filter((n) => n !== 'samples');
}

/**
 * The natural mixture restricted to the sources `keep` accepts: each kept source weighted by
 * its training tokens, so the kept sources stand in the same proportions as in the corpus.
 */
export function naturalWeights(corpus: CorpusInfo, keep: (kind: string) => boolean): Record<string, number> {
  return Object.fromEntries(corpus.sources.filter((s) => keep(s.kind) && s.tokens > 0).map((s) => [s.name, s.tokens]));
}

type Schedule = Record<string, unknown>;

/**
 * A data schedule with every weight map cut down to the sources and kinds the corpus has
 * (the compare-* schedules name news and reference, which the tiny corpus lacks).
 */
export function scheduleForCorpus(schedule: Schedule, corpus: CorpusInfo): Schedule {
  const known = new Set(corpus.sources.flatMap((s) => (s.tokens > 0 ? [s.name, s.kind] : [])));
  const cut = (w: unknown) =>
    typeof w === 'object' && w !== null ? Object.fromEntries(Object.entries(w).filter(([k]) => known.has(k))) : w;
  const out: Schedule = { ...schedule };
  for (const key of ['weights', 'anneal_weights', 'initial']) if (key in out) out[key] = cut(out[key]);
  if (Array.isArray(out.phases)) out.phases = out.phases.map((p: Schedule) => ({ ...p, weights: cut(p.weights) }));
  return out;
}

/** The data schedule of a compare-* training preset (mix, staged, anneal, adaptive), fitted to the corpus. */
export function compareSchedule(name: string, corpus: CorpusInfo): Schedule {
  const preset = trainPreset(`compare-${name}`) as { data: { schedule: Schedule } };
  return scheduleForCorpus(preset.data.schedule, corpus);
}
