import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PARADIGMS } from '../../src/probes/suites/syntax-paradigms.js';
import { balancedSelection } from '../../src/probes/suites/syntax.js';
import type { SyntaxWords } from '../../src/probes/suites/syntax-words.js';
import { Rng } from '../../src/util/rng.js';

const words: SyntaxWords = {
  nouns: [
    { sg: 'dog', pl: 'dogs' },
    { sg: 'cat', pl: 'cats' },
    { sg: 'man', pl: 'men' },
    { sg: 'box', pl: 'boxes' },
  ],
  verbs: [
    { base: 'run', vbz: 'runs', vbd: 'ran', vbn: 'run' },
    { base: 'sleep', vbz: 'sleeps', vbd: 'slept', vbn: 'slept' },
  ],
  transitive: [
    { base: 'see', vbz: 'sees', vbd: 'saw', vbn: 'seen' },
    { base: 'help', vbz: 'helps', vbd: 'helped', vbn: 'helped' },
  ],
  irregular: [
    { base: 'see', vbz: 'sees', vbd: 'saw', vbn: 'seen' },
    { base: 'take', vbz: 'takes', vbd: 'took', vbn: 'taken' },
  ],
  adjectives: ['old', 'big', 'red'],
};
const tokens = (s: string) => s.split(/(?=[ .])/);

test('every paradigm makes minimal pairs: the same words, one form or place changed, in both polarities', () => {
  assert.ok(PARADIGMS.length >= 8);
  for (const p of PARADIGMS) {
    const rng = new Rng(p.uid);
    for (let i = 0; i < 40; i++) {
      const { good, bad } = p.make(words, rng, (i % 2) as 0 | 1);
      assert.notEqual(good, bad, p.uid);
      const [g, b] = [tokens(good), tokens(bad)];
      const lower = (xs: string[]) =>
        xs.map((x) => x.toLowerCase().replace(/^ /, '').replace(/^\./, '')).filter(Boolean);
      const differ = lower(g).filter((w, k) => w !== lower(b)[k]).length;
      if (['word_order', 'sentence_boundary'].includes(p.uid))
        assert.deepEqual([...lower(g)].sort(), [...lower(b)].sort(), `${p.uid}: ${good} / ${bad}`);
      else assert.ok(g.length === b.length && differ <= 1, `${p.uid}: ${good} / ${bad}`);
    }
  }
});

test('balanced selection: token-length differences cancel exactly, equal-length pairs come in both polarities', () => {
  const rng = new Rng(1);
  const pool = Array.from({ length: 500 }, (_, i) => ({
    id: i,
    polarity: (i % 2) as 0 | 1,
    delta: [0, 0, 1, -1, 2, -2, 3][rng.int(7)],
  }));
  const picked = balancedSelection(pool, 200, new Rng(2));
  assert.equal(picked.length, 200);
  assert.equal(new Set(picked.map((p) => p.id)).size, 200);
  assert.equal(
    picked.reduce((a, p) => a + p.delta, 0),
    0,
  );
  const zeros = picked.filter((p) => p.delta === 0);
  assert.equal(zeros.filter((p) => p.polarity === 0).length, zeros.filter((p) => p.polarity === 1).length);
  // A pool without matching twos yields fewer pairs rather than an unbalanced set.
  assert.deepEqual(
    balancedSelection(
      [
        { polarity: 0, delta: 1 },
        { polarity: 1, delta: 2 },
      ],
      2,
      new Rng(1),
    ),
    [],
  );
});
