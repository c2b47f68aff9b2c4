/**
 * Numbers on the command line are plain decimals: `--steps 0x10`, `--seed ''`, `--top
 * Infinity` are refused rather than read the way JavaScript's Number() would read them.
 */
import { SlurryError } from '../util/errors.js';

const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** The value of a decimal number text (e.g. "12", "0.5", "5e6"); NaN for anything else (hex, blank, Infinity). */
export function decimalNumber(text: string): number {
  return DECIMAL.test(text.trim()) ? Number(text) : NaN;
}

/** A decimal number flag that passes `ok`; errors read `--name: expected EXPECTED, got "value"`. */
export function numberFlag(name: string, value: string, ok: (n: number) => boolean, expected: string): number {
  const n = decimalNumber(value);
  if (!Number.isFinite(n) || !ok(n)) throw new SlurryError(`--${name}: expected ${expected}, got "${value}"`);
  return n;
}

/** A decimal integer flag in [min, max]. */
export function intFlag(name: string, value: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`;
  return numberFlag(name, value, (n) => Number.isSafeInteger(n) && n >= min && n <= max, `an integer ${range}`);
}
