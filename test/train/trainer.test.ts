import assert from 'node:assert/strict';
import { appendFileSync, existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { kernels, setKernels } from '../../src/engine/backend.js';
import type { TrainRecord } from '../../src/run/records.js';
import { readTrainingState } from '../../src/train/checkpoint-io.js';
import { train } from '../../src/train/trainer.js';
import { deterministic, quiet, readMetrics, tempRun, tinyConfig } from './support/runs.js';
import { syntheticData } from './support/synthetic-data.js';

test('a tiny run learns, logs every step and checkpoints on schedule', async () => {
  const run = tempRun();
  const seen: number[] = [];
  const result = await train(tinyConfig, {
    out: run,
    data: syntheticData(),
    onCheckpoint: (step) => void seen.push(step),
    log: quiet,
  });
  assert.equal(result.steps, 24);
  const records = readMetrics(run);
  const trainRecords = records.filter((r): r is TrainRecord => r.type === 'train');
  assert.deepEqual(
    trainRecords.map((r) => r.step),
    Array.from({ length: 24 }, (_, i) => i + 1),
  );
  const first = trainRecords[0];
  const last = trainRecords[trainRecords.length - 1];
  const val = records.filter((r) => r.type === 'val');
  const [v0, vEnd] = [val[0], val[val.length - 1]];
  assert.ok(vEnd.loss < v0.loss - 0.8, `validation loss fell from ${v0.loss} to ${vEnd.loss}`);
  assert.ok(vEnd.loss_by_source.repeat < v0.loss_by_source.repeat - 2, 'the repeated pattern is learned');
  assert.equal(last.tokens, 24 * 4 * 16);
  assert.deepEqual(Object.keys(first.weights).sort(), ['count', 'noise', 'repeat']);
  assert.ok(Math.abs(Object.values(first.weights).reduce((a, b) => a + b, 0) - 1) < 1e-12);
  assert.ok(first.grad_norm > 0 && first.lr > 0 && first.tokens_per_s > 0);
  assert.deepEqual(
    records.filter((r) => r.type === 'val').map((r) => r.step),
    [0, 1, 2, 4, 8, 10, 16, 20, 24],
  );
  assert.deepEqual(seen, [0, 1, 2, 4, 10, 20, 24]);
  const index = JSON.parse(readFileSync(join(run, 'checkpoints', 'index.json'), 'utf8'));
  assert.deepEqual(
    index.checkpoints.map((e: { step: number }) => e.step),
    seen,
  );
  assert.deepEqual(index.checkpoints[1], { step: 1, tokens: 64, dir: 'step-0000001' });
  const files = readdirSync(join(run, 'checkpoints', 'step-0000010')).sort();
  assert.deepEqual(files, [
    'config.json',
    'manifest.json',
    'model.safetensors',
    'optimizer.safetensors',
    'state.json',
    'tokenizer.json',
  ]);
  rmSync(run, { recursive: true, force: true });
});

test('same seed and config give bit-identical losses; another seed does not', async () => {
  const runs = [tempRun(), tempRun(), tempRun()];
  await train(tinyConfig, { out: runs[0], data: syntheticData(), log: quiet });
  await train(tinyConfig, { out: runs[1], data: syntheticData(), log: quiet });
  await train({ ...tinyConfig, seed: 4 }, { out: runs[2], data: syntheticData(), log: quiet });
  const [a, b, c] = runs.map((r) => deterministic(readMetrics(r)));
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
});

const schedules = {
  mix: { kind: 'mix', weights: 'natural' },
  staged: { kind: 'staged', phases: [{ weights: { repeat: 1 }, steps: 8 }, { weights: 'uniform' }] },
  anneal: { kind: 'anneal', weights: 'uniform', anneal_weights: { count: 1 }, anneal_fraction: 0.25 },
  adaptive: { kind: 'adaptive', initial: 'uniform' },
};

const optimizers = {
  adamw: tinyConfig.optimizer,
  muon: { kind: 'muon', lr: 3e-2, muon_lr: 0.05, muon_weight_decay: 0.1 },
};

// Every schedule with AdamW; Muon (whose momentum buffers the checkpoint must carry) with the plain mixture.
const resumeCases = [
  ...Object.keys(schedules).map((kind) => ({ kind, optimizer: 'adamw' as const })),
  { kind: 'mix', optimizer: 'muon' as const },
];

for (const { kind, optimizer } of resumeCases) {
  const schedule = schedules[kind as keyof typeof schedules];
  test(`${kind}, ${optimizer}: a run stopped after a checkpoint resumes to the same metrics as an uninterrupted one`, async () => {
    const config = { ...tinyConfig, optimizer: optimizers[optimizer], data: { schedule } };
    const whole = tempRun();
    await train(config, { out: whole, data: syntheticData(), log: quiet });
    const broken = tempRun();
    // A crash just after checkpoint 10: the hook throws, as a kill would stop the process.
    const crash = (step: number) => {
      if (step === 10) throw new Error('simulated crash');
    };
    await assert.rejects(
      train(config, { out: broken, data: syntheticData(), log: quiet, onCheckpoint: crash }),
      /simulated crash/,
    );
    // Lines past the checkpoint and a torn last line, as a kill mid-write leaves them.
    appendFileSync(join(broken, 'metrics.jsonl'), '{"type":"train","step":11,"loss":9}\n{"type":"tr');
    const resumed = await train(undefined, { out: broken, resume: true, data: syntheticData(), log: quiet });
    assert.equal(resumed.steps, 24);
    const records = readMetrics(whole);
    assert.deepEqual(deterministic(readMetrics(broken)), deterministic(records));
    assert.ok(existsSync(join(broken, 'checkpoints', 'step-0000024')));
    // The weights follow the schedule.
    const weights = records.flatMap((r) => (r.type === 'train' ? [r.weights] : []));
    if (kind === 'staged') assert.deepEqual([weights[7].repeat, weights[8].repeat], [1, 1 / 3]);
    if (kind === 'anneal') assert.deepEqual([weights[17].count, weights[18].count], [1 / 3, 1]);
    if (kind === 'adaptive') assert.notDeepEqual(weights[0], weights[23], 'the bandit moved the mixture');
  });
}

test('a non-finite loss stops the run naming the step and the last good checkpoint', async () => {
  const run = tempRun();
  // A learning rate of 1e30 blows the weights up in one step; the next loss is not finite.
  const config = {
    ...tinyConfig,
    optimizer: { lr: 1e30 },
    lr_schedule: { kind: 'constant', warmup_steps: 0 },
    checkpoints: { log_until: 0, every: 10 },
  };
  await assert.rejects(
    train(config, { out: run, data: syntheticData(), log: quiet }),
    /step 2: the (loss|gradient norm) is (NaN|Infinity|-Infinity); training stopped\. The last good checkpoint is .*step-0000000 \(step 0\)/,
  );
  assert.deepEqual(readdirSync(join(run, 'checkpoints')).sort(), ['index.json', 'step-0000000']);
});

test('with rollback, a divergence goes back to the last checkpoint with a lower learning rate and finishes', async () => {
  const run = tempRun();
  const config = {
    ...tinyConfig,
    optimizer: { lr: 1e30 },
    lr_schedule: { kind: 'constant', warmup_steps: 0 },
    checkpoints: { log_until: 0, every: 10 },
    divergence: { rollback: true, lr_factor: 3e-32 },
  };
  const lines: string[] = [];
  await train(config, { out: run, data: syntheticData(), log: (l) => lines.push(l) });
  assert.match(lines.join('\n'), /step 2: the .* is .*; rolled back to step-0000000 with learning-rate scale 3e-32/);
  const state = readTrainingState(join(run, 'checkpoints', 'step-0000024'));
  assert.deepEqual(
    state.rollbacks.map((r) => [r.step, r.to_step, r.lr_scale]),
    [[2, 0, 3e-32]],
  );
  const records = readMetrics(run).filter((r): r is TrainRecord => r.type === 'train');
  assert.deepEqual(
    records.map((r) => r.step),
    Array.from({ length: 24 }, (_, i) => i + 1),
  );
  assert.ok(records.every((r) => Number.isFinite(r.loss) && Math.abs(r.lr - 0.03) < 1e-12));
});

test('a resume on another backend or thread count says the losses will not be bit-identical', async () => {
  const run = tempRun();
  const crash = (step: number) => {
    if (step === 4) throw new Error('simulated crash');
  };
  await assert.rejects(
    train(tinyConfig, { out: run, data: syntheticData(), log: quiet, onCheckpoint: crash }),
    /simulated crash/,
  );
  const original = kernels();
  const info = original.info();
  setKernels({ ...original, info: () => ({ ...info, threads: info.threads + 1 }) });
  try {
    const lines: string[] = [];
    await train(undefined, { out: run, resume: true, data: syntheticData(), log: (l) => lines.push(l) });
    assert.match(
      lines.join('\n'),
      new RegExp(
        `warning: the run started on ${info.name}/${info.isa} with ${info.threads} threads? and continues on .* with ${info.threads + 1} threads: losses will not be bit-identical`,
      ),
    );
  } finally {
    setKernels(original);
  }
});
