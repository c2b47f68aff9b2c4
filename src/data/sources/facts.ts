/**
 * Facts from the knowledge base stated in training templates, each fact repeated by a
 * Zipf exposure plan (knowledge/exposure.ts), shuffled into short paragraphs. Writes
 * knowledge/facts.json (every fact with its exact training exposure and bucket) and
 * probes/facts.jsonl (each fact asked in every held-out template).
 */
import { z } from 'zod';
import { bucketOf, planExposure } from '../knowledge/exposure.js';
import { cloze, clozeCandidates, FACT_TEMPLATES, render } from '../knowledge/templates.js';
import type { FactProbe, FactRecord } from '../probe-files.js';
import { hashString, Rng } from '../random.js';
import type { Document, Source } from './types.js';

const Options = z
  .strictObject({
    maxExposure: z.number().int().positive().default(200),
    zipfExponent: z.number().positive().default(1),
    unseenFraction: z.number().min(0).max(0.9).default(0.1),
    statementsPerDocument: z.number().int().positive().default(8),
    headMin: z.number().int().positive().default(50),
    torsoMin: z.number().int().positive().default(10),
  })
  .refine((o) => o.torsoMin < o.headMin, { message: 'torsoMin must be below headMin', path: ['torsoMin'] });
type Options = z.infer<typeof Options>;

export function templatesOf(relation: string) {
  const t = FACT_TEMPLATES[relation];
  if (!t) throw new Error(`no templates for relation "${relation}"`);
  return t;
}

export const facts: Source<Options> = {
  name: 'facts',
  kind: 'facts',
  description: 'knowledge-base facts (capitals, continents, currencies, languages, elements, US states, hypernyms) in paraphrase templates, Zipf-distributed exposure',
  packages: [],
  filter: 'generated',
  dedup: false,
  options: Options,
  documents(opts, ctx): Document[] {
    const kb = ctx.knowledge();
    const all = kb.relations.flatMap((r) => r.facts);
    const plan = planExposure(all, opts, Rng.derive(ctx.seed, 'facts/exposure'));
    const statements: { text: string; fact: string }[] = [];
    for (const f of all) {
      const train = templatesOf(f.relation).train;
      const start = hashString(f.id) % train.length;
      const n = plan.get(f.id)!;
      for (let i = 0; i < n; i++) statements.push({ text: render(train[(start + i) % train.length]!, f.subject, f.object), fact: f.id });
    }
    Rng.derive(ctx.seed, 'facts/order').shuffle(statements);
    const docs: Document[] = [];
    for (let i = 0; i < statements.length; i += opts.statementsPerDocument) {
      const chunk = statements.slice(i, i + opts.statementsPerDocument);
      docs.push({
        id: `facts-${String(docs.length).padStart(6, '0')}`,
        text: chunk.map((s) => s.text).join(' '),
        facts: chunk.map((s) => s.fact),
      });
    }
    return docs;
  },
  artifacts(opts, ctx) {
    const kb = ctx.knowledge();
    const records: FactRecord[] = [];
    const probes: FactProbe[] = [];
    for (const r of kb.relations) {
      const { heldOut } = templatesOf(r.name);
      for (const f of r.facts) {
        const exposure = ctx.exposure.get(f.id) ?? 0;
        const bucket = bucketOf(exposure, opts);
        records.push({ id: f.id, relation: r.name, subject: f.subject, object: f.object, exposure, bucket });
        heldOut.forEach((template, t) => {
          const template_id = `${r.name}/heldout-${t}`;
          probes.push({
            id: `${f.id}/heldout-${t}`,
            fact_id: f.id,
            relation: r.name,
            subject: f.subject,
            template_id,
            ...cloze(template, f.subject, f.object),
            candidates: clozeCandidates(template, r.values),
            exposure,
            bucket,
          });
        });
      }
    }
    return [
      { path: 'knowledge/facts.json', content: { json: records } },
      { path: 'probes/facts.jsonl', content: { jsonl: probes } },
    ];
  },
};
