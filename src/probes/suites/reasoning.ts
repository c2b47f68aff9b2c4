/**
 * `reasoning`: questions answered by generation, none of them in training (the corpus's
 * probes/twohop.jsonl, arithmetic.jsonl, code.jsonl). Per item d = exact match under
 * greedy decoding and c = log-probability of the answer per token (cloze.ts). Groups:
 * `twohop`, `add_Nd` (addition by digits of the longer operand), `code` (tracing).
 *
 * Two-hop items carry their single hops (facts.jsonl cloze items of both facts); an item
 * counts as "known" at a checkpoint when the model ranks both hops' answers first among
 * their candidates, and the summary reports exact match and top-1 over those too
 * (`twohop_known_*`). Every item set is capped and spread evenly over compositions and
 * answers.
 */
import { readProbeItems } from '../../data/probe-files.js';
import { Rng } from '../../util/rng.js';
import { answerLengthKeys, spreadSample } from '../balanced-sample.js';
import { clozeFits, generatedItems, prepareCloze, scoreCloze } from '../cloze.js';
import { ClozeItem } from '../items.js';
import { readJsonlFile } from '../../util/jsonl.js';
import { summarize, type BuildContext, type SuiteDefinition } from '../suite.js';

export const REASONING_LIMITS = { twohop: 32, perDigits: 48, code: 96 };

export function buildReasoningItems(ctx: BuildContext, limits = REASONING_LIMITS): ClozeItem[] {
  const dir = ctx.corpus.dir;
  const rng = Rng.derive(ctx.seed, 'reasoning');
  const fits = (item: { prompt: string; answer: string; candidates?: string[] }) =>
    clozeFits(ctx.corpus.tokenizer, ctx.context, item);
  // The first held-out template of each fact asks a hop.
  const hopOf = new Map<string, ClozeItem['hops'] & object>();
  for (const f of readProbeItems(dir, 'facts').filter(fits)) {
    if (!hopOf.has(f.fact_id)) hopOf.set(f.fact_id, [{ prompt: f.prompt, answer: f.answer, candidates: f.candidates }]);
  }
  const twohopProbes = readProbeItems(dir, 'twohop').filter(fits);
  const lengths = answerLengthKeys(ctx.corpus.tokenizer, twohopProbes, (t) => t.composition);
  const twohop = spreadSample(twohopProbes, limits.twohop, rng, {
    stratum: (t) => t.composition,
    value: (t) => t.answer,
    ...lengths,
  }).map((t): ClozeItem => {
    const hops = [hopOf.get(t.hop1), hopOf.get(t.hop2)];
    return {
      id: t.id,
      group: 'twohop',
      prompt: t.prompt,
      answer: t.answer,
      candidates: t.candidates,
      ...(hops[0] && hops[1] ? { hops: [...hops[0], ...hops[1]] } : {}),
      meta: { composition: t.composition, hop1_exposure: t.hop1_exposure, hop2_exposure: t.hop2_exposure },
    };
  });
  const arithmetic = spreadSample(readProbeItems(dir, 'arithmetic').filter(fits), Infinity, rng, {
    stratum: (a) => String(a.digits),
    value: (a) => a.answer,
  });
  const byDigits = new Map<number, typeof arithmetic>();
  for (const a of arithmetic) byDigits.set(a.digits, [...(byDigits.get(a.digits) ?? []), a]);
  const additions = [...byDigits.keys()]
    .sort((a, b) => a - b)
    .flatMap((d) => byDigits.get(d)!.slice(0, limits.perDigits))
    .map(
      (a): ClozeItem => ({
        id: a.id,
        group: `add_${a.digits}d`,
        prompt: a.prompt,
        answer: a.answer,
        meta: { digits: a.digits, carries: a.carries },
      }),
    );
  const code = spreadSample(readProbeItems(dir, 'code').filter(fits), limits.code, rng, {
    stratum: (c) => String(c.steps),
    value: (c) => c.answer,
  }).map(
    (c): ClozeItem => ({
      id: c.id,
      group: 'code',
      prompt: c.prompt,
      answer: c.answer,
      meta: { steps: c.steps, variable: c.variable },
    }),
  );
  return [...twohop, ...additions, ...code];
}

export const reasoningSuite: SuiteDefinition = {
  name: 'reasoning',
  description:
    'held-out two-hop questions, multi-digit additions and code tracing; greedy exact match and answer log-probability',
  build: (ctx) => buildReasoningItems(ctx),
  prepare(file, tokenizer, policy) {
    const items = readJsonlFile(file, ClozeItem, policy).rows.map((r) => r.value);
    const prepared = prepareCloze(items, tokenizer);
    return {
      name: 'reasoning',
      kind: 'probe',
      run(model) {
        const scores = scoreCloze(model, 'reasoning', prepared, tokenizer, { exact: true });
        const scored = generatedItems(prepared, scores, tokenizer.vocabSize);
        // Two-hop extras: top-1 among the candidates, and both over the items whose hops are known.
        const twohop = items.flatMap((item, i) => (item.group === 'twohop' && item.candidates ? [i] : []));
        const known = twohop.filter((i) => items[i].hops && scores[i].hopsKnown);
        const mean = (idx: number[], f: (i: number) => number) =>
          idx.length ? idx.reduce((a, i) => a + f(i), 0) / idx.length : NaN;
        return summarize(scored, {
          suite: 'reasoning',
          discrete: 'exact_match',
          continuous: 'logprob_per_token',
          ceiling: { d: 1, c: 0 },
          metrics: {
            twohop_top1: mean(twohop, (i) => scores[i].top1),
            twohop_with_hops_n: twohop.filter((i) => items[i].hops).length,
            twohop_known_n: known.length,
            twohop_known_exact_match: mean(known, (i) => scored[i].d),
            twohop_known_top1: mean(known, (i) => scores[i].top1),
          },
        });
      },
    };
  },
};
