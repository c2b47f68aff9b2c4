/**
 * The mixture weights of each step. `mix`, `staged` and `anneal` are pure functions of the
 * step; `adaptive` asks its bandit, whose state is saved with each checkpoint. Weights come
 * back as a vector in corpus source order, summing to 1; the returned array is reused
 * between calls (copy it to keep it).
 */
import { MixtureBandit, type BanditState } from './bandit.js';
import { weightVector, type ResolvedDataSchedule } from './config.js';
import type { SourceInfo } from './training-data.js';

export interface DataSchedule {
  /** Weights for the batch of `step` (1-based). */
  weightsAt(step: number): Float64Array;
  /** Feeds back the step's mean loss per source (NaN where absent); adaptive schedules learn from it. */
  observe(lossBySource: Float64Array): void;
  /** First step of the anneal phase (the learning rate decays to zero from there), if any. */
  readonly annealStart?: number;
  /** What a checkpoint must keep to continue exactly (null: nothing, the step suffices). */
  state(): BanditState | null;
}

export function makeDataSchedule(
  s: ResolvedDataSchedule,
  sources: readonly SourceInfo[],
  steps: number,
  state: BanditState | null = null,
): DataSchedule {
  const fixed = (w: Float64Array) => ({ weightsAt: () => w, observe() {}, state: () => null });
  switch (s.kind) {
    case 'mix':
      return fixed(weightVector(s.weights, sources));
    case 'staged': {
      const vectors = s.phases.map((p) => weightVector(p.weights, sources));
      const ends: number[] = [];
      s.phases.reduce((end, p) => (ends.push(end + p.steps), end + p.steps), 0);
      return {
        weightsAt(step) {
          let i = 0;
          while (i < ends.length - 1 && step > ends[i]) i++;
          return vectors[i];
        },
        observe() {},
        state: () => null,
      };
    }
    case 'anneal': {
      const before = weightVector(s.weights, sources);
      const after = weightVector(s.anneal_weights, sources);
      const annealStart = steps - Math.round(s.anneal_fraction * steps) + 1;
      return {
        weightsAt: (step) => (step >= annealStart ? after : before),
        observe() {},
        annealStart,
        state: () => null,
      };
    }
    case 'adaptive': {
      const bandit = new MixtureBandit(
        {
          prior: weightVector(s.initial, sources),
          reward: s.reward,
          smoothing: s.smoothing,
          temperature: s.temperature,
          minWeight: s.min_weight,
        },
        state ?? undefined,
      );
      const out = new Float64Array(sources.length);
      return {
        weightsAt: () => bandit.weights(out),
        observe: (loss) => bandit.observe(loss),
        state: () => bandit.state(),
      };
    }
  }
}
