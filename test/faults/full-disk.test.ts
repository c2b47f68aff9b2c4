/**
 * A really full filesystem, not an injected fault: `slurry train` and `slurry data build` run
 * inside a user and mount namespace (`unshare -rm`) on a tmpfs too small for what they
 * write. The run must stop with one line naming the file and "no space left", exit non-zero
 * and leave no temporary file; every checkpoint it left verifies; once the filesystem grows
 * (a tmpfs remount), `--resume` finishes with the numbers of an uninterrupted run. The
 * corpus build must leave no corpus behind. Where user namespaces are not allowed the tests
 * are skipped, saying so.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { listCheckpointSteps, verifyCheckpoint } from '../../src/run/checkpoint.js';
import { checkpointDir } from '../../src/run/layout.js';
import { miniCorpus } from '../train/support/mini-corpus.js';
import { deterministic, readMetrics } from '../train/support/runs.js';

const cli = new URL('../../src/cli/main.js', import.meta.url).pathname;

const probe = spawnSync('unshare', ['-rm', 'sh', '-c', 'mount -t tmpfs -o size=64k tmpfs /tmp && echo ok'], {
  encoding: 'utf8',
});
const skip =
  probe.stdout?.trim() === 'ok'
    ? false
    : `cannot mount a small tmpfs in a user namespace here (unshare -rm: ${(probe.error?.message ?? probe.stderr ?? '').trim() || `exit ${probe.status}`})`;

/**
 * Runs `script` (sh) inside a new user and mount namespace with a tmpfs of `kib` KiB mounted
 * at $FULL; $OUT is an ordinary directory for what the test inspects afterwards (the tmpfs
 * goes when the namespace ends).
 */
function onFullDisk(
  kib: number,
  script: string,
): { status: number | null; stdout: string; stderr: string; out: string } {
  const out = mkdtempSync(join(tmpdir(), 'slurry-full-disk-'));
  const full = join(out, 'full');
  const r = spawnSync(
    'unshare',
    ['-rm', 'sh', '-c', `mkdir -p "$FULL" && mount -t tmpfs -o size=${kib}k tmpfs "$FULL" && ${script}`],
    {
      encoding: 'utf8',
      env: { ...process.env, FULL: full, OUT: out, NODE: process.execPath, CLI: cli },
    },
  );
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, out };
}

/** Total bytes of the files under `dir`. */
function bytesUnder(dir: string): number {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => statSync(join(dir, f)))
    .filter((s) => s.isFile())
    .reduce((n, s) => n + s.size, 0);
}

const temporaries = (dir: string) =>
  readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => /\.tmp-/.test(f));

test('training on a filesystem that fills up: one line, no temporary files, good checkpoints; resume finishes identically', {
  skip,
}, async () => {
  const corpus = await miniCorpus();
  const config = join(mkdtempSync(join(tmpdir(), 'slurry-full-disk-config-')), 'train.json');
  writeFileSync(
    config,
    JSON.stringify({ preset: 'tiny', corpus, seed: 7, steps: 24, checkpoints: { log_until: 4, every: 4 } }),
  );
  const train = '"$NODE" "$CLI" train';
  // The uninterrupted run, on disk, says how much a whole run writes.
  const whole = join(mkdtempSync(join(tmpdir(), 'slurry-full-disk-whole-')), 'run');
  const ok = spawnSync(process.execPath, [cli, 'train', config, '--out', whole, '--progress', 'silent'], {
    encoding: 'utf8',
  });
  assert.equal(ok.status, 0, ok.stderr);
  const kib = Math.ceil(bytesUnder(whole) / 2 / 1024);

  const r = onFullDisk(
    kib,
    `${train} "${config}" --out "$FULL/run" --progress silent 2> "$OUT/first.err"; echo $? > "$OUT/first.status"; ` +
      `cp -r "$FULL/run" "$OUT/stopped"; mount -o remount,size=${8 * kib}k "$FULL" && ` +
      `${train} --resume "$FULL/run" --progress silent 2> "$OUT/resume.err"; echo $? > "$OUT/resume.status"; ` +
      `cp -r "$FULL/run" "$OUT/resumed"`,
  );
  assert.equal(r.status, 0, r.stderr);
  const read = (f: string) => readFileSync(join(r.out, f), 'utf8').trim();
  assert.notEqual(read('first.status'), '0', 'the run on a full filesystem should fail');
  const err = read('first.err');
  assert.match(err, /no space left/i);
  assert.match(err, /\/full\/run\/\S/, `the error names the file it could not write: ${err}`);
  assert.equal(err.split('\n').length, 1, `one line expected:\n${err}`);
  assert.doesNotMatch(err, /\n\s+at /);

  const stopped = join(r.out, 'stopped');
  assert.deepEqual(temporaries(stopped), [], 'no temporary file is left behind');
  const steps = listCheckpointSteps(stopped);
  assert.ok(steps.length >= 1, 'the checkpoints written before the disk filled are there');
  for (const step of steps) verifyCheckpoint(checkpointDir(stopped, step));

  assert.equal(read('resume.status'), '0', read('resume.err'));
  const resumed = join(r.out, 'resumed');
  assert.deepEqual(deterministic(readMetrics(resumed)), deterministic(readMetrics(whole)));
  assert.deepEqual(listCheckpointSteps(resumed), listCheckpointSteps(whole));
});

test('building a corpus on a filesystem that fills up: one line, exit non-zero, no corpus left behind', {
  skip,
}, () => {
  const r = onFullDisk(
    256,
    `"$NODE" "$CLI" data build --preset quick --vocab byte --out "$FULL/corpus" --quiet 2> "$OUT/err"; echo $? > "$OUT/status"; ` +
      `ls -A "$FULL" > "$OUT/left"`,
  );
  assert.equal(r.status, 0, r.stderr);
  const read = (f: string) => readFileSync(join(r.out, f), 'utf8').trim();
  assert.notEqual(read('status'), '0');
  const err = read('err');
  assert.match(err, /no space left/i);
  assert.match(err, /\/full\/\S*corpus\S*\//, `the error names the file it could not write: ${err}`);
  assert.equal(err.split('\n').length, 1, `one line expected:\n${err}`);
  assert.equal(read('left'), '', `nothing should be left on the full filesystem, found: ${read('left')}`);
  assert.ok(!existsSync(join(r.out, 'full', 'corpus')));
});
