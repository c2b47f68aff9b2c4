/**
 * Multi-digit addition drills ("347 + 589 = 936"), digit counts drawn uniformly so carries
 * of every length occur. A held-out set of problems per digit count, in both operand
 * orders, never appears in training and becomes probes/arithmetic.jsonl.
 */
import { z } from 'zod';
import type { ArithmeticProbe } from '../probe-files.js';
import { Rng } from '../random.js';
import type { Document, Source } from './types.js';

/** Number of carries when adding a and b in base 10. */
export function countCarries(a: number, b: number): number {
  let carries = 0;
  let carry = 0;
  while (a > 0 || b > 0) {
    const s = (a % 10) + (b % 10) + carry;
    carry = s >= 10 ? 1 : 0;
    carries += carry;
    a = Math.floor(a / 10);
    b = Math.floor(b / 10);
  }
  return carries;
}

/** A uniform operand with exactly `digits` digits (0-9 for one digit). */
function operand(rng: Rng, digits: number): number {
  return digits === 1 ? rng.int(0, 9) : rng.int(10 ** (digits - 1), 10 ** digits - 1);
}

const key = (a: number, b: number) => (a <= b ? `${a}+${b}` : `${b}+${a}`);

export const formatProblem = (a: number, b: number) => `${a} + ${b} = ${a + b}`;

const Options = z
  .strictObject({
    problems: z.number().int().positive().default(20000),
    minDigits: z.number().int().positive().default(1),
    maxDigits: z.number().int().positive().max(9).default(3),
    /** Held-out problems per digit count (at most a fifth of the unordered pairs there are). */
    heldOutPerDigits: z.number().int().nonnegative().default(100),
    problemsPerDocument: z.number().int().positive().default(16),
  })
  .refine((o) => o.minDigits <= o.maxDigits, { message: 'minDigits must not exceed maxDigits', path: ['minDigits'] });
type Options = z.infer<typeof Options>;

/** The held-out problems, by digit count: a pure function of the seed and options. */
export function heldOutProblems(opts: Options, seed: number): { a: number; b: number; digits: number }[] {
  const rng = Rng.derive(seed, 'arithmetic/heldout');
  const out: { a: number; b: number; digits: number }[] = [];
  const seen = new Set<string>();
  for (let d = opts.minDigits; d <= opts.maxDigits; d++) {
    const values = d === 1 ? 10 : 9 * 10 ** (d - 1);
    const unorderedPairs = (values * (values + 1)) / 2;
    const want = Math.min(opts.heldOutPerDigits, Math.floor(unorderedPairs / 5));
    let got = 0;
    while (got < want) {
      const a = operand(rng, d);
      const b = operand(rng, d);
      if (seen.has(key(a, b))) continue;
      seen.add(key(a, b));
      out.push({ a, b, digits: d });
      got++;
    }
  }
  return out;
}

export const arithmetic: Source<Options> = {
  name: 'arithmetic',
  kind: 'reasoning',
  description: 'multi-digit addition with carries, one problem per line',
  packages: [],
  filter: 'generated',
  dedup: false,
  options: Options,
  documents(opts, ctx): Document[] {
    const held = new Set(heldOutProblems(opts, ctx.seed).map((p) => key(p.a, p.b)));
    const rng = Rng.derive(ctx.seed, 'arithmetic/train');
    const lines: string[] = [];
    while (lines.length < opts.problems) {
      const d = rng.int(opts.minDigits, opts.maxDigits);
      const a = operand(rng, d);
      const b = operand(rng, d);
      if (!held.has(key(a, b))) lines.push(formatProblem(a, b));
    }
    const docs: Document[] = [];
    for (let i = 0; i < lines.length; i += opts.problemsPerDocument)
      docs.push({ id: `arithmetic-${String(docs.length).padStart(6, '0')}`, text: lines.slice(i, i + opts.problemsPerDocument).join('\n') });
    return docs;
  },
  artifacts(opts, ctx) {
    const items: ArithmeticProbe[] = heldOutProblems(opts, ctx.seed).map(({ a, b, digits }) => ({
      id: `add:${a}+${b}`,
      digits,
      carries: countCarries(a, b),
      a,
      b,
      prompt: `${a} + ${b} =`,
      answer: ` ${a + b}`,
    }));
    return [{ path: 'probes/arithmetic.jsonl', content: { jsonl: items } }];
  },
};
