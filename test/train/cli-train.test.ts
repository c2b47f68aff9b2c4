import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { deterministic, readMetrics, tempRun } from './support/runs.js';
import { miniCorpus } from './support/mini-corpus.js';

const cli = new URL('../../src/cli/main.js', import.meta.url).pathname;
function slurry(...args: string[]) {
  return spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
}

test('slurry train --preset tiny trains on a built corpus and writes the run directory', async () => {
  const corpus = await miniCorpus();
  const run = tempRun();
  const r = slurry(
    'train',
    '--preset',
    'tiny',
    '--corpus',
    corpus,
    '--steps',
    '12',
    '--seed',
    '5',
    '--out',
    run,
    '--progress',
    'lines',
  );
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /train: 3,072 tok in .*final loss/);
  const config = JSON.parse(readFileSync(join(run, 'config.json'), 'utf8'));
  assert.equal(config.steps, 12);
  assert.equal(config.seed, 5);
  assert.equal(config.model.vocab_size, 257);
  assert.equal(config.corpus, corpus);
  const last = readMetrics(run)
    .filter((m) => m.type === 'train')
    .pop()!;
  assert.equal(last.step, 12);
  assert.deepEqual(Object.keys(last.type === 'train' ? last.weights : {}).sort(), [
    'arithmetic',
    'moby_dick',
    'tracing',
  ]);
  assert.ok(existsSync(join(run, 'checkpoints', 'step-0000012', 'tokenizer.json')));
  // Finished: a resume has nothing left to do and changes nothing.
  const before = readFileSync(join(run, 'metrics.jsonl'), 'utf8');
  const again = slurry('train', '--resume', run);
  assert.equal(again.status, 0, again.stderr);
  assert.match(again.stderr, /the run is complete/);
  assert.equal(readFileSync(join(run, 'metrics.jsonl'), 'utf8'), before);
});

test("slurry train --from continues another run's checkpoint with a new mixture", async () => {
  const corpus = await miniCorpus();
  const first = tempRun();
  assert.equal(
    slurry('train', '--preset', 'tiny', '--corpus', corpus, '--steps', '4', '--out', first, '--progress', 'silent')
      .status,
    0,
  );
  const second = tempRun();
  const config = join(second, '..', 'continue.yaml');
  writeFileSync(
    config,
    `preset: tiny\ncorpus: ${corpus}\nsteps: 4\ndata:\n  schedule:\n    kind: mix\n    weights: { reasoning: 1 }\n`,
  );
  const from = join(first, 'checkpoints', 'step-0000004');
  const r = slurry('train', config, '--from', from, '--out', second, '--progress', 'silent');
  assert.equal(r.status, 0, r.stderr);
  const resolved = JSON.parse(readFileSync(join(second, 'config.json'), 'utf8'));
  assert.equal(resolved.init_from, from);
  const firstVal = readMetrics(first)
    .filter((m) => m.type === 'val')
    .pop()!;
  const secondVal = readMetrics(second).find((m) => m.type === 'val')!;
  assert.equal(secondVal.loss, firstVal.loss, 'starts from the checkpoint weights');
  const step = readMetrics(second).find((m) => m.type === 'train')!;
  assert.equal(step.type === 'train' && step.weights.moby_dick, 0);
  assert.match(
    slurry('train', config, '--from', first, '--out', tempRun()).stderr,
    /init_from: .* is a run, not a checkpoint \(pick one of its checkpoints, e\.g\. .*step-0000004\)/,
  );
});

test('bad input is refused before training starts, naming the key or file', async () => {
  const corpus = await miniCorpus();
  const run = tempRun();
  const config = join(run, '..', 'run.yaml');
  writeFileSync(config, `preset: tiny\ncorpus: ${corpus}\noptimizer:\n  learning_rate: 0.1\n`);
  let r = slurry('train', config, '--out', run);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /slurry: error: .*run\.yaml: field "optimizer": Unrecognized key: "learning_rate"/);
  assert.ok(!existsSync(run), 'nothing written');
  writeFileSync(config, `preset: tiny\ncorpus: ${corpus}\nbatch_size: -4\n`);
  r = slurry('train', config, '--out', run);
  assert.match(r.stderr, /run\.yaml: field "batch_size": Too small/);
  r = slurry('train', '--preset', 'tiny', '--corpus', join(run, 'nowhere'), '--out', run);
  assert.match(r.stderr, /corpus: .*nowhere does not exist/);
  r = slurry('train', '--preset', 'tiny', '--corpus', corpus, '--steps', 'many', '--out', run);
  assert.match(r.stderr, /--steps many: expected an integer >= 1/);
  r = slurry('train', '--resume', run, '--preset', 'tiny');
  assert.match(r.stderr, /--resume continues .* drop --preset/);
  r = slurry('train', '--resume', run);
  assert.match(r.stderr, /config\.json: missing/);
  assert.ok(!existsSync(run));
});

test('a run killed with SIGKILL mid-run resumes to bit-identical losses', async () => {
  const corpus = await miniCorpus();
  // Checkpoints at 0, 1, 2, 4, 8, 20, 30.
  const args = ['--preset', 'tiny', '--corpus', corpus, '--steps', '30', '--progress', 'silent'];
  const whole = tempRun();
  assert.equal(slurry('train', ...args, '--out', whole).status, 0);

  const killed = tempRun();
  const child = spawn(process.execPath, [cli, 'train', ...args, '--out', killed], { stdio: 'ignore' });
  const exited = new Promise((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  // Kill as soon as the checkpoint at step 20 is on disk: somewhere in the steps after it.
  while (!existsSync(join(killed, 'checkpoints', 'step-0000020'))) await new Promise((r) => setTimeout(r, 10));
  child.kill('SIGKILL');
  assert.equal(await exited, 'SIGKILL');
  assert.ok(!existsSync(join(killed, 'checkpoints', 'step-0000030')), 'killed before the end');

  const r = slurry('train', '--resume', killed, '--progress', 'lines');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /resuming .* from step-0000020/);
  assert.deepEqual(deterministic(readMetrics(killed)), deterministic(readMetrics(whole)));
});
