/**
 * Every experiment's arms, planned as the runner plans them at every scale, against the
 * quick corpus's sources (no corpus is built): each resolves to a valid training config,
 * first-wave arms train on equal tokens, and the arms differ in what the design says.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findSource } from '../../src/data/sources/index.js';
import { EXPERIMENTS, findExperiment } from '../../src/experiment/catalogue.js';
import { scheduleForCorpus, scaleCorpus } from '../../src/experiment/scales.js';
import { SCALES, type Scale } from '../../src/experiment/types.js';
import { planCell, type CorpusInfo } from '../../src/sweep/plan.js';

function corpusOf(scale: Scale): CorpusInfo {
  const names = Object.keys(scaleCorpus(scale).sources);
  return {
    sources: names.map((name, i) => ({ name, kind: findSource(name)!.kind, tokens: 1000 * (i + 1) })),
    vocabSize: scale === 'tiny' ? 257 : 2048,
  };
}

function plan(name: string, scale: Scale, seed = 0) {
  const e = findExperiment(name);
  const corpus = corpusOf(scale);
  return e.arms(scale).map((arm) => {
    const config = arm.config({
      scale,
      seed,
      corpus,
      fromCheckpoint: arm.from ? '/runs/base/checkpoints/step-0000640' : null,
    });
    const cell = planCell(
      { ...e.base(scale), corpus: '/corpus' },
      { ...config, seed },
      { where: name, corpus: () => corpus },
    );
    return { arm, config, resolved: cell.resolved };
  });
}

test('every arm of every experiment resolves at every scale; first-wave arms train on equal tokens', () => {
  for (const e of EXPERIMENTS)
    for (const scale of SCALES) {
      const arms = plan(e.name, scale);
      const budgets = new Set(arms.filter((a) => !a.arm.from).map((a) => a.resolved.tokens));
      assert.equal(budgets.size, 1, `${e.name} at ${scale}: ${[...budgets].join(', ')}`);
    }
  assert.equal(plan('code-helps-reasoning', 'quick')[0].resolved.tokens, 640 * 32 * 128);
  assert.equal(plan('code-helps-reasoning', 'full')[0].resolved.tokens, 2048 * 32 * 128);
});

test('code-helps-reasoning: without code, the code source gets nothing and the rest keep their proportions', () => {
  const [without, withCode] = plan('code-helps-reasoning', 'quick');
  const [a, b] = [without, withCode].map(
    (x) => (x.resolved.data.schedule as { weights: Record<string, number> }).weights,
  );
  assert.equal(a.code, 0);
  assert.ok(b.code > 0);
  assert.ok(Math.abs(a.brown / a.sotu - b.brown / b.sotu) < 1e-9);
});

test('continued-pretraining: both continuations start from the base checkpoint on half its tokens; one re-warms', () => {
  const [base, hold, rewarm] = plan('continued-pretraining', 'quick');
  assert.equal(hold.resolved.init_from, '/runs/base/checkpoints/step-0000640');
  assert.equal(hold.resolved.steps, base.resolved.steps / 2);
  assert.equal(rewarm.resolved.steps, base.resolved.steps / 2);
  assert.equal(hold.resolved.lr_schedule.kind, 'constant');
  assert.equal(hold.resolved.lr_schedule.warmup_steps, 0);
  const [o0, o1] = [base, hold].map((a) => a.resolved.optimizer as unknown as Record<string, number>);
  assert.ok(Math.abs(o1.lr - o0.lr / 10) < 1e-12 && Math.abs(o1.muon_lr - o0.muon_lr / 10) < 1e-12);
  assert.equal(rewarm.resolved.lr_schedule.kind, 'cosine');
  assert.ok(rewarm.resolved.lr_schedule.warmup_steps > 0);
  const code = (rewarm.resolved.data.schedule as { weights: Record<string, number> }).weights.code;
  assert.ok(Math.abs(code - 0.75) < 1e-9, `code weight ${code}`);
});

test('scheduleForCorpus drops the sources and kinds a corpus lacks from every weight map', () => {
  const corpus = corpusOf('tiny');
  const staged = scheduleForCorpus(
    { kind: 'staged', phases: [{ weights: { books: 1, news: 1 }, fraction: 0.3 }, { weights: 'natural' }] },
    corpus,
  );
  assert.deepEqual(staged.phases, [{ weights: { books: 1 }, fraction: 0.3 }, { weights: 'natural' }]);
});
