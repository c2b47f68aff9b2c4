/**
 * Comparing runs (mixtures, curricula): tokens each run needs to bring each capability to
 * a target share of its ceiling, and the ratio of each run's time to the first run's.
 */
import { FieldError } from '../util/errors.js';
import { TARGETS } from './definitions.js';
import type { Analysis, TimeToTarget } from './types.js';

export interface RunTime {
  status: TimeToTarget['status'] | 'missing';
  /** Tokens to reach the target; null unless 'reached'. */
  tokens: number | null;
  lo: number | null;
  hi: number | null;
}

export interface RunComparison {
  target: number;
  metric: 'd' | 'c';
  runs: string[];
  capabilities: {
    name: string;
    times: RunTime[];
    /**
     * Each run's time over the first run's (1 for the first run); null where either did
     * not reach the target inside its probed range. The interval pairs the outer ends of
     * both runs' 95% intervals, so it is conservative.
     */
    ratios: ({ value: number; lo: number | null; hi: number | null } | null)[];
  }[];
}

export function compareRuns(
  runs: { label: string; analysis: Analysis }[],
  target: number,
  metric: 'd' | 'c' = 'd',
): RunComparison {
  const k = (TARGETS as readonly number[]).indexOf(target);
  if (k < 0) {
    const expected = `expected one of ${TARGETS.join(', ')} (the shares of the ceiling the analysis computes)`;
    throw new FieldError('target', target, expected);
  }
  const names: string[] = [];
  for (const r of runs) for (const c of r.analysis.capabilities) if (!names.includes(c.name)) names.push(c.name);
  const capabilities = names.map((name) => {
    const times: RunTime[] = runs.map((r) => {
      const cap = r.analysis.capabilities.find((c) => c.name === name);
      if (!cap) return { status: 'missing', tokens: null, lo: null, hi: null };
      const t = (metric === 'd' ? cap.discrete : cap.continuous).timeToTarget.find((x) => x.target === target);
      if (!t || t.status !== 'reached' || !t.at)
        return { status: t?.status ?? 'missing', tokens: null, lo: null, hi: null };
      return {
        status: 'reached',
        tokens: t.at.tokens,
        lo: t.at.lo === null ? null : 10 ** t.at.lo,
        hi: t.at.hi === null ? null : 10 ** t.at.hi,
      };
    });
    const ref = times[0];
    const ratios = times.map((t, i) => {
      if (t.tokens === null || ref.tokens === null) return null;
      if (i === 0) return { value: 1, lo: 1, hi: 1 };
      return {
        value: t.tokens / ref.tokens,
        lo: t.lo !== null && ref.hi !== null ? t.lo / ref.hi : null,
        hi: t.hi !== null && ref.lo !== null ? t.hi / ref.lo : null,
      };
    });
    return { name, times, ratios };
  });
  return { target, metric, runs: runs.map((r) => r.label), capabilities };
}
