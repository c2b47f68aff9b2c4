/**
 * Probing while training: a probe that fails (a suite that throws, the probe lock held by
 * another prober) is reported and recorded, training goes on to its last step, and
 * `slurry probe RUN` later fills exactly the gaps.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { probeOnCheckpoint } from '../../src/probes/inline.js';
import { resolveSuites, type SuiteSpec } from '../../src/probes/registry.js';
import { probeRun } from '../../src/probes/runner.js';
import { summarize, type SuiteDefinition } from '../../src/probes/suite.js';
import { runPaths } from '../../src/run/layout.js';
import type { ProbeFailureRecord, ProbeRecord } from '../../src/run/records.js';
import { train } from '../../src/train/trainer.js';
import { miniCorpus } from '../train/support/mini-corpus.js';
import { tinyConfig } from '../train/support/runs.js';

/** A suite that throws on its `failOn`-th run (counting from 1), as a probe bug would. */
function flakySuite(failOn: number): SuiteSpec {
  let runs = 0;
  const def: SuiteDefinition = {
    name: 'flaky',
    description: 'throws once',
    build: () => [{ id: 'x' }],
    prepare: () => ({
      name: 'flaky',
      kind: 'probe',
      run() {
        if (++runs === failOn) throw new RangeError('token id undefined is outside the vocabulary (0..256)');
        const item = { id: 'x', group: 'g', d: 1, c: 0, chance: { d: 0.5, c: 0 } };
        return summarize([item], {
          suite: 'flaky',
          discrete: 'accuracy',
          continuous: 'margin',
          ceiling: { d: 1, c: null },
        });
      },
    }),
  };
  return { kind: 'builtin', name: 'flaky', def };
}

const readLines = <T>(file: string): T[] =>
  readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as T);

test('a probe failure never ends training: reported, recorded, filled in later by `slurry probe RUN`', async () => {
  const corpus = await miniCorpus();
  const dir = mkdtempSync(join(tmpdir(), 'slurry-inline-fail-'));
  const run = join(dir, 'run');
  const pairs = join(dir, 'agreement.jsonl');
  writeFileSync(
    pairs,
    JSON.stringify({ sentence_good: 'The dog runs.', sentence_bad: 'The dog run.', UID: 'sva', pairID: 0 }) + '\n',
  );
  const suites = [...resolveSuites([pairs]), flakySuite(2)];
  const log: string[] = [];
  const opts = { suites, badRows: 'refuse' as const, log: (l: string) => log.push(l) };
  const inline = probeOnCheckpoint(run, opts);
  const lock = runPaths(run).probesLock;
  const result = await train(
    { ...tinyConfig, corpus, steps: 12, checkpoints: { log_until: 4, every: 6 } },
    {
      out: run,
      log: () => {},
      onCheckpoint: (step, ckpt) => {
        // At step 4 another live process (this one) holds the probe lock: the whole probe fails.
        if (step === 4) writeFileSync(lock, String(process.pid));
        inline(step, ckpt);
        if (step === 4) rmSync(lock);
      },
    },
  );
  const steps = result.checkpoints.map((c) => c.step);
  assert.deepEqual(steps, [0, 1, 2, 4, 6, 12], 'training reached its last step');
  const text = log.join('\n');
  assert.match(
    text,
    /inline probe of step 1 \(flaky\) failed; training continues; `slurry probe .*run` probes it later/,
  );
  assert.match(text, /inline probe of step 4 failed: .*probes\.lock: process \d+ is probing/);
  const failures = readLines<ProbeFailureRecord>(runPaths(run).probeFailures);
  assert.deepEqual(
    failures.map((f) => `${f.step}/${f.suite ?? '*'}`),
    ['1/flaky', '4/*'],
  );
  assert.match(failures[0].message, /^RangeError: token id undefined .* \(at .*inline\.test\.js/);
  const recorded = (r: ProbeRecord) => `${r.step}/${r.suite}`;
  const before = readLines<ProbeRecord>(runPaths(run).probes).map(recorded);
  assert.ok(
    before.includes('1/agreement') && !before.includes('1/flaky'),
    'the other suite of the failed checkpoint is kept',
  );
  assert.ok(!before.some((k) => k.startsWith('4/')));

  const later = probeRun(run, opts);
  assert.deepEqual(
    later.probed.map((p) => [p.step, p.suites]),
    [
      [1, ['flaky']],
      [4, ['agreement', 'flaky']],
    ],
  );
  assert.equal(later.failed.length, 0);
  const after = readLines<ProbeRecord>(runPaths(run).probes).map(recorded).sort();
  assert.deepEqual(after, steps.flatMap((s) => [`${s}/agreement`, `${s}/flaky`]).sort());
});
