/**
 * The flag vocabulary of every command, in one place: numbers, integers, fractions and
 * choices parsed with one message shape (`--steps many: expected an integer >= 1`), the
 * progress modes, and the mapping from the config fields that library errors name
 * (FieldError) to the flags that set them. Numbers are plain decimals: `--steps 0x10`,
 * `--seed ''`, `--top Infinity` are refused rather than read the way Number() reads them.
 */
import { Option } from 'commander';
import { FieldError, SlurryError } from '../util/errors.js';
import type { ProgressMode } from '../util/progress.js';

const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** The value of a decimal number text (e.g. "12", "0.5", "5e6"); NaN for anything else (hex, blank, Infinity). */
export function decimalNumber(text: string): number {
  return DECIMAL.test(text.trim()) ? Number(text) : NaN;
}

/** A decimal number that passes `ok`; otherwise an error naming the flag, its text and `expected`. */
export function numberFlag(flag: string, raw: string, ok: (x: number) => boolean, expected: string): number {
  const x = decimalNumber(raw);
  if (!Number.isFinite(x) || !ok(x)) throw new SlurryError(`${flag} ${raw}: expected ${expected}`);
  return x;
}

/** A decimal integer in [min, max]. */
export function intFlag(flag: string, raw: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`;
  return numberFlag(flag, raw, (x) => Number.isSafeInteger(x) && x >= min && x <= max, `an integer ${range}`);
}

/** A fraction strictly between 0 and 1. */
export function fractionFlag(flag: string, raw: string): number {
  return numberFlag(flag, raw, (x) => x > 0 && x < 1, 'a fraction strictly between 0 and 1');
}

/** One of `choices`. */
export function choiceFlag<T extends string>(flag: string, raw: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(raw)) {
    throw new SlurryError(`${flag} ${raw}: expected one of ${choices.join(', ')}`);
  }
  return raw as T;
}

/** A --vocab value: "byte" or a vocabulary size (ids, end-of-text included). */
export function vocabFlag(raw: string): number | 'byte' {
  if (raw === 'byte') return 'byte';
  const ok = (n: number) => Number.isInteger(n) && n >= 257 && n <= 65536;
  return numberFlag('--vocab', raw, ok, '"byte" or an integer in 257..65536');
}

export const PROGRESS_MODES: readonly ProgressMode[] = ['auto', 'bar', 'lines', 'silent'];

/** --progress: a bar on a terminal, plain lines elsewhere (`.addOption(progressOption())`). */
export function progressOption(): Option {
  const modes = 'auto (a bar on a terminal, lines otherwise), bar, lines or silent';
  return new Option('--progress <mode>', modes).default('auto');
}

export const progressFlag = (raw: string): ProgressMode => choiceFlag('--progress', raw, PROGRESS_MODES);

/**
 * Runs `action` and renames the config field a FieldError names to the flag that sets it
 * (`train_frac 1.5: ...` becomes `--train-frac 1.5: ...`); fields without a flag stay.
 */
export async function withFlagNames<T>(
  flagOf: Readonly<Record<string, string>>,
  action: () => T | Promise<T>,
): Promise<T> {
  try {
    return await action();
  } catch (err) {
    if (err instanceof FieldError && flagOf[err.field] !== undefined) throw err.renamed(flagOf[err.field]);
    throw err;
  }
}
