import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../../src/data/random.js';
import { buildLexicon } from '../../src/data/knowledge/lexicon.js';
import { NATURAL_PARADIGMS, naturalPairs } from '../../src/data/knowledge/natural-pairs.js';
import { detokenize, parseBrownSample, readBrownSamples, withInventedNames } from '../../src/data/sources/brown.js';
import { entityEntries, facts } from '../../src/data/sources/facts.js';
import { loadKnowledgeBase } from '../../src/data/knowledge/kb.js';

const lexicon = buildLexicon(readBrownSamples());
const tagged = (line: string) => parseBrownSample('cx01', `\t${line}\n`).paragraphs[0]![0]!;
const pairsOf = (line: string) => naturalPairs([tagged(line)], lexicon, detokenize);

test('natural pairs: one word changed, breaking agreement in either number', () => {
  assert.deepEqual(
    pairsOf('The/at jury/nn says/vbz it/pps is/bez done/vbn ./.').map((p) => [p.uid, p.polarity, p.bad]),
    [['natural_sva', 0, 'The jury say it is done.']],
  );
  assert.deepEqual(
    pairsOf('The/at men/nns are/ber here/rb now/rb ./.').map((p) => [p.uid, p.polarity, p.bad]),
    [['natural_sva', 1, 'The men is here now.']],
  );
  assert.deepEqual(
    pairsOf('We/ppss saw/vbd these/dts houses/nns today/nr ./.').map((p) => [p.uid, p.bad]),
    [
      ['natural_participle', 'We seen these houses today.'],
      ['natural_determiner_noun', 'We saw these house today.'],
    ],
  );
  assert.deepEqual(
    pairsOf('He/pps had/hvd broken/vbn himself/ppl again/rb ./.').map((p) => [p.uid, p.polarity, p.bad]),
    [
      ['natural_participle', 1, 'He had broke himself again.'],
      ['natural_anaphor', 0, 'He had broken themselves again.'],
    ],
  );
  // A verb after a plural noun is left alone when the noun is singular, and headlines are skipped.
  assert.deepEqual(pairsOf('The/at man/nn go/vb home/nr now/rb ./.'), []);
  assert.deepEqual(pairsOf('The/at-hl jury/nn-hl says/vbz-hl it/pps-hl ./.'), []);
});

test('natural pairs: every paradigm has pairs of both polarities in Brown', () => {
  const pairs = naturalPairs(
    readBrownSamples()
      .slice(0, 100)
      .flatMap((s) => s.paragraphs.flat()),
    lexicon,
    detokenize,
  );
  for (const uid of NATURAL_PARADIGMS)
    for (const polarity of [0, 1])
      assert.ok(pairs.filter((p) => p.uid === uid && p.polarity === polarity).length >= 20, `${uid}/${polarity}`);
  for (const p of pairs.slice(0, 500)) {
    assert.notEqual(p.good, p.bad);
    const [g, b] = [p.good.split(' '), p.bad.split(' ')];
    assert.equal(g.length, b.length);
    assert.equal(g.filter((w, i) => w !== b[i]).length, 1, p.good);
  }
});

test('entity entries: every statement once, one entity per entry, at most one statement per relation', () => {
  const statements = [
    ...Array.from({ length: 5 }, (_, i) => ({ entity: 'country:FR', relation: 'country_capital', n: i })),
    ...Array.from({ length: 2 }, (_, i) => ({ entity: 'country:FR', relation: 'country_continent', n: 10 + i })),
    { entity: 'state:Georgia', relation: 'state_capital', n: 20 },
  ];
  const entries = entityEntries(statements, new Rng(3));
  assert.equal(entries.length, 6);
  assert.deepEqual(
    entries
      .flat()
      .map((s) => s.n)
      .sort((a, b) => a - b),
    statements.map((s) => s.n),
  );
  for (const e of entries) {
    assert.equal(new Set(e.map((s) => s.entity)).size, 1);
    assert.equal(new Set(e.map((s) => s.relation)).size, e.length);
  }
});

test('facts grouped by subject keep the exposure plan of the shuffled grouping', () => {
  const kb = loadKnowledgeBase({ hypernymNouns: 40 });
  const ctx = { seed: 2, knowledge: () => kb };
  const count = (grouping: 'subject' | 'shuffled') => {
    const docs = facts.documents(facts.options.parse({ grouping, maxExposure: 30 }), ctx);
    const c = new Map<string, number>();
    for (const d of docs) for (const f of d.facts ?? []) c.set(f, (c.get(f) ?? 0) + 1);
    return [...c].sort();
  };
  assert.deepEqual(count('subject'), count('shuffled'));
});

test('invented names: each proper noun becomes one fresh name within a sample, other words stay', () => {
  const sample = parseBrownSample('cx02', '\tJohn/np met/vbd Mary/np ./.\n\tJohn/np left/vbd the/at city/nn ./.\n');
  const renamed = withInventedNames(sample, 7);
  const words = renamed.paragraphs.flat(2).map((t) => t.word);
  assert.equal(words[0], words[4], 'the same name at every mention');
  assert.notEqual(words[0], words[2], 'two people, two names');
  assert.ok(!words.includes('John') && !words.includes('Mary'));
  assert.deepEqual([words[1], words[5], words[6], words[7]], ['met', 'left', 'the', 'city']);
  assert.deepEqual(withInventedNames(sample, 7), renamed, 'a pure function of the seed and sample');
  const other = withInventedNames({ ...sample, id: 'cx03' }, 7)
    .paragraphs.flat(2)
    .map((t) => t.word);
  assert.notEqual(other[0], words[0], 'another sample, other names');
});
