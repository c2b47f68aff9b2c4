import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { train } from '../../src/train/trainer.js';
import { trainPreset } from '../../src/train/presets.js';
import { miniCorpus } from './support/mini-corpus.js';
import { quiet, tempRun } from './support/runs.js';

const cli = new URL('../../src/cli/main.js', import.meta.url).pathname;

function slurry(...args: string[]) {
  return spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
}

test('slurry sample continues a prompt from the latest or any checkpoint, reproducibly', async () => {
  const run = tempRun();
  await train({ ...trainPreset('tiny'), corpus: await miniCorpus(), steps: 8 }, { out: run, log: quiet });

  const latest = slurry('sample', run, '--prompt', 'Call me', '--max-tokens', '12', '--seed', '3');
  assert.equal(latest.status, 0, latest.stderr);
  assert.match(latest.stdout, /^# .*step-0000008 \(step 8, 2,048 tokens\)\nCall me/);
  assert.equal(
    slurry('sample', run, '--prompt', 'Call me', '--max-tokens', '12', '--seed', '3').stdout,
    latest.stdout,
    'same seed, same text',
  );

  const early = slurry(
    'sample',
    join(run, 'checkpoints', 'step-0000002'),
    '--prompt',
    'Call me',
    '--prompt',
    '1 + 1 =',
    '--samples',
    '2',
    '--max-tokens',
    '5',
    '--json',
  );
  assert.equal(early.status, 0, early.stderr);
  const lines = early.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.deepEqual(
    lines.map((l) => [l.step, l.prompt, l.sample]),
    [
      [2, 'Call me', 0],
      [2, 'Call me', 1],
      [2, '1 + 1 =', 0],
      [2, '1 + 1 =', 1],
    ],
  );
  assert.ok(lines.every((l) => typeof l.continuation === 'string'));

  const byStep = slurry('sample', run, '--step', '4', '--prompt', 'a', '--max-tokens', '3', '--temperature', '0');
  assert.match(byStep.stdout, /step-0000004 \(step 4/);
  assert.match(
    slurry('sample', run, '--step', '3', '--prompt', 'a').stderr,
    /no checkpoint at step 3 \(there are 0, 1, 2, 4, 8\)/,
  );
  assert.match(slurry('sample', join(run, 'nowhere'), '--prompt', 'a').stderr, /no such run or checkpoint directory/);
  assert.match(
    slurry('sample', run, '--prompt', 'a', '--temperature', 'hot').stderr,
    /--temperature hot: expected a number >= 0/,
  );
});
