import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { ValRecord } from '../../src/run/records.js';
import { train } from '../../src/train/trainer.js';
import { SlurryError } from '../../src/util/errors.js';
import { deterministic, quiet, readMetrics, tempRun, tinyConfig } from './support/runs.js';
import { syntheticData } from './support/synthetic-data.js';

const crashAt = (at: number) => (step: number) => {
  if (step === at) throw new Error('simulated crash');
};

/** A run stopped just after its checkpoint at step 4. */
async function interruptedRun(): Promise<string> {
  const run = tempRun();
  await assert.rejects(
    train(tinyConfig, { out: run, data: syntheticData(), log: quiet, onCheckpoint: crashAt(4) }),
    /simulated crash/,
  );
  return run;
}

const slurryError = (pattern: RegExp) => (err: unknown) => err instanceof SlurryError && pattern.test(err.message);

test('a fresh run refuses a directory that already holds one', async () => {
  const run = await interruptedRun();
  await assert.rejects(
    train(tinyConfig, { out: run, data: syntheticData(), log: quiet }),
    slurryError(/already holds a run \(use --resume/),
  );
});

test('a resume refuses an edited config, naming the key', async () => {
  const run = await interruptedRun();
  const path = join(run, 'config.json');
  const config = JSON.parse(readFileSync(path, 'utf8'));
  config.optimizer.lr = 0.001;
  writeFileSync(path, JSON.stringify(config));
  await assert.rejects(
    train(undefined, { out: run, resume: true, data: syntheticData(), log: quiet }),
    slurryError(/config\.json: edited since the run started .*optimizer\.lr: 0\.03 -> 0\.001/),
  );
  config.optimizer.momentum = 0.9;
  writeFileSync(path, JSON.stringify(config));
  await assert.rejects(
    train(undefined, { out: run, resume: true, data: syntheticData(), log: quiet }),
    slurryError(/Unrecognized key.*momentum/),
  );
});

test('a resume refuses a different corpus and a different given config', async () => {
  const run = await interruptedRun();
  await assert.rejects(
    train(undefined, { out: run, resume: true, data: syntheticData({ seed: 9 }), log: quiet }),
    slurryError(/the corpus changed since the run started/),
  );
  await assert.rejects(
    train({ ...tinyConfig, steps: 30 }, { out: run, resume: true, data: syntheticData(), log: quiet }),
    slurryError(/the given config differs from the run's steps: 24 -> 30/),
  );
  const muon = { ...tinyConfig, optimizer: { kind: 'muon', lr: 3e-2 } };
  await assert.rejects(
    train(muon, { out: run, resume: true, data: syntheticData(), log: quiet }),
    slurryError(/^resume of .*: the given config differs from the run's optimizer\.kind: "adamw" -> "muon"$/),
  );
});

test('a resume passes over a damaged checkpoint, saying which and why, and continues from the newest that verifies', async () => {
  const run = await interruptedRun();
  const file = join(run, 'checkpoints', 'step-0000004', 'model.safetensors');
  const bytes = readFileSync(file);
  bytes[bytes.length - 1] ^= 0xff;
  writeFileSync(file, bytes);
  const lines: string[] = [];
  await train(undefined, { out: run, resume: true, data: syntheticData(), log: (l) => lines.push(l) });
  assert.match(
    lines[0]!,
    /^resume: skipping checkpoint step-0000004: .*step-0000004\/model\.safetensors: sha256 does not match manifest\.json/,
  );
  assert.match(lines[1]!, /resuming .* from step-0000002/);
  const whole = tempRun();
  await train(tinyConfig, { out: whole, data: syntheticData(), log: quiet });
  assert.deepEqual(deterministic(readMetrics(run)), deterministic(readMetrics(whole)));
});

test('a resume with no checkpoint that verifies is refused, naming the newest problem', async () => {
  const run = await interruptedRun();
  for (const step of ['step-0000000', 'step-0000001', 'step-0000002', 'step-0000004'])
    writeFileSync(join(run, 'checkpoints', step, 'manifest.json'), '{}');
  await assert.rejects(
    train(undefined, { out: run, resume: true, data: syntheticData(), log: quiet }),
    slurryError(/none of the 4 checkpoints verifies \(the newest: .*step-0000004\/manifest\.json/),
  );
});

test('two trainers on one run directory: the second is refused while the first holds train.lock', async () => {
  const run = await interruptedRun();
  let second: Promise<unknown> | null = null;
  const startSecond = (step: number) => {
    if (step !== 10) return;
    second = train(undefined, { out: run, resume: true, data: syntheticData(), log: quiet });
    // Handled here so the refusal is not an unhandled rejection before it is asserted below.
    second.catch(() => {});
  };
  await train(undefined, { out: run, resume: true, data: syntheticData(), log: quiet, onCheckpoint: startSecond });
  assert.ok(second);
  await assert.rejects(second, slurryError(/train\.lock: process \d+ is training .* already/));
  assert.equal(existsSync(join(run, 'train.lock')), false, 'the lock is released when training ends');
  // A lock left by a process that is gone is taken over.
  writeFileSync(join(run, 'train.lock'), '999999999');
  await train(undefined, { out: run, resume: true, data: syntheticData(), log: quiet });
});

test('a resume of a missing run, and a missing corpus, are refused before training', async () => {
  await assert.rejects(
    train(undefined, { out: tempRun(), resume: true, data: syntheticData(), log: quiet }),
    slurryError(/config\.json: missing \(is .* a run directory/),
  );
  await assert.rejects(
    train({ ...tinyConfig, corpus: '/no/such/corpus' }, { out: tempRun(), log: quiet }),
    slurryError(/corpus: \/no\/such\/corpus does not exist/),
  );
});

test('continued pretraining starts from the checkpoint weights with a new mixture', async () => {
  const first = tempRun();
  await train(tinyConfig, { out: first, data: syntheticData(), log: quiet });
  const from = join(first, 'checkpoints', 'step-0000024');
  const second = tempRun();
  const { model: _model, ...rest } = tinyConfig;
  await train(
    { ...rest, init_from: from, data: { schedule: { kind: 'mix', weights: { noise: 1 } } } },
    { out: second, data: syntheticData(), log: quiet },
  );
  const finalOfFirst = readMetrics(first)
    .filter((r): r is ValRecord => r.type === 'val')
    .pop()!;
  const startOfSecond = readMetrics(second).find((r): r is ValRecord => r.type === 'val')!;
  assert.equal(startOfSecond.step, 0);
  assert.equal(startOfSecond.loss, finalOfFirst.loss, 'the second run starts where the first ended');
  const trained = readMetrics(second).find((r) => r.type === 'train')!;
  assert.deepEqual(trained.type === 'train' && trained.weights, { count: 0, repeat: 0, noise: 1 });
  const config = JSON.parse(readFileSync(join(second, 'config.json'), 'utf8'));
  assert.equal(config.init_from, from);
  assert.equal(config.model.n_embd, 16);
  await assert.rejects(
    train(
      { ...tinyConfig, init_from: from, model: { n_layer: 2, n_head: 2, n_embd: 16 } },
      { out: tempRun(), data: syntheticData(), log: quiet },
    ),
    slurryError(/model\.n_layer: 2, but init_from's checkpoint has 1/),
  );
});
