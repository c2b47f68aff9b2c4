import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bucketOf, countExposure, planExposure, zipfExposure } from '../../src/data/knowledge/exposure.js';
import { loadKnowledgeBase } from '../../src/data/knowledge/kb.js';
import { buildLexicon, regularEd, regularIng, regularS } from '../../src/data/knowledge/lexicon.js';
import {
  cloze,
  clozeCandidates,
  FACT_TEMPLATES,
  indefinite,
  isCloze,
  render,
  TWOHOP_TEMPLATES,
} from '../../src/data/knowledge/templates.js';
import { Rng } from '../../src/data/random.js';
import { readBrownSamples } from '../../src/data/sources/brown.js';
import { facts } from '../../src/data/sources/facts.js';
import { twohop, twoHopInstances } from '../../src/data/sources/twohop.js';
import type { SourceContext } from '../../src/data/sources/types.js';

const kb = loadKnowledgeBase({ hypernymNouns: 150 });
const ctx: SourceContext = { seed: 5, knowledge: () => kb };

test('the knowledge base has real facts in every relation', () => {
  const rel = (n: string) => kb.relation(n);
  assert.equal(kb.fact('country_capital:FR').object, 'Paris');
  assert.equal(kb.fact('country_continent:JP').object, 'Asia');
  assert.equal(kb.fact('country_currency:JP').object, 'Japanese Yen');
  assert.equal(kb.fact('country_language:FR').object, 'French');
  assert.equal(kb.fact('element_symbol:26').object, 'Fe');
  assert.equal(kb.fact('element_symbol:26').subject, 'iron');
  assert.equal(kb.fact('element_number:26').object, '26');
  assert.equal(kb.fact('element_category:2').object, 'noble gas');
  assert.equal(kb.fact('state_capital:Texas').object, 'Austin');
  assert.equal(rel('element_symbol').facts.length, 118);
  assert.equal(rel('state_capital').facts.length, 50);
  assert.ok(rel('country_capital').facts.length > 200);
  assert.equal(rel('noun_hypernym').facts.length, 150);
  for (const r of kb.relations) {
    assert.ok(r.values.length >= 2, r.name);
    assert.equal(new Set(r.facts.map((f) => f.id)).size, r.facts.length);
    for (const f of r.facts) assert.ok(r.values.includes(f.object));
  }
});

test('templates: every relation has training and held-out templates; held-out ones are clozes never used in training', () => {
  for (const r of kb.relations) {
    const t = FACT_TEMPLATES[r.name];
    assert.ok(t && t.train.length >= 3 && t.heldOut.length >= 2, r.name);
    assert.ok(t.train.some(isCloze), `${r.name}: needs a training template ending with the object (facts_seen probes)`);
    for (const h of t.heldOut) {
      assert.match(h, / \{(a:)?o\}$/, `${r.name}: held-out template must end with the object`);
      assert.ok(!t.train.includes(h));
    }
  }
  for (const [name, ts] of Object.entries(TWOHOP_TEMPLATES)) assert.match(ts[0]!, / \{(a:)?o\}$/, name);
  assert.equal(render('{a:s} is a kind of {o}.', 'apple', 'fruit'), 'An apple is a kind of fruit.');
  assert.equal(indefinite('noble gas'), 'a noble gas');
  assert.deepEqual(cloze('Chemists classify {s} as {a:o}', 'argon', 'noble gas'), {
    prompt: 'Chemists classify argon as',
    answer: ' a noble gas',
  });
  assert.deepEqual(clozeCandidates('X {a:o}', ['metal', 'alkali metal']), [' a metal', ' an alkali metal']);
  assert.throws(() => cloze('{o} is it', 's', 'o'));
  assert.deepEqual(cloze('The capital of {s} is {o}.', 'the Netherlands', 'Amsterdam'), {
    prompt: 'The capital of the Netherlands is',
    answer: ' Amsterdam',
  });
});

test('exposure: Zipf by rank, a fixed unseen fraction, buckets by thresholds', () => {
  const opts = { maxExposure: 100, zipfExponent: 1, unseenFraction: 0.1 };
  assert.equal(zipfExposure(1, opts), 100);
  assert.equal(zipfExposure(4, opts), 25);
  assert.equal(zipfExposure(1000, opts), 1);
  const all = kb.relations.flatMap((r) => r.facts);
  const plan = planExposure(all, opts, new Rng(1));
  for (const r of kb.relations) {
    const counts = r.facts.map((f) => plan.get(f.id)!).sort((a, b) => b - a);
    assert.equal(counts[0], 100);
    assert.equal(counts.filter((c) => c === 0).length, Math.floor(r.facts.length * 0.1));
  }
  assert.deepEqual(planExposure(all, opts, new Rng(1)), plan);
  const t = { headMin: 50, torsoMin: 10 };
  assert.deepEqual(
    [0, 1, 9, 10, 49, 50].map((e) => bucketOf(e, t)),
    ['unseen', 'tail', 'tail', 'torso', 'torso', 'head'],
  );
  assert.deepEqual(
    countExposure([{ facts: ['a', 'b', 'a'] }, {}, { facts: ['a'] }]),
    new Map([
      ['a', 3],
      ['b', 1],
    ]),
  );
});

