import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { MetricsRecord, TrainRecord } from '../../src/run/records.js';
import { train } from '../../src/train/trainer.js';
import { syntheticData } from './support/synthetic-data.js';

const tinyConfig = {
  seed: 3,
  model: { n_layer: 1, n_head: 2, n_embd: 16 },
  batch_size: 4,
  context: 16,
  steps: 24,
  optimizer: { lr: 3e-2 },
  lr_schedule: { kind: 'cosine', warmup_steps: 2 },
  checkpoints: { log_until: 4, every: 10 },
  eval: { every: 8, batches: 1 },
};

function tempRun(): string {
  return join(mkdtempSync(join(tmpdir(), 'slurry-train-')), 'run');
}

function readMetrics(run: string): MetricsRecord[] {
  return readFileSync(join(run, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
}

/** The records with wall-clock fields removed: what must be identical between runs. */
function deterministic(records: MetricsRecord[]): unknown[] {
  return records.map((r) => (r.type === 'train' ? { ...r, time: 0, tokens_per_s: 0 } : r));
}

test('a tiny run learns, logs every step and checkpoints on schedule', async () => {
  const run = tempRun();
  const seen: number[] = [];
  const result = await train(tinyConfig, { out: run, data: syntheticData(), onCheckpoint: (step) => void seen.push(step), log: () => {} });
  assert.equal(result.steps, 24);
  const records = readMetrics(run);
  const trainRecords = records.filter((r): r is TrainRecord => r.type === 'train');
  assert.deepEqual(trainRecords.map((r) => r.step), Array.from({ length: 24 }, (_, i) => i + 1));
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
  assert.deepEqual(records.filter((r) => r.type === 'val').map((r) => r.step), [0, 1, 2, 4, 8, 10, 16, 20, 24]);
  assert.deepEqual(seen, [0, 1, 2, 4, 10, 20, 24]);
  const index = JSON.parse(readFileSync(join(run, 'checkpoints', 'index.json'), 'utf8'));
  assert.deepEqual(index.checkpoints.map((e: { step: number }) => e.step), seen);
  assert.deepEqual(index.checkpoints[1], { step: 1, tokens: 64, dir: 'step-0000001' });
  const files = readdirSync(join(run, 'checkpoints', 'step-0000010')).sort();
  assert.deepEqual(files, ['config.json', 'manifest.json', 'model.safetensors', 'optimizer.safetensors', 'state.json', 'tokenizer.json']);
  rmSync(run, { recursive: true, force: true });
});

test('same seed and config give bit-identical losses; another seed does not', async () => {
  const runs = [tempRun(), tempRun(), tempRun()];
  await train(tinyConfig, { out: runs[0], data: syntheticData(), log: () => {} });
  await train(tinyConfig, { out: runs[1], data: syntheticData(), log: () => {} });
  await train({ ...tinyConfig, seed: 4 }, { out: runs[2], data: syntheticData(), log: () => {} });
  const [a, b, c] = runs.map((r) => deterministic(readMetrics(r)));
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
});

test('a run stopped after a checkpoint resumes to the same metrics as an uninterrupted one', async () => {
  const whole = tempRun();
  await train(tinyConfig, { out: whole, data: syntheticData(), log: () => {} });
  const broken = tempRun();
  // A crash just after checkpoint 10: the hook throws, as a kill would stop the process.
  await assert.rejects(
    train(tinyConfig, {
      out: broken,
      data: syntheticData(),
      log: () => {},
      onCheckpoint: (step) => {
        if (step === 10) throw new Error('simulated crash');
      },
    }),
    /simulated crash/,
  );
  // Lines past the checkpoint and a torn last line, as a kill mid-write leaves them.
  appendFileSync(join(broken, 'metrics.jsonl'), '{"type":"train","step":11,"loss":9}\n{"type":"tr');
  const resumed = await train(undefined, { out: broken, resume: true, data: syntheticData(), log: () => {} });
  assert.equal(resumed.steps, 24);
  assert.deepEqual(deterministic(readMetrics(broken)), deterministic(readMetrics(whole)));
  assert.ok(existsSync(join(broken, 'checkpoints', 'step-0000024')));
});
