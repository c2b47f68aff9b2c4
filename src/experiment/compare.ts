/**
 * The honesty rule every experiment's answer follows, as the stage verdict does: a number
 * per seed, its mean and 95% Student-t interval across the seeds, and two arms differ only
 * when their intervals do not overlap. Overlapping intervals say "no difference shown",
 * never a winner; one seed gives no interval, so nothing can be shown.
 */
import { meanInterval } from '../sweep/aggregate.js';

export interface Spread {
  /** The per-seed values (NaN-free). */
  values: number[];
  mean: number;
  /** 95% t interval of the mean across seeds; null with fewer than two values. */
  lo: number | null;
  hi: number | null;
}

export function spread(values: readonly number[]): Spread {
  if (values.length === 0) return { values: [], mean: NaN, lo: null, hi: null };
  const { mean, half } = meanInterval(values);
  return { values: [...values], mean, lo: half === null ? null : mean - half, hi: half === null ? null : mean + half };
}

/**
 * higher / lower: b's interval lies wholly above / below a's; same: the intervals overlap
 * (no difference shown); unknown: an arm has fewer than two values, so there is no interval.
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
  if (s.lo === null || s.hi === null) return `${f(s.mean)} (one seed)`;
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
