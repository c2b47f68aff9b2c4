/**
 * slurry's grokking trainer against an independent PyTorch implementation (grok_parity.py):
 * from the same initial weights and training split, the training losses of full-batch AdamW
 * agree step by step (float32 on both sides, so they drift apart slowly). Skipped with a
 * message where Debian's python3 with torch is missing.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { makeDataset } from '../src/grokking/task.js';
import type { GrokTrainRecord } from '../src/grokking/records.js';

const cli = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const script = fileURLToPath(new URL('../../e2e/grok_parity.py', import.meta.url));
const python = process.env.SLURRY_TORCH_PYTHON ?? '/usr/bin/python3';
const torch = spawnSync(python, ['-c', 'import torch, numpy'], { encoding: 'utf8' }).status === 0;

test('training losses match PyTorch from the same initial weights', {
  skip: torch ? false : `needs ${python} with torch and numpy`,
}, () => {
  const out = mkdtempSync(join(tmpdir(), 'slurry-e2e-parity-'));
  try {
    const steps = 40;
    const run = join(out, 'run');
    const r = spawnSync(
      process.execPath,
      [
        cli,
        'grok',
        '--p',
        '23',
        '--train-frac',
        '0.5',
        '--steps',
        String(steps),
        '--eval-every',
        '1000',
        '--checkpoint-every',
        '1000',
        '--out',
        run,
      ],
      { encoding: 'utf8' },
    );
    assert.equal(r.status, 0, r.stderr);
    const ds = makeDataset('add', 23, 0.5, 0);
    writeFileSync(
      join(out, 'split.json'),
      JSON.stringify({ tokens: [...ds.train.tokens], labels: [...ds.train.labels] }),
    );
    const t = spawnSync(
      python,
      [script, join(run, 'checkpoints', 'step-0000000'), join(out, 'split.json'), String(steps), '4', '1.0'],
      { encoding: 'utf8' },
    );
    assert.equal(t.status, 0, t.stderr);
    const theirs = JSON.parse(t.stdout) as number[];
    const ours = readFileSync(join(run, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .filter((x): x is GrokTrainRecord => x.type === 'grok_train')
      .map((x) => x.train_loss);
    assert.equal(ours.length, steps + 1);
    ours.forEach((loss, step) => {
      const rel = Math.abs(loss - theirs[step]) / theirs[step];
      // Same arithmetic up to float32 rounding: agreement to 1e-6 while the run is young,
      // then chaotic float32 drift (measured: 2e-4 at step 40 on the reference backend).
      const tol = step <= 20 ? 1e-6 : 2e-3;
      assert.ok(rel < tol, `step ${step}: slurry ${loss} vs torch ${theirs[step]} (relative ${rel.toExponential(1)})`);
    });
    assert.ok(ours[steps] < ours[0] - 0.3, 'the run learns');
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
