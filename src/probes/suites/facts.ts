/**
 * `facts`: cloze prompts in templates that never occur in training (the corpus's
 * probes/facts.jsonl), so a right answer means the fact is known beyond the sentences it
 * was seen in. `recall`: the same facts in a training phrasing (probes/facts_seen.jsonl),
 * the easier measure of whether the fact was stored at all. Every value of the relation is a candidate, ranked by
 * log-probability as a whole word (cloze.ts: " 9" does not outrank " 98"). Per item d = top-1 and c = the answer's probability over the candidates;
 * chance is what the uniform language model scores on the item (cloze.ts), near
 * 1 / candidates (the mean of which is `chance_guess`). Summary metrics add the mean
 * reciprocal rank, all of them per exposure bucket (the group: head, torso, tail, unseen),
 * and accuracy per relation and per template.
 *
 * The item set takes up to FACTS_PER_BUCKET items per bucket, spread evenly over
 * relations, over answer lengths in proportion to the candidates' and over answer values
 * (balanced-sample.ts), one held-out template per fact before any fact's second.
 */
import { readProbeItems } from '../../data/probe-files.js';
import { Rng } from '../../util/rng.js';
import { clozeFits, groupMeans, guessChance, prepareCloze, rankedItems, scoreCloze } from '../cloze.js';
import { answerLengthKeys, spreadSample } from '../balanced-sample.js';
import { ClozeItem } from '../items.js';
import { readJsonlFile } from '../../util/jsonl.js';
import { summarize, type BuildContext, type SuiteDefinition } from '../suite.js';

export const FACTS_PER_BUCKET = 32;

type FactsFile = 'facts' | 'facts_seen';

export function buildFactItems(
  ctx: BuildContext,
  perBucket = FACTS_PER_BUCKET,
  file: FactsFile = 'facts',
): ClozeItem[] {
  const probes = readProbeItems(ctx.corpus.dir, file).filter((p) => clozeFits(ctx.corpus.tokenizer, ctx.context, p));
  const rng = Rng.derive(ctx.seed, file);
  // One template per fact in the first tier, chosen by the seed.
  const firstTemplate = new Map<string, string>();
  for (const p of rng.shuffle([...probes]))
    if (!firstTemplate.has(p.fact_id)) firstTemplate.set(p.fact_id, p.template_id);
  const buckets = [...new Set(probes.map((p) => p.bucket))].sort();
  const lengths = answerLengthKeys(ctx.corpus.tokenizer, probes, (p) => p.relation);
  return buckets.flatMap((bucket) =>
    spreadSample(
      probes.filter((p) => p.bucket === bucket),
      perBucket,
      rng,
      {
        stratum: (p) => p.relation,
        value: (p) => p.answer,
        tier: (p) => (firstTemplate.get(p.fact_id) === p.template_id ? 0 : 1),
        ...lengths,
      },
    ).map(
      (p): ClozeItem => ({
        id: p.id,
        group: p.bucket,
        prompt: p.prompt,
        answer: p.answer,
        candidates: p.candidates,
        meta: { relation: p.relation, exposure: p.exposure, fact_id: p.fact_id, template_id: p.template_id },
      }),
    ),
  );
}

function factsSuiteFor(name: string, source: FactsFile, description: string): SuiteDefinition {
  return {
    name,
    description,
    build: (ctx) => buildFactItems(ctx, FACTS_PER_BUCKET, source),
    prepare(file, tokenizer, policy) {
      const items = readJsonlFile(file, ClozeItem, policy).rows.map((r) => r.value);
      const prepared = prepareCloze(items, tokenizer);
      const relations = groupsBy(items, 'relation');
      const templates = groupsBy(items, 'template_id');
      return {
        name,
        kind: 'probe',
        run(model) {
          const scores = scoreCloze(model, name, prepared, tokenizer, { exact: false });
          const scored = rankedItems(prepared, scores, tokenizer.vocabSize);
          const mrr = scores.map((s) => s.reciprocalRank);
          const top1 = scores.map((s) => s.top1);
          return summarize(scored, {
            suite: name,
            discrete: 'accuracy',
            continuous: 'p_answer',
            ceiling: { d: 1, c: 1 },
            // Facts never stated in training are the control: at chance if nothing leaks.
            controlGroups: ['unseen'],
            metrics: {
              ...groupMeans('mrr', scored, mrr),
              chance_guess: guessChance(prepared),
              ...prefixKeys('relation:', groupMeans('accuracy', relations, top1)),
              ...prefixKeys('template:', groupMeans('accuracy', templates, top1)),
            },
          });
        },
      };
    },
  };
}

export const factsSuite = factsSuiteFor(
  'facts',
  'facts',
  'held-out cloze prompts of knowledge-base facts, every relation value a candidate; top-1, MRR and p(answer) by exposure bucket',
);

export const recallSuite = factsSuiteFor(
  'recall',
  'facts_seen',
  'the same facts asked in a training phrasing: was the fact stored at all; top-1, MRR and p(answer) by exposure bucket',
);

/** Each item's value of a meta field as its group: accuracy per relation, per template (which phrasings are answered). */
function groupsBy(items: readonly ClozeItem[], field: 'relation' | 'template_id'): { group: string }[] {
  return items.map((item) => ({ group: String(item.meta?.[field] ?? 'unknown') }));
}

/** accuracy/country_capital -> accuracy/relation:country_capital (the overall mean is dropped: it repeats `accuracy`). */
function prefixKeys(prefix: string, metrics: Record<string, number>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(metrics)
      .filter(([k]) => k.includes('/'))
      .map(([k, v]) => [k.replace('/', `/${prefix}`), v]),
  );
}
