/**
 * The local pool under real crashes: a 4-cell tiny sweep with 2 workers; the controller
 * and one worker are killed with SIGKILL mid-way, the same command is run again, and every
 * cell ends done exactly once with results identical to an uninterrupted sweep's.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { cellStatus, cellLockPath, readCellRecord } from '../../src/sweep/cell-state.js';
import { cellDirs, cellResults, checkpointsOf, pidAlive, startCli, sweepCli, tinySweepFile, until } from './support.js';

const tmp = () => join(mkdtempSync(join(tmpdir(), 'slurry-sweep-out-')), 'sweep');

test('kill -9 of the controller and a worker mid-sweep: the rerun finishes every cell once, identical to an uninterrupted sweep', async () => {
  const file = await tinySweepFile(32);
  const whole = tmp();
  const first = sweepCli(['sweep', file, '--out', whole, '--workers', '2']);
  assert.equal(first.status, 0, first.stderr);
  assert.match(first.stderr, /4 cells, 0 already done, 4 to run/);

  const sweep = tmp();
  const controller = startCli(['sweep', file, '--out', sweep, '--workers', '2']);
  const cells = () => (existsSync(join(sweep, 'cells')) ? cellDirs(sweep).map((h) => join(sweep, 'cells', h)) : []);
  // Mid-way: one cell done, another past its step-4 checkpoint and still running.
  let victim = '';
  await until(
    () => {
      const done = cells().filter((c) => cellStatus(c) === 'done');
      victim =
        cells().find(
          (c) =>
            cellStatus(c) === 'partial' &&
            existsSync(cellLockPath(c)) &&
            checkpointsOf(c).some((s) => s >= 4 && s < 32),
        ) ?? '';
      return done.length >= 1 && victim !== '';
    },
    240_000,
    'a finished cell and a cell mid-training',
  );
  const workerPid = Number(readFileSync(cellLockPath(victim), 'utf8').split('@')[0]);
  const doneBefore = new Map(
    cells()
      .filter((c) => cellStatus(c) === 'done')
      .map((c) => [c, readCellRecord(c)!.finished]),
  );
  controller.kill('SIGKILL');
  process.kill(workerPid, 'SIGKILL');
  await new Promise((r) => controller.once('exit', r));
  await until(() => !pidAlive(workerPid), 5000, 'the killed worker to end');
  // The rerun starts at once: the other worker, orphaned, stops at its next step (parent watch)
  // and both leave their locks behind, as zombies until init reaps them; the rerun waits them out.

  const rerun = sweepCli(['sweep', file, '--out', sweep, '--workers', '2']);
  assert.equal(rerun.status, 0, rerun.stderr);
  assert.match(rerun.stderr, new RegExp(`4 cells, ${doneBefore.size} already done, ${4 - doneBefore.size} to run`));
  const hash = victim.split('/').pop()!;
  assert.match(
    rerun.stderr,
    new RegExp(`cell ${hash}: resuming .* from step-00000(0[4-9]|[1-3]\\d)`),
    'the killed cell resumed from its last checkpoint',
  );

  assert.deepEqual(cellDirs(sweep), cellDirs(whole));
  for (const h of cellDirs(sweep)) {
    const run = join(sweep, 'cells', h);
    assert.equal(cellStatus(run), 'done', h);
    assert.deepEqual(
      cellResults(run),
      cellResults(join(whole, 'cells', h)),
      `cell ${h} differs from the uninterrupted sweep`,
    );
  }
  for (const [run, finished] of doneBefore) assert.equal(readCellRecord(run)!.finished, finished, `${run} ran again`);

  const report = sweepCli(['report', sweep]);
  assert.equal(report.status, 0, report.stderr);
  const html = readFileSync(join(sweep, 'report', 'index.html'), 'utf8');
  for (const h of cellDirs(sweep)) assert.match(html, new RegExp(`>${h}</a>`));
  assert.match(html, /Capability against training compute/);
  assert.match(html, /Tokens to 50% of the ceiling/);
});

test('Ctrl-C stops the pool and its cells; the message says how to continue', async () => {
  const file = await tinySweepFile(400);
  const sweep = tmp();
  const controller = startCli(['sweep', file, '--out', sweep, '--workers', '1']);
  let stderr = '';
  controller.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const cell = () => (existsSync(join(sweep, 'cells')) ? join(sweep, 'cells', cellDirs(sweep)[0]) : '');
  await until(() => cell() !== '' && checkpointsOf(cell()).some((s) => s >= 2), 120_000, 'a cell training');
  const workerPid = Number(readFileSync(cellLockPath(cell()), 'utf8').split('@')[0]);
  controller.kill('SIGINT');
  const code = await new Promise((r) => controller.once('exit', (c) => r(c)));
  assert.equal(code, 130, stderr);
  assert.match(stderr, /interrupted; run the same command again to continue/);
  await until(() => !pidAlive(workerPid), 10_000, 'the cell process to end');
  assert.equal(cellStatus(cell()), 'partial');
});

test('a bad axis value is refused before anything runs, naming the axis and the value', async () => {
  const file = await tinySweepFile();
  const spec = JSON.parse(readFileSync(file, 'utf8'));
  spec.axes['model.n_embd'] = [16, 33];
  writeFileSync(file, JSON.stringify(spec));
  const sweep = tmp();
  const r = sweepCli(['sweep', file, '--out', sweep]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /axis model\.n_embd = 33 .*divisible by n_head/);
  assert.ok(!existsSync(join(sweep, 'sweep.json')));
  const many = sweepCli(['sweep', file, '--out', sweep, '--workers', '999']);
  assert.match(many.stderr, /--workers 999: more workers than this machine's \d+ cores/);
});

test('a failed cell is recorded as failed and tried again by the next call', async () => {
  const file = await tinySweepFile(8);
  const spec = JSON.parse(readFileSync(file, 'utf8'));
  // A learning rate that blows the weights up: the loss turns non-finite and training stops.
  spec.axes = { seed: [0] };
  spec.base.optimizer = { lr: 1e6 };
  writeFileSync(file, JSON.stringify(spec));
  const sweep = tmp();
  const first = sweepCli(['sweep', file, '--out', sweep]);
  assert.equal(first.status, 1);
  assert.match(
    first.stderr,
    /1 cell\(s\) failed \(rerun to retry them\): [0-9a-f]{16}: step \d+: the (loss|gradient norm|validation loss) is/,
  );
  const run = join(sweep, 'cells', cellDirs(sweep)[0]);
  assert.equal(cellStatus(run), 'failed');
  assert.match(readCellRecord(run)!.error!, /training stopped/);
  const again = sweepCli(['sweep', file, '--out', sweep]);
  assert.match(again.stderr, /1 cells, 0 already done, 1 to run/);
  assert.equal(again.status, 1);
});
