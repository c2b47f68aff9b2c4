/**
 * Sizes checked before anything is allocated, so an absurd request (`--steps 1e12`,
 * `eval.batches: 1000000`, `--context 2000000000`) is refused with a message instead of
 * exhausting memory or crashing inside an allocation.
 */
import { totalmem } from 'node:os';

/** Optimizer steps a run may take (a thousand years of a fast laptop is far beyond it). */
export const MAX_STEPS = 1_000_000_000;
/** Checkpoints a run may keep (each is a directory of files). */
export const MAX_CHECKPOINTS = 100_000;
/** Validation batches per source (each a [batch_size, context] window set, evaluated every eval). */
export const MAX_EVAL_BATCHES = 10_000;
/** Tokens in one batch (B x T): its arrays take 9 bytes a token. */
export const MAX_BATCH_TOKENS = 1 << 24;

/** Bytes of memory slurry lets one process plan for: three quarters of the machine's. */
export function memoryBudget(): number {
  return Math.floor(totalmem() * 0.75);
}

/** Null when `bytes` fit the memory budget, or why not (`what` needs about X GiB, more than ...). */
export function overBudget(bytes: number, what: string): string | null {
  const budget = memoryBudget();
  if (bytes <= budget) return null;
  return `${what} needs about ${gib(bytes)} GiB, more than the ${gib(budget)} GiB this machine allows (3/4 of its memory)`;
}

function gib(bytes: number): string {
  return (bytes / 2 ** 30).toPrecision(3);
}
