/**
 * Constructed results for the answer tests: analyses that carry only what experiments read
 * (each capability's normalised level per checkpoint, its tokens to half of the range, the
 * validation loss per source), so each test states its effect in numbers.
 */
import type { Analysis, CurveAnalysis } from '../../src/analysis/types.js';
import type { MeasuredRun } from '../../src/experiment/types.js';

export const TOKENS = [1e4, 1e5, 1e6];

export interface CurveSpec {
  /** Normalised level per checkpoint of TOKENS (a single number: that level at the last one). */
  d: number[] | number;
  c?: number[] | number;
  /** log10(tokens) at half of the range; null: not reached. */
  mid?: number | null;
  /** Standard error over items of every point (default 0.01). */
  se?: number;
  /** Items probed (default: none recorded, so no floor on the standard error). */
  items?: number;
}

function curve(
  metric: 'd' | 'c',
  levels: number[] | number,
  mid: number | null | undefined,
  se = 0.01,
  items?: number,
): CurveAnalysis {
  const ls = typeof levels === 'number' ? TOKENS.map((_, i) => (i === TOKENS.length - 1 ? levels : 0)) : levels;
  return {
    metric,
    items,
    chance: 0,
    ceiling: 1,
    points: ls.map((normalized, i) => ({ step: i, tokens: TOKENS[i], mean: normalized, normalized, se })),
    timeToTarget: [
      {
        target: 0.5,
        status: mid === null || mid === undefined ? 'not_reached' : 'reached',
        at:
          mid === null || mid === undefined ? null : { value: mid, tokens: 10 ** mid, lo: mid - 0.02, hi: mid + 0.02 },
      },
    ],
  } as unknown as CurveAnalysis;
}

export function analysis(spec: {
  caps?: Record<string, CurveSpec>;
  groups?: Record<string, Record<string, number[] | number>>;
  /** Validation loss per source at each evaluation. */
  losses?: Record<string, number[]>;
  /** Validation loss of all sources at each evaluation. */
  val?: number[];
}): Analysis {
  return {
    capabilities: Object.entries(spec.caps ?? {}).map(([name, s]) => ({
      name,
      discrete: curve('d', s.d, s.mid, s.se, s.items),
      continuous: curve('c', s.c ?? s.d, s.mid, s.se, s.items),
    })),
    groups: Object.entries(spec.groups ?? {}).map(([suite, gs]) => ({
      suite,
      groups: Object.entries(gs).map(([group, d]) => ({ group, curve: curve('d', d, null) })),
      order: [],
    })),
    losses: {
      train: [],
      val: (spec.val ?? []).map((loss, i) => ({ step: i, tokens: (i + 1) * 1000, loss })),
      references: [],
      sources: Object.entries(spec.losses ?? {}).map(([source, ls]) => ({
        source,
        val: ls.map((loss, i) => ({ tokens: (i + 1) * 1000, loss })),
        train: [],
        initial: ls[0],
        final: ls[ls.length - 1],
        halfDropTokens: null,
      })),
    },
  } as unknown as Analysis;
}

export const run = (arm: string, seed: number, a: Analysis): MeasuredRun => ({
  arm,
  seed,
  dir: `cells/${arm}-${seed}`,
  analysis: a,
  samples: [],
});

/** Runs of two seeds per arm: arm -> [seed 0's analysis, seed 1's]. */
export function runs(byArm: Record<string, Analysis[]>): MeasuredRun[] {
  return Object.entries(byArm).flatMap(([arm, as]) => as.map((a, seed) => run(arm, seed, a)));
}
