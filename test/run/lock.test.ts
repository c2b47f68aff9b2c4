/**
 * Run-directory locks against real processes: a zombie holder (exited, not yet reaped) is
 * gone, a live one is refused at once or, when the caller asks, waited for with a notice,
 * for a bounded time.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { lockRun } from '../../src/run/lock.js';
import { SlurryError } from '../../src/util/errors.js';
import { processAlive } from '../../src/util/process.js';

const lockFile = () => join(mkdtempSync(join(tmpdir(), 'slurry-lock-')), 'train.lock');

/** The first line a child prints (a pid). */
function firstLine(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => child.stdout!.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))));
}

test('a lock held by a zombie is taken over: the process has exited though its parent has not reaped it', async () => {
  // The shell starts `sleep 0.05` and becomes `sleep 30`, which never waits for its child.
  const parent = spawn('sh', ['-c', 'sleep 0.05 & echo $!; exec sleep 30'], { stdio: ['ignore', 'pipe', 'ignore'] });
  try {
    const zombie = await firstLine(parent);
    await new Promise((r) => setTimeout(r, 300));
    assert.match(readFileSync(`/proc/${zombie}/stat`, 'utf8'), /\) Z /, 'the child is a zombie');
    assert.equal(processAlive(zombie), false);
    const file = lockFile();
    writeFileSync(file, String(zombie));
    const release = lockRun(file, 'RUN', 'training');
    assert.equal(readFileSync(file, 'utf8'), String(process.pid));
    release();
    assert.equal(existsSync(file), false);
  } finally {
    parent.kill('SIGKILL');
  }
});

test('a live holder is refused at once, or waited for (bounded, with notices) when the caller asks', async () => {
  const holder = spawn('sleep', ['30'], { stdio: 'ignore' });
  const file = lockFile();
  try {
    writeFileSync(file, String(holder.pid));
    assert.throws(
      () => lockRun(file, 'RUN', 'training'),
      (e) => e instanceof SlurryError && /process \d+ is training RUN already; wait for it/.test(e.message),
    );
    const lines: string[] = [];
    const t0 = Date.now();
    assert.throws(
      () => lockRun(file, 'RUN', 'training', { ms: 300, log: (l) => lines.push(l) }),
      (e) => e instanceof SlurryError && /is training RUN already \(waited 0\.3 s\)/.test(e.message),
    );
    assert.ok(Date.now() - t0 >= 300, 'it waited');
    assert.deepEqual(lines, [`${file}: process ${holder.pid} is training RUN; waiting up to 0.3 s for it to end`]);
  } finally {
    holder.kill('SIGKILL');
  }
  // A holder that ends while waited for: the lock is taken once it is gone.
  const short = spawn('sleep', ['0.4'], { stdio: 'ignore' });
  writeFileSync(file, String(short.pid));
  const lines: string[] = [];
  const release = lockRun(file, 'RUN', 'training', { ms: 10_000, log: (l) => lines.push(l) });
  assert.equal(readFileSync(file, 'utf8'), String(process.pid));
  release();
  assert.equal(lines.length, 2, lines.join('\n'));
  assert.match(lines[1], new RegExp(`process ${short.pid} let go after \\d+\\.\\d s`));
});
