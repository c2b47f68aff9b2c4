/**
 * The quick preset really groks: train accuracy reaches 100% first, test accuracy reaches
 * 95% later, and the final model's embedding is Fourier-sparse. Needs the native backend
 * (on the TypeScript reference a run takes hours); skipped with a message otherwise.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { kernels } from '../src/engine/backend.js';
import type { GrokEvalRecord, GrokSummary } from '../src/grokking/records.js';

const cli = new URL('../src/cli/main.js', import.meta.url).pathname;
const native = kernels().info().name === 'native';

test('slurry grok --preset quick groks', {
  skip: native ? false : 'needs the native backend (npm install builds it)',
}, () => {
  const out = mkdtempSync(join(tmpdir(), 'slurry-e2e-grok-'));
  try {
    const r = spawnSync(process.execPath, [cli, 'grok', '--preset', 'quick', '--out', join(out, 'run')], {
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, r.stderr);
    const s = JSON.parse(readFileSync(join(out, 'run', 'summary.json'), 'utf8')) as GrokSummary;
    assert.ok(
      s.memorised_step !== null && s.grokked_step !== null,
      `memorised ${s.memorised_step}, grokked ${s.grokked_step}`,
    );
    assert.ok(s.grokked_step > s.memorised_step, 'test accuracy comes after train accuracy');
    assert.ok(s.final.test_acc >= 0.95);
    const evals = readFileSync(join(out, 'run', 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .filter((x): x is GrokEvalRecord => x.type === 'grok_eval');
    const last = evals[evals.length - 1];
    assert.ok(
      last.key_frequencies.length > 0 && last.key_frequencies.length <= 10,
      `key frequencies ${last.key_frequencies}`,
    );
    assert.ok(last.key_share > 0.5, `key share ${last.key_share}`);
    assert.ok(last.gini > evals[0].gini + 0.2, `Gini ${evals[0].gini} -> ${last.gini}`);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
