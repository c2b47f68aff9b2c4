import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { setKernels } from '../../src/engine/backend.js';
import { referenceKernels } from '../../src/engine/reference/kernels.js';
import { GROK_PRESETS, parseGrokConfig, type GrokConfig } from '../../src/grokking/config.js';
import type {
  GrokEvalRecord,
  GrokProgressRecord,
  GrokRecord,
  GrokSummary,
  GrokTrainRecord,
} from '../../src/grokking/records.js';
import { trainGrok } from '../../src/grokking/train.js';
import { loadModel } from '../../src/model/checkpoint.js';
import { SlurryError } from '../../src/util/errors.js';

setKernels(referenceKernels);
const root = mkdtempSync(join(tmpdir(), 'slurry-grok-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** A small model on add mod 11 that memorises its 61 training pairs within 80 steps at lr 1e-2. */
const tiny: GrokConfig = parseGrokConfig({
  ...GROK_PRESETS.default,
  p: 11,
  train_frac: 0.5,
  optimizer: { ...GROK_PRESETS.default.optimizer, lr: 1e-2 },
  steps: 80,
  eval_every: 20,
  checkpoint_every: 40,
  stop_after: 0,
  model: { n_embd: 16, n_inner: 32, n_head: 2 },
});

function readRun(dir: string) {
  const records = readFileSync(join(dir, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as GrokRecord);
  return {
    train: records.filter((r): r is GrokTrainRecord => r.type === 'grok_train'),
    evals: records.filter((r): r is GrokEvalRecord => r.type === 'grok_eval'),
    progress: records.filter((r): r is GrokProgressRecord => r.type === 'grok_progress'),
    summary: JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as GrokSummary,
  };
}

const withoutTime = <T extends { time?: number }>(rs: T[]) => rs.map(({ time: _t, ...r }) => r);

test('a run records its config, every step, the evaluations, checkpoints and a summary', async () => {
  const dir = join(root, 'a');
  const summary = await trainGrok(tiny, dir, { log: () => {} });
  const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
  assert.equal(config.seed, 0);
  assert.equal(config.model.n_embd, 16);
  assert.equal(config.model.vocab_size, 12);
  assert.deepEqual(parseGrokConfig(config), config, 'config.json parses back to itself');

  const { train, evals, progress } = readRun(dir);
  assert.deepEqual(
    train.map((r) => r.step),
    Array.from({ length: 81 }, (_, i) => i),
  );
  assert.deepEqual(
    evals.map((r) => r.step),
    [0, 1, 2, 4, 8, 16, 20, 40, 60, 80],
  );
  assert.ok(train[80].train_loss < 0.5 * train[0].train_loss, `loss ${train[0].train_loss} -> ${train[80].train_loss}`);
  assert.equal(train[0].lr, 1e-3); // warm-up: (0 + 1) / 10 of 1e-2
  assert.equal(train[20].lr, 1e-2);
  for (const e of evals) {
    const t = train[e.step];
    assert.equal(e.train_loss.toFixed(4), t.train_loss.toFixed(4), 'the eval reads the same parameters as the step');
    assert.equal(e.spectrum.length, 5);
    assert.ok(e.restricted_loss !== null && e.excluded_loss !== null);
    assert.ok(e.weight_norm > 0 && e.gini >= 0 && e.gini < 1);
  }

  // Memorisation: the first step whose training accuracy is 100%.
  const first = train.find((r) => r.train_acc === 1);
  assert.ok(first, 'the tiny model memorises its training pairs');
  assert.equal(summary.memorised_step, first.step);
  assert.equal(summary.n_train, 61); // round(0.5 * 121)
  assert.equal(summary.steps_done, 80);
  const grok = evals.find((r) => r.test_acc >= 0.95);
  assert.equal(summary.grokked_step, grok?.step ?? null);

  // Checkpoints on the log-then-linear schedule, loadable, matching their manifest.
  const index = JSON.parse(readFileSync(join(dir, 'checkpoints', 'index.json'), 'utf8'));
  assert.deepEqual(
    index.checkpoints.map((c: { step: number }) => c.step),
    [0, 1, 2, 4, 8, 16, 32, 40, 80],
  );
  for (const c of index.checkpoints) {
    const ckpt = join(dir, 'checkpoints', c.dir);
    assert.equal(c.tokens, c.step * 61 * 3);
    for (const f of ['model.safetensors', 'config.json', 'optimizer.safetensors', 'state.json', 'manifest.json'])
      assert.ok(existsSync(join(ckpt, f)), `${c.dir}/${f}`);
    const manifest = JSON.parse(readFileSync(join(ckpt, 'manifest.json'), 'utf8'));
    for (const [f, { sha256 }] of Object.entries(manifest.files) as [string, { sha256: string }][]) {
      assert.equal(
        createHash('sha256')
          .update(readFileSync(join(ckpt, f)))
          .digest('hex'),
        sha256,
        `${c.dir}/${f}`,
      );
    }
    assert.equal(JSON.parse(readFileSync(join(ckpt, 'state.json'), 'utf8')).step, c.step);
  }
  assert.equal(loadModel(join(dir, 'checkpoints', 'step-0000080')).config.n_embd, 16);

  // After training: one progress record per checkpoint, with the final key frequencies.
  assert.deepEqual(
    progress.map((r) => r.step),
    index.checkpoints.map((c: { step: number }) => c.step),
  );
  for (const r of progress) assert.deepEqual(r.key_frequencies, summary.final_key_frequencies);
  for (const r of progress)
    assert.ok(r.neuron_key_share !== null && r.neuron_key_share >= 0 && r.neuron_key_share <= 1 + 1e-9);
  const p80 = progress[progress.length - 1];
  assert.ok(
    Math.abs(p80.train_loss - evals[evals.length - 1].train_loss) < 1e-4,
    'a checkpoint reloads to the same losses',
  );
});

test('same seed and config, same numbers', async () => {
  const short = { ...tiny, steps: 12, checkpoint_every: 100 };
  await trainGrok(short, join(root, 'b1'), { log: () => {} });
  await trainGrok(short, join(root, 'b2'), { log: () => {} });
  const a = readRun(join(root, 'b1'));
  const b = readRun(join(root, 'b2'));
  assert.deepEqual(withoutTime(a.train), withoutTime(b.train));
  assert.deepEqual(withoutTime(a.evals), withoutTime(b.evals));
  const c = await trainGrok({ ...short, seed: 1 }, join(root, 'b3'), { log: () => {} });
  assert.notEqual(c.final.train_loss, a.summary.final.train_loss);
});

test('a run directory is never overwritten', async () => {
  await assert.rejects(
    () => trainGrok(tiny, join(root, 'a'), { log: () => {} }),
    (e: unknown) => e instanceof SlurryError && /--out .*already holds a run/.test((e as Error).message),
  );
});

test('early stop: once test accuracy has held for stop_after steps', async () => {
  // Test accuracy >= 1% holds from the start, so the run stops at the first eval 4 steps in.
  const summary = await trainGrok({ ...tiny, stop_acc: 0.01, stop_after: 4, steps: 50 }, join(root, 'c'), {
    log: () => {},
  });
  assert.equal(summary.steps_done, 4);
  assert.match(summary.stop_reason, /test accuracy >= 0.01 for 4 steps/);
});

test('division and the polynomial train too; the Fourier logit measures are null there', async () => {
  for (const op of ['div', 'poly'] as const) {
    const summary = await trainGrok({ ...tiny, op, steps: 3, eval_every: 2, checkpoint_every: 2 }, join(root, op), {
      log: () => {},
    });
    const { evals, progress } = readRun(join(root, op));
    assert.equal(summary.n_train + summary.n_test, op === 'div' ? 110 : 121);
    for (const r of [...evals, ...progress]) assert.deepEqual([r.restricted_loss, r.excluded_loss], [null, null]);
    for (const r of progress) assert.equal(r.neuron_key_share, null);
    assert.ok(evals.every((r) => r.spectrum.length === 5 && Number.isFinite(r.gini)));
  }
});
