/**
 * The arithmetic of a run's matrix products: `fp32`, or `bf16` mixed precision (operands
 * rounded to bf16, products accumulated in float32 with VDPBF16PS; master weights, AdamW,
 * LayerNorm, softmax and the loss stay float32). bf16 needs the native backend on a CPU
 * with AVX512_BF16.
 */
import { SlurryError } from '../util/errors.js';
import type { Kernels } from './kernels.js';

export const PRECISIONS = ['fp32', 'bf16'] as const;
export type Precision = (typeof PRECISIONS)[number];

/** Why `precision` cannot run on the kernels k, or null when it can. */
export function precisionUnavailable(precision: Precision, k: Kernels): string | null {
  if (precision === 'fp32') return null;
  if (!k.bf16Unavailable) return `the ${k.info().name} backend has no bf16 kernels (bf16 needs the native backend)`;
  return k.bf16Unavailable();
}

/** Parses a precision name; the error names `where` (a flag or a config key). */
export function parsePrecision(value: string, where: string): Precision {
  if ((PRECISIONS as readonly string[]).includes(value)) return value as Precision;
  throw new SlurryError(
    `${where}: ${JSON.stringify(value)} is not a precision; expected one of ${PRECISIONS.join(', ')}`,
  );
}
