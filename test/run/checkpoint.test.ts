import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  checkpointEntry,
  listCheckpointSteps,
  readCheckpointIndex,
  removeTornCheckpoints,
  resolveCheckpointDir,
  verifyCheckpoint,
  writeCheckpointDir,
  writeCheckpointIndex,
} from '../../src/run/checkpoint.js';
import { CONFIG_FILE, checkpointDir, MANIFEST_FILE, MODEL_FILE } from '../../src/run/layout.js';
import { MetricsLog } from '../../src/run/metrics-log.js';
import { SlurryError } from '../../src/util/errors.js';

const fails = (f: () => unknown, message: RegExp) =>
  assert.throws(f, (e: Error) => e instanceof SlurryError && message.test(e.message));
const files = (step: number): [string, Uint8Array[]][] => [
  [MODEL_FILE, [Buffer.from('weights '), Buffer.from(String(step))]],
  [CONFIG_FILE, [Buffer.from('{}\n')]],
  ['state.json', [Buffer.from(`{"step": ${step}}\n`)]],
];

test('a checkpoint is written whole with a manifest, verified, listed and resolved', async () => {
  const run = mkdtempSync(join(tmpdir(), 'slurry-run-'));
  for (const step of [0, 2, 10]) await writeCheckpointDir(run, step, files(step));
  const dir = checkpointDir(run, 2);
  assert.equal(readFileSync(join(dir, MODEL_FILE), 'utf8'), 'weights 2');
  const manifest = JSON.parse(readFileSync(join(dir, MANIFEST_FILE), 'utf8'));
  assert.deepEqual(Object.keys(manifest.files), [MODEL_FILE, CONFIG_FILE, 'state.json']);
  verifyCheckpoint(dir);
  assert.deepEqual(listCheckpointSteps(run), [0, 2, 10]);
  assert.equal(resolveCheckpointDir(run), checkpointDir(run, 10));
  assert.equal(resolveCheckpointDir(run, 2), dir);
  assert.equal(resolveCheckpointDir(dir), dir);
  fails(() => resolveCheckpointDir(run, 3), /no checkpoint at step 3 \(there are 0, 2, 10\)/);

  writeFileSync(join(dir, MODEL_FILE), 'weights 3');
  fails(() => verifyCheckpoint(dir), /model\.safetensors: sha256 does not match manifest\.json/);
  writeFileSync(join(dir, MODEL_FILE), 'weights');
  fails(() => verifyCheckpoint(dir), /model\.safetensors: 7 bytes, manifest\.json says 9/);
});

test('torn checkpoint directories are removed; the index is written sorted and read back', () => {
  const run = mkdtempSync(join(tmpdir(), 'slurry-run-'));
  mkdirSync(join(run, 'checkpoints', '.tmp-step-0000004-123'), { recursive: true });
  removeTornCheckpoints(run);
  assert.deepEqual(readdirSync(join(run, 'checkpoints')), []);
  fails(() => readCheckpointIndex(run), /index\.json: missing/);
  writeCheckpointIndex(run, [checkpointEntry(8, 80), checkpointEntry(0, 0)]);
  assert.deepEqual(readCheckpointIndex(run), [checkpointEntry(0, 0), checkpointEntry(8, 80)]);
});

test('the metrics log keeps the records through a checkpoint step on reopening', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'slurry-run-')), 'metrics.jsonl');
  const log = new MetricsLog<{ type: string; step: number }>(file);
  for (let step = 0; step < 5; step++) log.append({ type: 'grok_train', step });
  log.close();
  new MetricsLog(file, 2).close();
  const steps = readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l).step);
  assert.deepEqual(steps, [0, 1, 2]);
});