test('facts source: statements per fact follow the plan; the text states them; probes use held-out templates', () => {
  const opts = facts.options.parse({ maxExposure: 40 });
  const docs = facts.documents(opts, ctx);
  const exposure = countExposure(docs);
  const plan = planExposure(
    kb.relations.flatMap((r) => r.facts),
    opts,
    Rng.derive(ctx.seed, 'facts/exposure'),
  );
  for (const [id, n] of plan) assert.equal(exposure.get(id) ?? 0, n, id);
  const text = docs.map((d) => d.text).join(' ');
  const paris = (text.match(/\bParis\b/g) ?? []).length;
  assert.equal(paris, plan.get('country_capital:FR'));
  const arts = facts.artifacts!(opts, { ...ctx, train: docs, exposure });
  const probes = arts.find((a) => a.path === 'probes/facts.jsonl')!.content as {
    jsonl: { prompt: string; answer: string; exposure: number; fact_id: string; candidates: string[] }[];
  };
  assert.equal(probes.jsonl.length, 2 * kb.relations.reduce((n, r) => n + r.facts.length, 0));
  for (const p of probes.jsonl.slice(0, 300)) {
    assert.ok(!text.includes(p.prompt), `prompt in training text: ${p.prompt}`);
    assert.ok(p.candidates.includes(p.answer));
    assert.equal(p.exposure, exposure.get(p.fact_id) ?? 0);
  }
});

test('two-hop: held-out compositions never appear in training; hops are real facts', () => {
  const opts = twohop.options.parse({});
  const insts = twoHopInstances(kb, opts.heldOutFraction, ctx.seed);
  const held = insts.filter((i) => i.heldOut);
  assert.ok(held.length > 50);
  const frac = held.length / insts.length;
  assert.ok(frac > 0.25 && frac < 0.35, `held-out fraction ${frac}`);
  const text = twohop
    .documents(opts, ctx)
    .map((d) => d.text)
    .join(' ');
  const capital = insts.find((i) => i.composition === 'capital_continent' && i.subject === 'Paris')!;
  assert.equal(capital.answer, 'Europe');
  assert.equal(capital.hop1.id, 'country_capital:FR');
  assert.equal(capital.hop2.id, 'country_continent:FR');
  for (const h of held) {
    const sentence = render(TWOHOP_TEMPLATES[h.composition]![0]!, h.subject, h.answer);
    assert.ok(!text.includes(sentence), `held-out composition in training: ${sentence}`);
  }
  const trained = insts.find((i) => !i.heldOut)!;
  assert.ok(text.includes(render(TWOHOP_TEMPLATES[trained.composition]![0]!, trained.subject, trained.answer)));
  // Kingston is the capital of two countries: ambiguous, left out.
  assert.ok(!insts.some((i) => i.subject === 'Kingston'));
});

test('lexicon: Brown tag counts and attested noun and verb forms, irregular ones included', () => {
  assert.deepEqual(regularS('city'), ['cities']);
  assert.deepEqual(regularS('box'), ['boxes']);
  assert.deepEqual(regularEd('stop'), ['stoped', 'stopped']);
  assert.deepEqual(regularIng('make'), ['making', 'makeing']);
  const lex = buildLexicon(readBrownSamples());
  assert.ok(lex.words['the']!['AT']! > 60000);
  assert.ok(lex.words['dogs']!['NNS']! > 0);
  const noun = (s: string) => lex.nouns.find((n) => n.singular === s);
  assert.deepEqual(noun('dog'), { singular: 'dog', plural: 'dogs', irregular: false });
  assert.deepEqual(noun('child'), { singular: 'child', plural: 'children', irregular: true });
  assert.deepEqual(noun('city'), { singular: 'city', plural: 'cities', irregular: false });
  const verb = (b: string) => lex.verbs.find((v) => v.base === b);
  assert.equal(verb('run')!.vbz, 'runs');
  assert.equal(verb('run')!.vbd, 'ran');
  assert.equal(verb('run')!.irregular, true);
  assert.equal(verb('walk')!.vbd, 'walked');
  assert.equal(verb('walk')!.irregular, false);
  assert.ok(lex.nouns.length > 1000 && lex.verbs.length > 500, `${lex.nouns.length} nouns, ${lex.verbs.length} verbs`);
});
