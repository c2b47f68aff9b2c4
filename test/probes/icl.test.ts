import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseGPTConfig } from '../../src/model/config.js';
import { GPT } from '../../src/model/gpt.js';
import { tokenLogprobs } from '../../src/model/logprobs.js';
import type { SequenceItem } from '../../src/probes/items.js';
import { scoreContext, scoreInduction } from '../../src/probes/suites/icl.js';
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

function contextItems(rng: Rng, n: number, T: number, D: number): SequenceItem[] {
  return Array.from({ length: n }, (_, k) => ({
    id: `context:text:${k}`,
    group: 'context',
    tokens: Array.from({ length: T + 1 }, () => rng.int(V)),
    meta: { source: 'text', distant_from: `context:text:${(k + 1) % n}`, distant: D },
  }));
}

test("context: the second half's loss after another window's beginning minus after its own", () => {
  const T = 16;
  const D = 6;
  const model = GPT.init(parseGPTConfig({ vocab_size: V, n_layer: 2, n_head: 2, n_embd: 16, n_positions: T }), 6);
  const rng = new Rng(6);
  for (const { tensor } of model.parameters())
    for (let i = 0; i < tensor.size; i++) tensor.data[i] += 0.3 * rng.normal();
  const items = contextItems(rng, 3, T, D);
  const r = scoreContext(model, items);
  const mean = (xs: Float32Array) => xs.reduce((a, x) => a + x, 0) / xs.length;
  items.forEach((item, k) => {
    const from = items[(k + 1) % items.length];
    const [own, swapped] = tokenLogprobs(model, [item.tokens, [...from.tokens.slice(0, D), ...item.tokens.slice(D)]]);
    const gain = mean(own.slice(T / 2)) - mean(swapped.slice(T / 2));
    assert.ok(Math.abs(r.items[k].c - gain) < 1e-5, `${r.items[k].c} vs ${gain}`);
    assert.equal(r.items[k].d, gain > 0 ? 1 : 0);
    assert.deepEqual(r.items[k].chance, { d: 0.5, c: 0 });
  });
  // Olsson's score on the windows as written: early [T/16, 3T/16) minus the last T/8.
  const olsson = items.map((item) => {
    const [lp] = tokenLogprobs(model, [item.tokens]);
    return -mean(lp.slice(T / 16, (3 * T) / 16)) + mean(lp.slice(T - T / 8));
  });
  assert.ok(Math.abs(r.iclScore - olsson.reduce((a, b) => a + b, 0) / olsson.length) < 1e-5);
});

test('context: a window whose distant context is its own scores a tie, half a point', () => {
  const model = GPT.init(parseGPTConfig({ vocab_size: V, n_layer: 1, n_head: 2, n_embd: 16, n_positions: 16 }), 7);
  const [item] = contextItems(new Rng(7), 1, 16, 6);
  const r = scoreContext(model, [{ ...item, meta: { ...item.meta, distant_from: item.id } }]);
  assert.equal(r.items[0].c, 0);
  assert.equal(r.items[0].d, 0.5);
});

test('context: items without a partner (cached by an older slurry) are refused, naming the item and the fix', () => {
  const model = GPT.init(parseGPTConfig({ vocab_size: V, n_layer: 1, n_head: 2, n_embd: 16, n_positions: 16 }), 8);
  const [item] = contextItems(new Rng(8), 1, 16, 6);
  assert.throws(
    () => scoreContext(model, [{ ...item, meta: { source: 'text' } }]),
    /icl item context:text:0: no distant context to swap .*delete the run's probe-items\/icl\.jsonl/,
  );
});
