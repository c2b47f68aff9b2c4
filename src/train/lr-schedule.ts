/**
 * Learning rate of each optimizer step, a pure function of the step (1-based: the update
 * that makes `step` steps) so a resumed run uses the same rates. All schedules warm up
 * linearly from lr/warmup to lr; then:
 *   cosine    half a cosine from lr down to min_lr_ratio * lr at the last step
 *   constant  lr
 *   wsd       lr until the last decay_fraction of the run, then linear to min_lr_ratio * lr
 * An anneal data schedule overrides the tail: from its first step the rate falls linearly
 * from where the schedule was to zero at the last step (OLMo 2's mid-training anneal).
 */
import type { ResolvedLrSchedule } from './config.js';

export interface LrScheduleOptions {
  lr: number;
  steps: number;
  schedule: ResolvedLrSchedule;
  /** First step of an anneal phase, if any. */
  annealStart?: number;
}

export function makeLrSchedule(o: LrScheduleOptions): (step: number) => number {
  const base = baseSchedule(o.lr, o.steps, o.schedule);
  const a = o.annealStart;
  if (a === undefined) return base;
  // The rate at the step before the anneal, falling linearly to 0 after the last step:
  // step a gets (S - a + 1) / (S - a + 2) of it, the last step 1 / (S - a + 2).
  const from = base(Math.max(1, a - 1));
  const span = o.steps - a + 2;
  return (step) => (step < a ? base(step) : (from * (o.steps - step + 1)) / span);
}

function baseSchedule(lr: number, S: number, s: ResolvedLrSchedule): (step: number) => number {
  const W = s.warmup_steps;
  const warm = (step: number) => (lr * step) / W;
  switch (s.kind) {
    case 'constant':
      return (step) => (step <= W ? warm(step) : lr);
    case 'cosine': {
      const min = lr * s.min_lr_ratio;
      return (step) => {
        if (step <= W) return warm(step);
        const p = S > W ? (step - W) / (S - W) : 1;
        return min + (lr - min) * 0.5 * (1 + Math.cos(Math.PI * p));
      };
    }
    case 'wsd': {
      const min = lr * s.min_lr_ratio;
      const D = Math.round(s.decay_fraction * S);
      const decayStart = S - D;
      return (step) => {
        if (step <= W) return warm(step);
        if (step <= decayStart) return lr;
        return lr + ((min - lr) * (step - decayStart)) / D;
      };
    }
  }
}
