import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseTrainConfig, resolveTrainConfig, type ResolvedTrainConfig } from '../../src/train/config.js';
import { trainPreset } from '../../src/train/presets.js';
import type { SourceInfo } from '../../src/train/training-data.js';
import { SlurryError } from '../../src/util/errors.js';

const sources: SourceInfo[] = [
  { name: 'brown', kind: 'books', tokens: 600 },
  { name: 'moby', kind: 'books', tokens: 200 },
  { name: 'lodash', kind: 'code', tokens: 200 },
];
const ctx = { sources, vocabSize: 50, where: 'run.yaml' };
const base = { corpus: '/corpus', steps: 100, model: { n_layer: 2, n_head: 2, n_embd: 16 }, batch_size: 4, context: 8 };

function resolve(value: unknown): ResolvedTrainConfig {
  return resolveTrainConfig(parseTrainConfig(value, 'run.yaml'), ctx);
}

function rejects(value: unknown, pattern: RegExp): void {
  assert.throws(
    () => resolve(value),
    (err: unknown) => err instanceof SlurryError && pattern.test(err.message),
    `expected ${pattern}`,
  );
}

test('every default is written out, and resolving the result gives it back unchanged', () => {
  const c = resolve(base);
  assert.equal(c.model.vocab_size, 50);
  assert.equal(c.model.n_positions, 8);
  assert.equal(c.model.n_inner, 64);
  assert.equal(c.tokens, 100 * 4 * 8);
  assert.deepEqual(c.data.schedule, { kind: 'mix', weights: { brown: 0.6, moby: 0.2, lodash: 0.2 } });
  assert.deepEqual(c.lr_schedule, { kind: 'cosine', warmup_steps: 5, min_lr_ratio: 0.1 });
  assert.equal(c.data.seed, 0);
  assert.equal(c.optimizer.grad_clip, 1);
  assert.equal(c.optimizer.kind, 'adamw');
  const again = resolve(JSON.parse(JSON.stringify(c)));
  assert.deepEqual(again, c);
});

test('optimizer.kind muon resolves with its own keys written out; AdamW refuses them', () => {
  const c = resolve({ ...base, optimizer: { lr: 0.01, kind: 'muon', muon_lr: 0.05 } });
  assert.deepEqual(c.optimizer, {
    kind: 'muon',
    lr: 0.01,
    beta1: 0.9,
    beta2: 0.95,
    eps: 1e-8,
    weight_decay: 0.1,
    grad_clip: 1,
    muon_lr: 0.05,
    muon_momentum: 0.95,
    muon_nesterov: true,
    muon_weight_decay: 0,
    muon_ns_steps: 5,
  });
  assert.deepEqual(resolve(JSON.parse(JSON.stringify(c))), c);
  rejects({ ...base, optimizer: { muon_lr: 0.05 } }, /Unrecognized key.*muon_lr/);
  rejects({ ...base, optimizer: { kind: 'sgd' } }, /field "optimizer\.kind"/);
  rejects({ ...base, optimizer: { kind: 'muon', muon_momentum: 1 } }, /field "optimizer\.muon_momentum": Too big/);
});

test('a token budget becomes whole steps; weights may name kinds', () => {
  const c = resolve({
    ...base,
    steps: undefined,
    tokens: 1000,
    data: { schedule: { kind: 'mix', weights: { books: 1, lodash: 1 } } },
  });
  assert.equal(c.steps, 32);
  assert.equal(c.tokens, 1024);
  assert.deepEqual(c.data.schedule, { kind: 'mix', weights: { brown: 0.75, moby: 0.25, lodash: 1 } });
  assert.deepEqual(resolve(JSON.parse(JSON.stringify(c))), c);
});

test('repeats by kind or source go to each source named; one fraction stays one', () => {
  const c = resolve({ ...base, data: { repeats: { books: 0.5, lodash: 1 } } });
  assert.deepEqual(c.data.repeats, { brown: 0.5, moby: 0.5, lodash: 1 });
  assert.deepEqual(resolve(JSON.parse(JSON.stringify(c))), c);
  assert.equal(resolve({ ...base, data: { repeats: 0.2 } }).data.repeats, 0.2);
  rejects({ ...base, data: { repeats: { poems: 0.5 } } }, /data\.repeats\.poems: no such source or kind/);
  rejects({ ...base, data: { repeats: { books: 2 } } }, /data\.repeats/);
});

