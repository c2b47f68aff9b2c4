/**
 * Exact resume under real crashes: `slurry train` runs as a child process and is killed
 * with SIGKILL at many moments (mid-step, mid-checkpoint, repeatedly); after each kill
 * `slurry train --resume` continues, and the final metrics equal an uninterrupted run's
 * bit for bit (wall-clock fields aside).
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { miniCorpus } from '../test/train/support/mini-corpus.js';
import { deterministic, readMetrics, tempRun } from '../test/train/support/runs.js';
import { Rng } from '../src/util/rng.js';

const cli = new URL('../src/cli/main.js', import.meta.url).pathname;

function runToEnd(args: string[]): void {
  const r = spawnSync(process.execPath, [cli, 'train', ...args, '--progress', 'silent'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
}

/** Starts `slurry train ...args`, kills it with SIGKILL when `when()` holds (or it ends); returns whether it was killed. */
async function killWhen(args: string[], when: () => boolean): Promise<boolean> {
  const child = spawn(process.execPath, [cli, 'train', ...args, '--progress', 'silent'], { stdio: 'ignore' });
  let exited = false;
  const done = new Promise<string | null>((resolve) =>
    child.on('exit', (_c, signal) => ((exited = true), resolve(signal))),
  );
  while (!exited && !when()) await new Promise((r) => setTimeout(r, 2));
  if (!exited) child.kill('SIGKILL');
  return (await done) === 'SIGKILL';
}

function config(dir: string, body: object): string {
  const path = join(dir, '..', 'run.json');
  writeFileSync(path, JSON.stringify(body));
  return path;
}

test('killed while writing a checkpoint: the torn checkpoint is discarded and the run resumes exactly', async () => {
  const corpus = await miniCorpus();
  // 65536 learned positions make each checkpoint ~50 MB (slow to write) while steps stay cheap.
  const body = {
    preset: 'tiny',
    corpus,
    steps: 24,
    model: { n_layer: 1, n_head: 2, n_embd: 64, n_positions: 65536 },
    checkpoints: { log_until: 4, every: 8 },
  };
  const whole = tempRun();
  runToEnd([config(whole, body), '--out', whole]);
  const run = tempRun();
  const file = config(run, body);
  const torn = () =>
    existsSync(join(run, 'checkpoints')) &&
    readdirSync(join(run, 'checkpoints')).some((n) => n.startsWith('.tmp-step-0000008'));
  assert.ok(await killWhen([file, '--out', run], torn), 'killed');
  assert.ok(torn(), 'the kill left a torn checkpoint');
  runToEnd(['--resume', run]);
  assert.ok(!readdirSync(join(run, 'checkpoints')).some((n) => n.startsWith('.tmp')));
  assert.deepEqual(deterministic(readMetrics(run)), deterministic(readMetrics(whole)));
});

for (const schedule of [
  { kind: 'mix', weights: 'natural' },
  { kind: 'adaptive' },
  { kind: 'anneal', anneal_weights: { reasoning: 1 } },
]) {
  test(`${schedule.kind}: killed at random moments five times, resumed each time, bit-identical to an uninterrupted run`, async () => {
    const corpus = await miniCorpus();
    const body = { preset: 'tiny', corpus, steps: 48, data: { schedule }, checkpoints: { log_until: 8, every: 6 } };
    const whole = tempRun();
    const started = performance.now();
    runToEnd([config(whole, body), '--out', whole]);
    const duration = performance.now() - started;
    const run = tempRun();
    const rng = new Rng(`kills/${schedule.kind}`);
    const start = [config(run, body), '--out', run];
    // Killed before config.json exists, the run has not begun: start it again instead.
    const next = () => (existsSync(join(run, 'config.json')) ? ['--resume', run] : start);
    let kills = 0;
    for (let i = 0; i < 5; i++) {
      const at = performance.now() + rng.next() * duration * 0.35;
      if (await killWhen(next(), () => performance.now() >= at)) kills++;
    }
    runToEnd(next());
    assert.ok(kills >= 3, `${kills} of 5 runs were killed before finishing`);
    assert.deepEqual(deterministic(readMetrics(run)), deterministic(readMetrics(whole)));
  });
}
