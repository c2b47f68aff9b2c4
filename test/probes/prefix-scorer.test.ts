import assert from 'node:assert/strict';
import { test } from 'node:test';
import { kernels, setKernels } from '../../src/engine/backend.js';
import { referenceKernels } from '../../src/engine/reference/kernels.js';
import { parseGPTConfig } from '../../src/model/config.js';
import { GPT } from '../../src/model/gpt.js';
import { tokenLogprobs } from '../../src/model/logprobs.js';
import { scoreContinuations, type ScoreRequest } from '../../src/probes/prefix-scorer.js';
import { Rng } from '../../src/util/rng.js';

const base = { vocab_size: 13, n_layer: 2, n_head: 2, n_embd: 8, n_positions: 12 };
// The exact comparisons run in float64 on the reference kernels; the last test runs the
// active backend (native when built) in float32.
const active = kernels();
setKernels(referenceKernels);

/** A model with weights large enough that attention and norms carry real signal. */
function randomModel(overrides: object, seed: number, dtype: 'f32' | 'f64' = 'f64'): GPT {
  const model = GPT.init(parseGPTConfig({ ...base, ...overrides }), seed, dtype);
  const rng = new Rng(seed + 100);
  for (const { tensor } of model.parameters())
    for (let i = 0; i < tensor.size; i++) tensor.data[i] += 0.4 * rng.normal();
  return model;
}

function randomRequests(rng: Rng, count: number, V: number): ScoreRequest[] {
  const seq = (n: number) => Array.from({ length: n }, () => rng.int(V));
  return Array.from({ length: count }, () => {
    const context = seq(1 + rng.int(6));
    const stem = seq(1 + rng.int(2));
    // Shared stems, a continuation that is a prefix of another, and unrelated ones.
    const continuations = [stem, [...stem, ...seq(1 + rng.int(3))], [...stem, ...seq(2)], seq(1 + rng.int(4)), seq(1)];
    return { context, continuations };
  });
}

for (const [label, overrides] of [
  ['GPT-2', {}],
  ['grokking variant', { tie_word_embeddings: false, layer_norm: false, activation_function: 'relu' }],
] as const) {
  test(`${label}: trie scores equal full-sequence log-probabilities, in any batching`, () => {
    const model = randomModel(overrides, 7);
    const rng = new Rng(3);
    const requests = randomRequests(rng, 9, base.vocab_size);
    const full = requests.flatMap((r) => r.continuations.map((c) => [...r.context, ...c]));
    const reference = tokenLogprobs(model, full);
    for (const maxBatchTokens of [1, 20, 10000]) {
      const scores = scoreContinuations(
        model,
        requests.map((r) => ({ ...r, next: [0, 2] })),
        { maxBatchTokens },
      );
      let k = 0;
      requests.forEach((r, i) =>
        r.continuations.forEach((_, j) => {
          const lp = reference[k++];
          const expected = lp.slice(r.context.length - 1).reduce((a, b) => a + b, 0);
          // tokenLogprobs returns float32.
          assert.ok(
            Math.abs(scores[i][j].logprob - expected) < 1e-5,
            `request ${i} continuation ${j}: ${scores[i][j].logprob} vs ${expected}`,
          );
        }),
      );
    }
  });
}

