import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BpeTokenizer } from '../../src/data/tokenizer/tokenizer.js';
import { parseGPTConfig } from '../../src/model/config.js';
import { generate } from '../../src/model/generate.js';
import { GPT } from '../../src/model/gpt.js';
import { tokenLogprobs } from '../../src/model/logprobs.js';
import { prepareCloze, scoreCloze, uniformModelScore, wordEndTokens } from '../../src/probes/cloze.js';
import type { ClozeItem } from '../../src/probes/items.js';
import { Rng } from '../../src/util/rng.js';
import { tableModel } from './support/table-model.js';

const tokenizer = new BpeTokenizer({ vocab: Array.from({ length: 256 }, (_, b) => Uint8Array.of(b)), merges: [] });

/** A random model with large weights, so its greedy continuations vary with the prompt. */
function model(seed: number): GPT {
  const m = GPT.init(
    parseGPTConfig({ vocab_size: tokenizer.vocabSize, n_layer: 1, n_head: 2, n_embd: 16, n_positions: 32 }),
    seed,
  );
  const rng = new Rng(seed);
  for (const { tensor } of m.parameters()) for (let i = 0; i < tensor.size; i++) tensor.data[i] += 0.5 * rng.normal();
  return m;
}

test('exact match is greedy decoding: the answer, then no token continuing its word', () => {
  const m = model(4);
  const items: ClozeItem[] = [];
  const expected: boolean[] = [];
  for (const [i, prompt] of ['The cat', 'x = 1 +', 'Paris is', 'Once upon a', 'abc', '12 + 3 ='].entries()) {
    const context = [tokenizer.eotId, ...tokenizer.encode(prompt)];
    const greedy = generate(m, context, { maxNewTokens: 3, temperature: 0 });
    const answer = tokenizer.decode(greedy.slice(0, 2));
    const endsWord = /[\p{L}\p{N}]$/u.test(answer);
    expected.push(!endsWord || !/^[\p{L}\p{N}\-'\u2019\uFFFD]/u.test(tokenizer.decode([greedy[2]])));
    items.push({ id: `g${i}`, group: 'g', prompt, answer });
    // The same prompt with a different last answer byte is never an exact match.
    items.push({ id: `w${i}`, group: 'g', prompt, answer: tokenizer.decode([greedy[0], (greedy[1] + 1) % 256]) });
    expected.push(false);
  }
  const scores = scoreCloze(m, 'test', prepareCloze(items, tokenizer), tokenizer, { exact: true });
  assert.deepEqual(
    scores.map((s) => s.exact),
    expected,
  );
  assert.ok(expected.filter(Boolean).length >= 1, 'some greedy answers must count');
});

test('top-1, reciprocal rank and p(answer) over the candidates, with ties shared', () => {
  const m = model(5);
  const item: ClozeItem = { id: 'q', group: 'g', prompt: 'Pick:', answer: ' a', candidates: [' a', ' b', ' c'] };
  const [prepared] = prepareCloze([item], tokenizer);
  const [s] = scoreCloze(m, 'test', [prepared], tokenizer, { exact: false });
  // Each candidate as a whole word, from full forward passes: its two tokens, then any token
  // that does not continue the word. Ranked by hand.
  const lp = [' a', ' b', ' c'].map((a) => wordLogprob(m, [tokenizer.eotId, ...tokenizer.encode('Pick:' + a)], 2));
  const rank = 1 + lp.filter((x) => x > lp[0]).length;
  assert.equal(s.top1, rank === 1 ? 1 : 0);
  assert.ok(Math.abs(s.reciprocalRank - 1 / rank) < 1e-12);
  assert.ok(Math.abs(s.pAnswer - Math.exp(lp[0]) / lp.reduce((a, x) => a + Math.exp(x), 0)) < 1e-6);
  // A candidate identical in tokens to the answer ties with it: top-1 is shared.
  const [tied] = prepareCloze([{ ...item, candidates: [' a', ' b'] }], tokenizer);
  tied.options.push([...tied.options[0]]);
  const [t] = scoreCloze(m, 'test', [tied], tokenizer, { exact: false });
  const best = Math.max(...lp.slice(0, 2)) === lp[0];
  assert.equal(t.top1, best ? 0.5 : 0);
  if (best) assert.ok(Math.abs(t.reciprocalRank - 0.75) < 1e-12);
});

/** log p(the last `tokens` of `seq`, then a token that ends the word | the rest), by full forward passes. */
function wordLogprob(m: GPT, seq: number[], tokens: number): number {
  const enders = wordEndTokens(tokenizer);
  const rows = tokenLogprobs(
    m,
    Array.from({ length: tokenizer.vocabSize }, (_, v) => [...seq, v]),
  );
  const body = rows[0].slice(seq.length - 1 - tokens, seq.length - 1).reduce((a, b) => a + b, 0);
  const end = rows.reduce((a, row, v) => a + (enders[v] ? Math.exp(row[seq.length - 1]) : 0), 0);
  return body + Math.log(end);
}

test('candidates rank as whole words: a prefix of the answer does not outrank it', () => {
  const byte = (ch: string) => ch.charCodeAt(0);
  // After ':' the model writes 'P', then 'Q', then a space: it knows the answer is "PQ".
  const knows = (second: number) =>
    tableModel(
      tokenizer.vocabSize,
      new Map([
        [byte(':'), byte('P')],
        [byte('P'), second],
        [byte('Q'), byte(' ')],
      ]),
    );
  const item = (answer: string): ClozeItem => ({
    id: answer,
    group: 'g',
    prompt: 'Q:',
    answer,
    candidates: ['P', 'PQ'],
  });
  const items = prepareCloze([item('PQ'), item('P')], tokenizer);
  // Without the word's end, "P" scores p(P) >= p(P) p(Q | P) and always wins.
  assert.deepEqual(
    scoreCloze(knows(byte('Q')), 'test', items, tokenizer, { exact: false }).map((s) => s.top1),
    [1, 0],
  );
  // A model that stops after "P" ranks "P" first.
  assert.deepEqual(
    scoreCloze(knows(byte(' ')), 'test', items, tokenizer, { exact: false }).map((s) => s.top1),
    [0, 1],
  );
});

test('the uniform model ranks by length: chance of an answer among shorter, equal and longer candidates', () => {
  const [item] = prepareCloze(
    [{ id: 'q', group: 'g', prompt: 'x', answer: ' bb', candidates: [' a', ' bb', ' cc', ' ddd'] }],
    tokenizer,
  );
  const V = tokenizer.vocabSize;
  const u = uniformModelScore(item, V);
  assert.equal(u.top1, 0);
  assert.ok(Math.abs(u.pAnswer - 1 / (V + 2 + 1 / V)) < 1e-15);
  const [short] = prepareCloze(
    [{ id: 'q', group: 'g', prompt: 'x', answer: ' a', candidates: [' a', ' b', ' cc'] }],
    tokenizer,
  );
  assert.equal(uniformModelScore(short, V).top1, 0.5);
});

test('a model that greedily writes the answer: exact match scored on items, hops ranked only (no crash)', () => {
  // The reasoning suite crashed here ("token id undefined is outside the vocabulary") once a
  // model wrote a hop's answer greedily: the word-stop check decoded a next token that is
  // only computed for the items themselves.
  const byte = (ch: string) => ch.charCodeAt(0);
  // After ':' the model writes 'P', after 'P' a space (the word stops), after '=' it writes 'Q'.
  const m = tableModel(
    tokenizer.vocabSize,
    new Map([
      [byte(':'), byte('P')],
      [byte('P'), byte(' ')],
      [byte('='), byte('Q')],
      [byte('Q'), byte('Q')],
    ]),
  );
  const hop = { prompt: 'Hop:', answer: 'P', candidates: ['P', 'Z'] };
  const items: ClozeItem[] = [
    { id: 'right', group: 'twohop', prompt: 'Two hops:', answer: 'P', candidates: ['P', 'Z'], hops: [hop, hop] },
    {
      id: 'wrong',
      group: 'twohop',
      prompt: 'Two hops:',
      answer: 'Z',
      candidates: ['P', 'Z'],
      hops: [hop, { ...hop, answer: 'Z' }],
    },
    { id: 'open', group: 'add', prompt: '1 + 1 =', answer: 'Q' },
  ];
  const scores = scoreCloze(m, 'reasoning', prepareCloze(items, tokenizer), tokenizer, { exact: true });
  assert.deepEqual(
    scores.map((s) => [s.exact, s.top1, s.hopsKnown]),
    [
      [true, 1, true],
      [false, 0, false],
      // Greedy writes 'Q' then 'Q' again: the word does not stop, so no exact match.
      [false, 1, true],
    ],
  );
});
