/**
 * Code-tracing snippets: a few JavaScript assignments, then the printed value in a
 * comment ("console.log(b); // 14"). Following the values needs variable binding and
 * small arithmetic. A held-out set of programs never appears in training and becomes
 * probes/code.jsonl (prompt up to "//", answer the value).
 */
import { z } from 'zod';
import type { CodeProbe } from '../probe-files.js';
import { Rng } from '../random.js';
import type { Document, Source } from './types.js';

const VARIABLES = ['a', 'b', 'c', 'x', 'y', 'z', 'n', 'm'];

export interface Program {
  /** The statements, each ending with ";". */
  lines: string[];
  variable: string;
  value: number;
}

/**
 * A random straight-line program: declarations and updates with + - * on small integers,
 * values kept within [0, maxValue] so the answer is a short number.
 */
export function randomProgram(rng: Rng, steps: number, maxValue: number): Program {
  const env = new Map<string, number>();
  const lines: string[] = [];
  const names = rng.shuffle([...VARIABLES]).slice(0, Math.min(3, Math.max(1, steps - 1)) + 1);
  for (let i = 0; i < steps; i++) {
    const target = i === 0 ? names[0]! : rng.pick(names);
    const declared = [...env.keys()];
    const left = declared.length ? rng.pick(declared) : null;
    const op = rng.pick(['+', '-', '*', '=']);
    const k = rng.int(1, 9);
    const v = left === null ? 0 : env.get(left)!;
    let expr: string;
    let value: number;
    if (left === null || op === '=') {
      value = rng.int(0, Math.min(9, maxValue));
      expr = String(value);
    } else if (op === '*' && v * Math.min(k, 3) <= maxValue) {
      value = v * Math.min(k, 3);
      expr = `${left} * ${Math.min(k, 3)}`;
    } else if (op === '-' && v - k >= 0) {
      value = v - k;
      expr = `${left} - ${k}`;
    } else if (v + k <= maxValue) {
      value = v + k;
      expr = `${left} + ${k}`;
    } else if (v - k >= 0) {
      value = v - k;
      expr = `${left} - ${k}`;
    } else {
      value = v;
      expr = `${left} * 1`;
    }
    lines.push(`${env.has(target) ? '' : 'let '}${target} = ${expr};`);
    env.set(target, value);
  }
  const variable = rng.pick([...env.keys()]);
  return { lines, variable, value: env.get(variable)! };
}

/** The prompt (up to and including "//") and the answer (" VALUE"). */
export function programCloze(p: Program): { prompt: string; answer: string } {
  return { prompt: `${p.lines.join('\n')}\nconsole.log(${p.variable}); //`, answer: ` ${p.value}` };
}

export const programText = (p: Program) => {
  const { prompt, answer } = programCloze(p);
  return prompt + answer;
};

const Options = z
  .strictObject({
    programs: z.number().int().positive().default(6000),
    minSteps: z.number().int().positive().default(2),
    maxSteps: z.number().int().positive().default(5),
    maxValue: z.number().int().positive().default(30),
    heldOut: z.number().int().nonnegative().default(400),
    programsPerDocument: z.number().int().positive().default(6),
  })
  .refine((o) => o.minSteps <= o.maxSteps, { message: 'minSteps must not exceed maxSteps', path: ['minSteps'] });
type Options = z.infer<typeof Options>;

/** The held-out programs: a pure function of the seed and options; distinct texts. */
export function heldOutPrograms(opts: Options, seed: number): Program[] {
  const rng = Rng.derive(seed, 'tracing/heldout');
  const out: Program[] = [];
  const seen = new Set<string>();
  for (let tries = 0; out.length < opts.heldOut && tries < opts.heldOut * 20; tries++) {
    const p = randomProgram(rng, rng.int(opts.minSteps, opts.maxSteps), opts.maxValue);
    const text = programText(p);
    if (seen.has(text)) continue;
    seen.add(text);
    out.push(p);
  }
  return out;
}

export const tracing: Source<Options> = {
  name: 'tracing',
  kind: 'reasoning',
  description: 'code tracing: short JavaScript programs of assignments and the value they print',
  packages: [],
  filter: 'generated',
  dedup: false,
  options: Options,
  documents(opts, ctx): Document[] {
    const held = new Set(heldOutPrograms(opts, ctx.seed).map(programText));
    const rng = Rng.derive(ctx.seed, 'tracing/train');
    const programs: string[] = [];
    while (programs.length < opts.programs) {
      const text = programText(randomProgram(rng, rng.int(opts.minSteps, opts.maxSteps), opts.maxValue));
      if (!held.has(text)) programs.push(text);
    }
    const docs: Document[] = [];
    for (let i = 0; i < programs.length; i += opts.programsPerDocument)
      docs.push({ id: `tracing-${String(docs.length).padStart(6, '0')}`, text: programs.slice(i, i + opts.programsPerDocument).join('\n\n') });
    return docs;
  },
  artifacts(opts, ctx) {
    const items: CodeProbe[] = heldOutPrograms(opts, ctx.seed).map((p, i) => ({
      id: `trace:${i}`,
      steps: p.lines.length,
      variable: p.variable,
      ...programCloze(p),
    }));
    return [{ path: 'probes/code.jsonl', content: { jsonl: items } }];
  },
};
