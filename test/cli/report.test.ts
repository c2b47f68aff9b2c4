import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runPaths } from '../../src/run/layout.js';
import { writeSyntheticRun } from '../fixtures/synthetic-run.js';

const cli = new URL('../../src/cli/main.js', import.meta.url).pathname;
const root = mkdtempSync(join(tmpdir(), 'slurry-cli-report-'));
after(() => rmSync(root, { recursive: true, force: true }));

test('slurry report RUN analyses the run when needed and writes report/index.html', () => {
  const run = join(root, 'run');
  writeSyntheticRun(run, {
    seed: 4,
    trainEvery: 64,
    suites: [{ suite: 'syntax', items: 60, midpoint: 5.5, width: 0.6 }],
  });
  const r = spawnSync(process.execPath, [cli, 'report', run, '--resamples', '10'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`analysed ${run}`));
  const index = join(runPaths(run).reportDir, 'index.html');
  assert.match(r.stdout, new RegExp(`wrote ${index}`));
  assert.ok(existsSync(index) && existsSync(join(runPaths(run).reportDir, 'charts', 'waves.png')));
});