test('greedy and next agree with the argmax of full-sequence logits, for the continuations in next alone', () => {
  const model = randomModel({}, 11);
  const rng = new Rng(4);
  const requests = randomRequests(rng, 6, base.vocab_size);
  // Every continuation but the second of each request: that one shares a stem with others.
  const scores = scoreContinuations(
    model,
    requests.map((r) => ({ ...r, next: r.continuations.map((_, k) => k).filter((k) => k !== 1) })),
  );
  // The argmax continuation of each context, built token by token from next-token scores.
  requests.forEach((r, i) => {
    r.continuations.forEach((c, j) => {
      if (j === 1) {
        assert.deepEqual(Object.keys(scores[i][j]), ['logprob'], `request ${i}: continuation 1 is not in next`);
        return;
      }
      const options = Array.from({ length: base.vocab_size }, (_, v) => [...c.slice(0, -1), v]);
      const alt = scoreContinuations(model, [{ context: r.context, continuations: options }]);
      const best = alt[0].reduce((b, s, v) => (s.logprob > alt[0][b].logprob ? v : b), 0);
      if (c.length === 1) assert.equal(scores[i][j].greedy, best === c[0], `request ${i} continuation ${j}`);
      if (!scores[i][j].greedy) return;
      const after = Array.from({ length: base.vocab_size }, (_, v) => [...c, v]);
      const s2 = scoreContinuations(model, [{ context: r.context, continuations: after }]);
      const bestNext = s2[0].reduce((b, s, v) => (s.logprob > s2[0][b].logprob ? v : b), 0);
      assert.equal(scores[i][j].next, bestNext);
    });
  });
});

test('endLogprob is the mass of the follower tokens after each continuation, in any batching, whatever each request follows with', () => {
  const model = randomModel({}, 13);
  const rng = new Rng(5);
  const V = base.vocab_size;
  // Requests in one batch may give different follower sets; one gives none (mass 0).
  const masks = [(v: number) => v % 3 === 0, (v: number) => v < 5, () => false].map((keep) =>
    Uint8Array.from({ length: V }, (_, v) => (keep(v) ? 1 : 0)),
  );
  const requests = randomRequests(rng, 6, V).map((r, i) => ({
    ...r,
    context: r.context.slice(0, 4),
    followers: masks[i % masks.length],
  }));
  for (const maxBatchTokens of [1, 10000]) {
    const scores = scoreContinuations(model, requests, { maxBatchTokens });
    requests.forEach((r, i) =>
      r.continuations.forEach((c, j) => {
        const followers = r.followers;
        if (!followers.includes(1)) {
          assert.equal(scores[i][j].endLogprob, -Infinity);
          return;
        }
        const rows = tokenLogprobs(
          model,
          Array.from({ length: V }, (_, v) => [...r.context, ...c, v]),
        );
        const at = r.context.length + c.length - 1;
        const expected = Math.log(rows.reduce((a, row, v) => a + (followers[v] ? Math.exp(row[at]) : 0), 0));
        assert.ok(
          Math.abs(scores[i][j].endLogprob! - expected) < 1e-5,
          `request ${i} continuation ${j}: ${scores[i][j].endLogprob} vs ${expected}`,
        );
      }),
    );
  }
});

test('a continuation that does not fit the context window is refused', () => {
  const model = randomModel({}, 1);
  assert.throws(
    () => scoreContinuations(model, [{ context: Array(10).fill(1), continuations: [[1, 2, 3, 4]] }]),
    /needs 13 positions; the context holds 12/,
  );
});

test(`float32 on the active backend (${active.info().name}): trie scores match whole sequences`, () => {
  setKernels(active);
  try {
    const model = randomModel({ n_embd: 32, n_head: 4, vocab_size: 50, n_positions: 24 }, 9, 'f32');
    const rng = new Rng(8);
    const requests = randomRequests(rng, 12, 50);
    const full = requests.flatMap((r) => r.continuations.map((c) => [...r.context, ...c]));
    const reference = tokenLogprobs(model, full);
    const scores = scoreContinuations(model, requests, { maxBatchTokens: 64 });
    let k = 0;
    requests.forEach((r, i) =>
      r.continuations.forEach((_, j) => {
        const expected = reference[k++].slice(r.context.length - 1).reduce((a, b) => a + b, 0);
        assert.ok(
          Math.abs(scores[i][j].logprob - expected) < 1e-3 * Math.max(1, Math.abs(expected)),
          `request ${i} continuation ${j}: ${scores[i][j].logprob} vs ${expected}`,
        );
      }),
    );
  } finally {
    setKernels(referenceKernels);
  }
});
