/**
 * `slurry score` against an independent PyTorch GPT-2 (gpt2_score.py, Hugging Face
 * GPT2LMHeadModel semantics) reading the same checkpoint directory: every token's
 * log-probability agrees. Skipped with a message where Debian's python3 with torch is
 * missing.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const script = fileURLToPath(new URL('../../e2e/gpt2_score.py', import.meta.url));
const python = process.env.SLURRY_TORCH_PYTHON ?? '/usr/bin/python3';
const torch = spawnSync(python, ['-c', 'import torch, numpy'], { encoding: 'utf8' }).status === 0;

function slurry(args: string[]): string {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

test('slurry score matches an independent PyTorch GPT-2 on a trained checkpoint', {
  skip: torch ? false : `needs ${python} with torch and numpy`,
}, () => {
  const dir = mkdtempSync(join(tmpdir(), 'slurry-e2e-score-'));
  try {
    slurry(['data', 'build', '--preset', 'quick', '--out', join(dir, 'corpus'), '--quiet']);
    slurry([
      'train',
      '--preset',
      'tiny',
      '--corpus',
      join(dir, 'corpus'),
      '--out',
      join(dir, 'run'),
      '--progress',
      'silent',
    ]);
    const ckpt = join(dir, 'run', 'checkpoints', 'step-0000040');
    const text = 'The capital of France is Paris. 12 + 35 = 47';
    const ours = JSON.parse(slurry(['score', ckpt, '--text', text, '--json'])) as {
      tokens: { id: number; logprob: number | null }[];
    };
    const ids = ours.tokens.map((t) => t.id);
    const t = spawnSync(python, [script, ckpt, JSON.stringify(ids)], { encoding: 'utf8' });
    assert.equal(t.status, 0, t.stderr);
    const theirs = JSON.parse(t.stdout) as number[];
    assert.equal(theirs.length, ids.length - 1);
    ours.tokens.slice(1).forEach((tok, i) => {
      assert.ok(
        Math.abs(tok.logprob! - theirs[i]) < 1e-4,
        `token ${i + 1} (${tok.id}): slurry ${tok.logprob} vs torch ${theirs[i]}`,
      );
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
