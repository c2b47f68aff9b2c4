import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runPaths } from '../../src/run/layout.js';
import { writeSyntheticRun } from '../fixtures/synthetic-run.js';

const cli = new URL('../../src/cli/main.js', import.meta.url).pathname;
const root = mkdtempSync(join(tmpdir(), 'slurry-cli-analyze-'));
after(() => rmSync(root, { recursive: true, force: true }));
const slurry = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });

test('slurry analyze RUN writes analysis.json and prints the verdict', () => {
  const run = join(root, 'ok');
  writeSyntheticRun(run, {
    seed: 3,
    trainEvery: 64,
    suites: [
      { suite: 'syntax', items: 100, midpoint: 5.5, width: 0.6 },
      { suite: 'facts', items: 100, midpoint: 7, width: 0.6 },
    ],
  });
  const r = slurry('analyze', run, '--resamples', '20');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^Verdict under the discrete metrics: stages\./m);
  assert.match(r.stdout, new RegExp(`wrote ${runPaths(run).analysis}`));
  const a = JSON.parse(readFileSync(runPaths(run).analysis, 'utf8'));
  assert.equal(a.settings.resamples, 20);
});

test('slurry analyze: too few checkpoints is reported with the fix, not fitted', () => {
  const run = join(root, 'few');
  writeSyntheticRun(run, {
    seed: 3,
    trainEvery: 64,
    probeSteps: [0, 8, 512],
    suites: [{ suite: 'syntax', items: 50, midpoint: 5.5, width: 0.6 }],
  });
  rmSync(runPaths(run).checkpointIndex);
  const r = slurry('analyze', run, '--resamples', '10');
  assert.equal(r.status, 0, r.stderr);
  assert.match(
    r.stdout,
    /Missing: 3 checkpoints probed for suite 'syntax'; a fit needs at least 6\. To get it: train longer or lower --checkpoint-every, then `slurry probe RUN`\./,
  );
});

test('slurry analyze: a malformed line fails with file and line, bad flags with the flag', () => {
  const run = join(root, 'bad');
  writeSyntheticRun(run, {
    seed: 3,
    trainEvery: 64,
    probeSteps: [0, 1, 2],
    suites: [{ suite: 'syntax', items: 5, midpoint: 5.5, width: 0.6 }],
  });
  writeFileSync(
    runPaths(run).metrics,
    '{"type":"train","step":1,"tokens":10,"loss":3,"loss_by_source":{}}\n{"type":"train","step":"two"}\n',
  );
  const r = slurry('analyze', run);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, new RegExp(`${runPaths(run).metrics}:2: field "step": `));
  assert.ok(!existsSync(runPaths(run).analysis));
  const f = slurry('analyze', run, '--resamples', 'many');
  assert.notEqual(f.status, 0);
  assert.match(f.stderr, /--resamples many: expected an integer >= 10/);
});