test('staged phases resolve to steps; the last takes the rest', () => {
  const c = resolve({
    ...base,
    data: {
      schedule: {
        kind: 'staged',
        phases: [
          { weights: { books: 1 }, fraction: 0.25 },
          { weights: { code: 1 }, tokens: 640 },
          { weights: 'uniform' },
        ],
      },
    },
  });
  assert.deepEqual(c.data.schedule.kind === 'staged' && c.data.schedule.phases.map((p) => p.steps), [25, 20, 55]);
  assert.deepEqual(resolve(JSON.parse(JSON.stringify(c))), c);
});

test('bad input is refused with the key and what was expected', () => {
  rejects({ ...base, learning_rate: 1 }, /run\.yaml: Unrecognized key.*learning_rate/);
  rejects({ ...base, optimizer: { lr: 'fast' } }, /field "optimizer\.lr": .*expected number/);
  rejects({ ...base, batch_size: 0 }, /field "batch_size": Too small/);
  rejects({ ...base, model: { n_layer: 2, n_head: 3, n_embd: 16 } }, /n_embd \(16\) must be divisible by n_head \(3\)/);
  rejects({ ...base, model: { ...base.model, n_positions: 4 } }, /context: 8 exceeds model\.n_positions \(4\)/);
  rejects(
    { ...base, model: { ...base.model, vocab_size: 99 } },
    /model\.vocab_size: 99, but the corpus tokenizer has 50/,
  );
  rejects({ ...base, steps: undefined }, /steps or tokens: one is required/);
  rejects({ ...base, tokens: 7 }, /tokens \(7\) disagrees/);
  rejects({ ...base, corpus: undefined }, /corpus: missing/);
  rejects(
    { ...base, data: { schedule: { kind: 'mix', weights: { wiki: 1 } } } },
    /data\.schedule\.weights\.wiki: no such source or kind \(sources: brown, moby, lodash/,
  );
  rejects({ ...base, data: { schedule: { kind: 'mix', weights: { brown: -1 } } } }, /data\.schedule\.weights/);
  rejects({ ...base, data: { schedule: { kind: 'mix', weights: { brown: 0 } } } }, /every weight is 0/);
  rejects({ ...base, data: { schedule: { kind: 'curriculum' } } }, /data\.schedule\.kind/);
  rejects(
    {
      ...base,
      data: {
        schedule: {
          kind: 'staged',
          phases: [
            { weights: 'natural', steps: 60 },
            { weights: 'natural', steps: 60 },
          ],
        },
      },
    },
    /phases add up to 120 steps, but the run has 100/,
  );
  rejects(
    { ...base, data: { schedule: { kind: 'staged', phases: [{ weights: 'natural' }, { weights: 'natural' }] } } },
    /phases\.0: needs steps, tokens or fraction/,
  );
  rejects(
    { ...base, lr_schedule: { kind: 'cosine', warmup_steps: 500 } },
    /warmup_steps: 500 exceeds the run's 100 steps/,
  );
  rejects(
    { ...base, batch_size: 4096, context: 4096, model: { n_layer: 12, n_head: 12, n_embd: 768 } },
    /GiB of activations/,
  );
});

test('the full preset draws each problem source at its fixed share, however large the source', () => {
  const corpus = (problems: number): SourceInfo[] => [
    { name: 'brown', kind: 'books', tokens: 3000 },
    { name: 'moby_dick', kind: 'books', tokens: 1000 },
    { name: 'sotu', kind: 'news', tokens: 5000 },
    { name: 'wordnet', kind: 'reference', tokens: 1000 },
    { name: 'code', kind: 'code', tokens: 1000 },
    { name: 'facts', kind: 'facts', tokens: 300 },
    { name: 'twohop', kind: 'reasoning', tokens: 50 },
    { name: 'arithmetic', kind: 'reasoning', tokens: problems },
    { name: 'tracing', kind: 'reasoning', tokens: problems },
  ];
  const { corpus: _, ...full } = trainPreset('full') as Record<string, unknown>;
  const weights = (problems: number) => {
    const c = resolveTrainConfig(parseTrainConfig({ ...full, corpus: '/corpus' }, 'full'), {
      sources: corpus(problems),
      vocabSize: 50,
      where: 'full',
    });
    return (c.data.schedule as { weights: Record<string, number> }).weights;
  };
  const small = weights(200);
  assert.deepEqual(weights(20_000), small);
  assert.equal(small.arithmetic, 0.2);
  assert.equal(small.tracing, 0.154);
  assert.equal(small.twohop, 0.028);
  assert.ok(Math.abs(small.brown / small.moby_dick - 3) < 1e-12, 'text split by tokens within its kind');
  assert.ok(Math.abs(Object.values(small).reduce((a, b) => a + b, 0) - 1) < 1e-12);
});
