import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BpeTokenizer } from '../../src/data/tokenizer/tokenizer.js';
import { parseGPTConfig } from '../../src/model/config.js';
import { GPT } from '../../src/model/gpt.js';
import { tokenLogprobs } from '../../src/model/logprobs.js';
import { preparePairs, scorePairs } from '../../src/probes/pairs.js';
import { Rng } from '../../src/util/rng.js';

const tokenizer = new BpeTokenizer({ vocab: Array.from({ length: 256 }, (_, b) => Uint8Array.of(b)), merges: [] });

test("a pair's margin is the difference of whole-sentence log-probabilities, each sentence after end-of-text", () => {
  const model = GPT.init(
    parseGPTConfig({ vocab_size: tokenizer.vocabSize, n_layer: 1, n_head: 2, n_embd: 16, n_positions: 40 }),
    3,
  );
  const rng = new Rng(3);
  for (const { tensor } of model.parameters())
    for (let i = 0; i < tensor.size; i++) tensor.data[i] += 0.3 * rng.normal();
  const items = [
    { sentence_good: 'The dog runs.', sentence_bad: 'The dog run.' },
    { sentence_good: 'Old cats sleep.', sentence_bad: 'old cats sleep.' },
    { sentence_good: 'The dogs run', sentence_bad: 'The dogs run.' },
    { sentence_good: 'Same.', sentence_bad: 'Same.' },
  ];
  const pairs = preparePairs(items, ['a', 'b', 'c', 'd'], tokenizer);
  const scored = scorePairs(model, 'test', pairs);
  const whole = (s: string) =>
    tokenLogprobs(model, [[tokenizer.eotId, ...tokenizer.encode(s)]])[0].reduce((a, b) => a + b, 0);
  items.forEach((item, i) => {
    const margin = whole(item.sentence_good) - whole(item.sentence_bad);
    assert.ok(Math.abs(scored[i].c - margin) < 1e-4, `${item.sentence_good}: ${scored[i].c} vs ${margin}`);
    assert.equal(scored[i].d, margin > 0 ? 1 : margin === 0 ? 0.5 : 0);
  });
  assert.deepEqual(scored[3], { id: 'd', group: 'all', d: 0.5, c: 0, chance: { d: 0.5, c: 0 } });
});
