import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseGPTConfig } from '../../src/model/config.js';
import { GPT } from '../../src/model/gpt.js';
import { tokenLogprobs } from '../../src/model/logprobs.js';
import type { SequenceItem } from '../../src/probes/items.js';
import { scoreInduction } from '../../src/probes/suites/icl.js';
import { Rng } from '../../src/util/rng.js';

const V = 40;
const L = 8;
function repeated(rng: Rng, k: number): SequenceItem {
  const copy = rng.shuffle(Array.from({ length: V - 1 }, (_, i) => i)).slice(0, L);
  return { id: `induction:${k}`, group: 'induction', tokens: [V - 1, ...copy, ...copy] };
}

test('induction: loss gain from the first copy to the second, and accuracy on the second', () => {
  const model = GPT.init(parseGPTConfig({ vocab_size: V, n_layer: 2, n_head: 2, n_embd: 16, n_positions: 2 * L }), 4);
  const rng = new Rng(4);
  for (const { tensor } of model.parameters())
    for (let i = 0; i < tensor.size; i++) tensor.data[i] += 0.3 * rng.normal();
  const items = Array.from({ length: 3 }, (_, k) => repeated(rng, k));
  const r = scoreInduction(model, items);
  const lps = tokenLogprobs(
    model,
    items.map((i) => i.tokens),
  );
  items.forEach((_, b) => {
    const lp = lps[b];
    const mean = (xs: Float32Array) => xs.reduce((a, x) => a + x, 0) / xs.length;
    // Targets r2..rL: lp[1..L-1] in the first copy, lp[L+1..2L-1] in the second.
    const gain = -mean(lp.slice(1, L)) + mean(lp.slice(L + 1, 2 * L));
    assert.ok(Math.abs(r.items[b].c - gain) < 1e-4, `${r.items[b].c} vs ${gain}`);
    assert.ok(r.items[b].d >= 0 && r.items[b].d <= 1);
  });
});

test('prefix matching: a head that attends uniformly scores exactly the uniform level', () => {
  const model = GPT.init(parseGPTConfig({ vocab_size: V, n_layer: 1, n_head: 2, n_embd: 16, n_positions: 2 * L }), 5);
  // Zero queries and keys: every score is 0, so attention is uniform over the causal past.
  model.param('transformer.h.0.attn.c_attn.weight').data.fill(0);
  model.param('transformer.h.0.attn.c_attn.bias').data.fill(0);
  const r = scoreInduction(model, [repeated(new Rng(1), 0), repeated(new Rng(2), 1)]);
  for (const score of r.prefixMatching[0])
    assert.ok(Math.abs(score - r.uniformPrefixMatching) < 1e-6, `${score} vs ${r.uniformPrefixMatching}`);
  // The uniform level: mean over the queries L+1..2L-1 of 1 / (query position + 1).
  const expected = Array.from({ length: L - 1 }, (_, i) => 1 / (L + 2 + i)).reduce((a, b) => a + b, 0) / (L - 1);
  assert.ok(Math.abs(r.uniformPrefixMatching - expected) < 1e-12);
});
