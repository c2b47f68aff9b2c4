/**
 * The honesty rule every experiment's answer follows, as the stage verdict does: a number
 * per seed, its mean and 95% interval, and two arms differ only when their intervals do not
 * overlap. Overlapping intervals say "no difference shown", never a winner; one seed gives
 * no interval, so nothing can be shown.
 *
 * The interval has two parts, added in quadrature: the Student-t interval across seeds,
 * and the 95% interval over probe items of each seed's number (its root mean square over
 * the seeds). Every seed is probed with the same items, so their sampling error does not
 * shrink with more seeds; without it, two seeds that score the same 5 of 96 items give an
 * interval of zero width, and one item more in the other arm would read as a difference.
 */
import { meanInterval } from '../sweep/aggregate.js';

export interface Spread {
  /** The per-seed values (NaN-free). */
  values: number[];
  mean: number;
  /**
   * 95% interval of the mean (across seeds and probe items); null with fewer than two
   * values, or when a value's interval over items is open.
   */
  lo: number | null;
  hi: number | null;
  /** True when a value's interval over items is open (a midpoint the bootstrap does not bound). */
  open?: boolean;
}

/**
 * `itemHalves[i]`: the half-width of value i's own 95% interval over probe items (omitted:
 * a number without item noise, such as a validation loss over every held-out token;
 * Infinity: an open interval).
 */
export function spread(values: readonly number[], itemHalves: readonly number[] = []): Spread {
  if (values.length === 0) return { values: [], mean: NaN, lo: null, hi: null };
  const { mean, half } = meanInterval(values);
  const items = itemHalves.length ? Math.sqrt(itemHalves.reduce((a, h) => a + h * h, 0) / itemHalves.length) : 0;
  if (!Number.isFinite(items)) return { values: [...values], mean, lo: null, hi: null, open: true };
  const total = half === null ? null : Math.hypot(half, items);
  return {
    values: [...values],
    mean,
    lo: total === null ? null : mean - total,
    hi: total === null ? null : mean + total,
  };
}

/** Why a spread has no interval. */
export function spreadGap(s: Spread): string {
  return s.open ? 'interval over items open' : 'one seed';
}

/**
 * higher / lower: b's interval lies wholly above / below a's; same: the intervals overlap
 * (no difference shown); unknown: an arm has no interval (one value, or one open over items).
 */
export type Relation = 'higher' | 'lower' | 'same' | 'unknown';

/** How b stands against a. */
export function relation(a: Spread, b: Spread): Relation {
  if (a.lo === null || a.hi === null || b.lo === null || b.hi === null) return 'unknown';
  if (b.lo > a.hi) return 'higher';
  if (b.hi < a.lo) return 'lower';
  return 'same';
}

/** `0.42 [0.31, 0.53]`, or `0.42 (one seed)`, or `-` without values. */
export function formatSpread(s: Spread, digits = 2, scale: (x: number) => number = (x) => x): string {
  if (s.values.length === 0) return '-';
  const f = (x: number) => scale(x).toFixed(digits);
  if (s.lo === null || s.hi === null) return `${f(s.mean)} (${spreadGap(s)})`;
  return `${f(s.mean)} [${f(s.lo)}, ${f(s.hi)}]`;
}

/** Tokens as 1.2M, 340k. */
export function formatTokens(tokens: number): string {
  if (!Number.isFinite(tokens)) return '-';
  // Two significant digits, never in exponent form (100k, not 1.0e+2k).
  const short = (x: number) => (x >= 100 ? String(Math.round(x)) : String(Number(x.toPrecision(2))));
  if (tokens >= 1e6) return `${short(tokens / 1e6)}M`;
  if (tokens >= 1e3) return `${short(tokens / 1e3)}k`;
  return String(Math.round(tokens));
}

/** `a, b and c`. */
export function listing(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

export const RELATION_WORDS: Record<Relation, string> = {
  higher: 'higher',
  lower: 'lower',
  same: 'no difference shown',
  unknown: 'not shown (no interval)',
};
