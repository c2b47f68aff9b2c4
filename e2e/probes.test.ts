/**
 * Probes end to end: the quick corpus, the quick training preset, then `slurry probe RUN`
 * on every checkpoint. The trained model must score above chance on tokens and syntax (the
 * lower end of a 95% bootstrap interval over items above the chance level); every suite's
 * first and last figures are printed. A second `slurry probe RUN` must find nothing to do.
 * Minutes with the native backend (hours on the reference one, so it is skipped there).
 * SLURRY_E2E_CORPUS reuses a quick corpus already built.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { buildCorpus } from '../src/data/build.js';
import { presetConfig } from '../src/data/config.js';
import { kernels } from '../src/engine/backend.js';
import type { ProbeRecord } from '../src/run/records.js';
import { trainPreset } from '../src/train/presets.js';
import { train } from '../src/train/trainer.js';
import { Rng } from '../src/util/rng.js';

const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const native = kernels().info().name === 'native';

function lowerBound(xs: readonly number[], resamples = 2000): number {
  const rng = new Rng(1);
  const means: number[] = [];
  for (let b = 0; b < resamples; b++) {
    let s = 0;
    for (let i = 0; i < xs.length; i++) s += xs[rng.int(xs.length)];
    means.push(s / xs.length);
  }
  return means.sort((a, b) => a - b)[Math.floor(0.025 * resamples)];
}

const KEY_METRICS: Record<string, string[]> = {
  tokens: ['loss', 'unigram_loss', 'bigram_loss', 'unigram_gap_closed', 'bigram_gap_closed'],
  syntax: [],
  facts: ['mrr', 'accuracy/head', 'accuracy/torso', 'accuracy/tail', 'accuracy/unseen'],
  reasoning: [
    'twohop_top1',
    'twohop_known_n',
    'exact_match/add_1d',
    'exact_match/add_2d',
    'exact_match/add_3d',
    'exact_match/code',
  ],
  icl: ['accuracy/induction', 'icl_score', 'prefix_matching_max', 'prefix_matching_uniform'],
};

test('a model trained on the quick preset scores above chance on tokens and syntax', {
  skip: !native && 'needs the native backend (hours on the reference backend)',
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'slurry-e2e-probes-'));
  let corpus = process.env.SLURRY_E2E_CORPUS;
  if (!corpus) {
    corpus = join(dir, 'corpus');
    await buildCorpus({ config: presetConfig('quick'), out: corpus, progress: 'silent' });
  }
  const run = join(dir, 'run');
  let t0 = performance.now();
  const trained = await train({ ...trainPreset('quick'), corpus }, { out: run, log: () => {} });
  console.log(
    `# trained: ${trained.steps} steps, ${trained.tokens} tokens, ${trained.checkpoints.length} checkpoints in ${((performance.now() - t0) / 1000).toFixed(0)} s`,
  );

  t0 = performance.now();
  const probe = spawnSync(process.execPath, [CLI, 'probe', run, '--progress', 'lines', '--json'], { encoding: 'utf8' });
  assert.equal(probe.status, 0, probe.stderr);
  const seconds = (performance.now() - t0) / 1000;
  const summary = JSON.parse(probe.stdout) as { probed: { step: number; seconds: number }[] };
  const perCheckpoint = summary.probed.map((p) => p.seconds).sort((a, b) => a - b);
  console.log(
    `# probed ${summary.probed.length} checkpoints in ${seconds.toFixed(0)} s (median ${perCheckpoint[perCheckpoint.length >> 1].toFixed(1)} s per checkpoint, item building included in the first)`,
  );

  const records = readFileSync(join(run, 'probes.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as ProbeRecord);
  const steps = [...new Set(records.map((r) => r.step))].sort((a, b) => a - b);
  assert.deepEqual(
    steps,
    trained.checkpoints.map((c) => c.step),
  );
  const at = (step: number, suite: string) => records.find((r) => r.step === step && r.suite === suite)!;
  const first = steps[0];
  const last = steps[steps.length - 1];
  for (const suite of ['tokens', 'syntax', 'facts', 'reasoning', 'icl']) {
    const [a, b] = [at(first, suite), at(last, suite)];
    const extra = KEY_METRICS[suite]
      .map((k) => `${k} ${(a.metrics[k] ?? NaN).toFixed(3)} -> ${(b.metrics[k] ?? NaN).toFixed(3)}`)
      .join(', ');
    console.log(
      `# ${suite}: ${b.discrete} ${a.metrics[b.discrete].toFixed(3)} -> ${b.metrics[b.discrete].toFixed(3)} (chance ${b.chance.d.toFixed(3)}), ` +
        `${b.continuous} ${a.metrics[b.continuous].toFixed(3)} -> ${b.metrics[b.continuous].toFixed(3)} (chance ${b.chance.c.toFixed(3)})${extra ? `; ${extra}` : ''}`,
    );
  }
  const syntax = at(last, 'syntax');
  const paradigms = Object.keys(syntax.metrics)
    .filter((k) => k.startsWith('accuracy/'))
    .map((k) => `${k.slice(9)} ${syntax.metrics[k].toFixed(2)}`);
  console.log(`# syntax at step ${last}: ${paradigms.join(', ')}`);

  const tokens = at(last, 'tokens');
  const tokensLow = lowerBound(tokens.items.map((i) => i.c));
  assert.ok(
    tokensLow > tokens.chance.c,
    `tokens log-prob per token: lower bound ${tokensLow} vs chance ${tokens.chance.c}`,
  );
  assert.ok(tokens.metrics.unigram_gap_closed > 0.5, `unigram gap closed ${tokens.metrics.unigram_gap_closed}`);
  const syntaxLow = lowerBound(syntax.items.map((i) => i.d));
  assert.ok(syntaxLow > syntax.chance.d, `syntax accuracy: lower bound ${syntaxLow} vs chance ${syntax.chance.d}`);

  const again = spawnSync(process.execPath, [CLI, 'probe', run, '--json'], { encoding: 'utf8' });
  assert.equal(again.status, 0, again.stderr);
  assert.equal(JSON.parse(again.stdout).probed.length, 0);
});
