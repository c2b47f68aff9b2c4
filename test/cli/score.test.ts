import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { openCheckpoint } from '../../src/model/load-checkpoint.js';
import { tokenLogprobs } from '../../src/model/logprobs.js';
import { trainPreset } from '../../src/train/presets.js';
import { train } from '../../src/train/trainer.js';
import { miniCorpus } from '../train/support/mini-corpus.js';
import { quiet, tempRun } from '../train/support/runs.js';

const cli = new URL('../../src/cli/main.js', import.meta.url).pathname;
const slurry = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });

test('slurry score prints each token and its log-probability; bad input is named', async () => {
  const run = tempRun();
  await train({ ...trainPreset('tiny'), corpus: await miniCorpus(), steps: 4 }, { out: run, log: quiet });
  const ckpt = join(run, 'checkpoints', 'step-0000004');
  const text = 'Call me Ishmael.';
  const r = slurry('score', ckpt, '--text', text, '--json');
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as {
    tokens: { id: number; text: string; logprob: number | null }[];
    total_logprob: number;
  };
  const { model, tokenizer } = openCheckpoint(ckpt);
  const ids = tokenizer.encode(text);
  assert.deepEqual(
    out.tokens.map((t) => t.id),
    ids,
  );
  assert.equal(out.tokens.map((t) => t.text).join(''), text);
  assert.equal(out.tokens[0].logprob, null);
  const expected = tokenLogprobs(model, [ids])[0];
  out.tokens.slice(1).forEach((t, i) => assert.ok(Math.abs(t.logprob! - expected[i]) < 1e-6));
  assert.ok(Math.abs(out.total_logprob - expected.reduce((a, b) => a + b, 0)) < 1e-4);

  assert.match(slurry('score', join(run, 'nowhere'), '--text', 'x y').stderr, /no such checkpoint directory/);
  assert.match(slurry('score', ckpt, '--text', '').stderr, /scoring needs at least 2/);
  rmSync(join(ckpt, 'tokenizer.json'));
  const broken = slurry('score', ckpt, '--text', text);
  assert.notEqual(broken.status, 0);
  assert.match(broken.stderr, /tokenizer\.json/);
});
