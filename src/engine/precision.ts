/**
 * The arithmetic of a run's matrix products: `fp32`, or `bf16` mixed precision (operands
 * rounded to bf16, products accumulated in float32 with VDPBF16PS; master weights, AdamW,
 * LayerNorm, softmax and the loss stay float32). bf16 needs the native backend on a CPU
 * with AVX512_BF16.
 */
import { readFileSync } from 'node:fs';
import { runPaths } from '../run/layout.js';
import { SlurryError } from '../util/errors.js';
import type { Kernels } from './kernels.js';

export const PRECISIONS = ['fp32', 'bf16'] as const;
export type Precision = (typeof PRECISIONS)[number];
/** What a config or flag may ask for: a precision, or `auto` (bf16 where the CPU runs it, fp32 elsewhere). */
export const PRECISION_CHOICES = ['auto', ...PRECISIONS] as const;
export type PrecisionChoice = (typeof PRECISION_CHOICES)[number];

/** Why `precision` cannot run on the kernels k, or null when it can. */
export function precisionUnavailable(precision: Precision, k: Kernels): string | null {
  if (precision === 'fp32') return null;
  if (!k.bf16Unavailable) return `the ${k.info().name} backend has no bf16 kernels (bf16 needs the native backend)`;
  return k.bf16Unavailable();
}

/** The precision `auto` stands for on the kernels k (bf16 where they run it); others are themselves. */
export function resolvePrecision(choice: PrecisionChoice, k: Kernels): Precision {
  if (choice !== 'auto') return choice;
  return precisionUnavailable('bf16', k) === null ? 'bf16' : 'fp32';
}

/** Parses a precision name or `auto`; the error names `where` (a flag or a config key). */
export function parsePrecision(value: string, where: string): PrecisionChoice {
  if ((PRECISION_CHOICES as readonly string[]).includes(value)) return value as PrecisionChoice;
  throw new SlurryError(
    `${where}: ${JSON.stringify(value)} is not a precision; expected one of ${PRECISION_CHOICES.join(', ')}`,
  );
}

/** A resume keeps the run's precision: --precision may only repeat it (or be `auto` standing for it). */
export function checkResumePrecision(run: string, choice: PrecisionChoice, k: Kernels): void {
  const precision = resolvePrecision(choice, k);
  const path = runPaths(run).config;
  let stored: unknown;
  try {
    stored = (JSON.parse(readFileSync(path, 'utf8')) as { precision?: unknown }).precision ?? 'fp32';
  } catch {
    return; // the resume itself reports a missing or damaged config
  }
  if (stored !== precision) {
    throw new SlurryError(
      `--precision ${choice}${choice === precision ? '' : ` (${precision} on this CPU)`}: ${run} trains with precision ${String(stored)} (precision in ${path}); a resume keeps the run's precision`,
    );
  }
}
