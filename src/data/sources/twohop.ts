/**
 * Two-hop statements over the knowledge base: "The city of Paris lies in Europe" composes
 * country_capital (Paris is France's capital) with country_continent (France is in
 * Europe). A seeded fraction of each composition's subjects is held out: those statements
 * never appear in training and become probes/twohop.jsonl, each with the ids and exposures
 * of its two single hops, so probes can ask "composed when both hops are known?".
 */
import { z } from 'zod';
import type { Fact, KnowledgeBase } from '../knowledge/kb.js';
import { cloze, clozeCandidates, render, TWOHOP_TEMPLATES } from '../knowledge/templates.js';
import type { TwoHopProbe } from '../probe-files.js';
import { Rng } from '../random.js';
import type { Document, Source } from './types.js';

/**
 * A chain through two relations that share the subject key: the composed subject is the
 * first hop's object, the answer the second hop's object.
 */
interface Composition {
  name: string;
  hop1: string;
  hop2: string;
}

export const COMPOSITIONS: readonly Composition[] = [
  { name: 'capital_continent', hop1: 'country_capital', hop2: 'country_continent' },
  { name: 'capital_language', hop1: 'country_capital', hop2: 'country_language' },
  { name: 'capital_currency', hop1: 'country_capital', hop2: 'country_currency' },
  { name: 'symbol_number', hop1: 'element_symbol', hop2: 'element_number' },
  { name: 'symbol_category', hop1: 'element_symbol', hop2: 'element_category' },
];

export interface TwoHopInstance {
  composition: string;
  subject: string;
  answer: string;
  hop1: Fact;
  hop2: Fact;
  heldOut: boolean;
}

/**
 * Every instance of every composition. Subjects that are the first hop's object for more
 * than one key (two countries with a capital called Kingston) are ambiguous and left out.
 */
export function twoHopInstances(kb: KnowledgeBase, heldOutFraction: number, seed: number): TwoHopInstance[] {
  const out: TwoHopInstance[] = [];
  for (const c of COMPOSITIONS) {
    const second = new Map(kb.relation(c.hop2).facts.map((f) => [f.key, f]));
    const first = kb.relation(c.hop1).facts;
    const uses = new Map<string, number>();
    for (const f of first) uses.set(f.object, (uses.get(f.object) ?? 0) + 1);
    const pairs = first.filter((f) => uses.get(f.object) === 1 && second.has(f.key)).map((f) => [f, second.get(f.key)!] as const);
    const order = Rng.derive(seed, `twohop/${c.name}`).shuffle(pairs.map((_, i) => i));
    const heldOut = new Set(order.slice(0, Math.round(pairs.length * heldOutFraction)));
    pairs.forEach(([h1, h2], i) =>
      out.push({ composition: c.name, subject: h1.object, answer: h2.object, hop1: h1, hop2: h2, heldOut: heldOut.has(i) }),
    );
  }
  return out;
}

const Options = z.strictObject({
  heldOutFraction: z.number().min(0).max(0.9).default(0.3),
  /** Statements of each training instance (cycling through the templates). */
  repeats: z.number().int().positive().default(4),
  statementsPerDocument: z.number().int().positive().default(6),
});
type Options = z.infer<typeof Options>;

export const twohop: Source<Options> = {
  name: 'twohop',
  kind: 'reasoning',
  description: 'two-hop compositions of knowledge-base facts (city -> country -> continent, symbol -> element -> number, ...)',
  packages: [],
  filter: 'generated',
  dedup: false,
  options: Options,
  documents(opts, ctx): Document[] {
    const statements: string[] = [];
    for (const inst of twoHopInstances(ctx.knowledge(), opts.heldOutFraction, ctx.seed)) {
      if (inst.heldOut) continue;
      const templates = TWOHOP_TEMPLATES[inst.composition]!;
      for (let i = 0; i < opts.repeats; i++) {
        let text = render(templates[i % templates.length]!, inst.subject, inst.answer);
        if (!/[.!?]$/.test(text)) text += '.';
        statements.push(text);
      }
    }
    Rng.derive(ctx.seed, 'twohop/order').shuffle(statements);
    const docs: Document[] = [];
    for (let i = 0; i < statements.length; i += opts.statementsPerDocument)
      docs.push({ id: `twohop-${String(docs.length).padStart(6, '0')}`, text: statements.slice(i, i + opts.statementsPerDocument).join(' ') });
    return docs;
  },
  artifacts(opts, ctx) {
    const kb = ctx.knowledge();
    const items: TwoHopProbe[] = twoHopInstances(kb, opts.heldOutFraction, ctx.seed)
      .filter((inst) => inst.heldOut)
      .map((inst) => {
        const template = TWOHOP_TEMPLATES[inst.composition]![0]!;
        return {
          id: `${inst.composition}:${inst.hop1.key}`,
          composition: inst.composition,
          subject: inst.subject,
          template_id: `${inst.composition}/0`,
          ...cloze(template, inst.subject, inst.answer),
          candidates: clozeCandidates(template, kb.relation(inst.hop2.relation).values),
          hop1: inst.hop1.id,
          hop2: inst.hop2.id,
          hop1_exposure: ctx.exposure.get(inst.hop1.id) ?? 0,
          hop2_exposure: ctx.exposure.get(inst.hop2.id) ?? 0,
        };
      });
    return [{ path: 'probes/twohop.jsonl', content: { jsonl: items } }];
  },
};
