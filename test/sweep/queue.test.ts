/**
 * The distributed mode against a real Redis: `slurry sweep --queue` as the controller and
 * `slurry worker` processes; a worker killed mid-cell (the cell is picked up again and
 * resumes), a Redis restart mid-sweep, duplicate enqueues, an unreachable Redis.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Queue } from 'bullmq';
import { cellLockPath, cellStatus } from '../../src/sweep/cell-state.js';
import { checkRedis, connectionOptions, parseQueueUrl } from '../../src/sweep/queue-connection.js';
import { enqueueCell } from '../../src/sweep/queue-jobs.js';
import type { CellJob } from '../../src/sweep/run-cell.js';
import { OwnRedis, freePort, redisServerMissing, redisUnavailable, testRedisUrl } from './redis.js';
import {
  cellDirs,
  cellResults,
  checkpointsOf,
  cli,
  pidAlive,
  startCli,
  sweepCli,
  tinySweepFile,
  until,
} from './support.js';

const tmp = () => join(mkdtempSync(join(tmpdir(), 'slurry-sweep-q-')), 'sweep');
const queueName = (what: string) => `test-${what}-${process.pid}-${Date.now()}`;

function startWorker(url: string, queue: string): ChildProcess & { log: string } {
  const p = spawn(
    process.execPath,
    [cli, 'worker', '--queue', url, '--queue-name', queue, '--threads', '1', '--lock-seconds', '2'],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  ) as ChildProcess & { log: string };
  p.log = '';
  p.stderr!.on('data', (d: Buffer) => (p.log += d.toString()));
  return p;
}

async function stopAll(procs: ChildProcess[]): Promise<void> {
  await Promise.all(
    procs
      .filter((p) => p.exitCode === null && p.signalCode === null)
      .map((p) => {
        const exited = new Promise((r) => p.once('exit', r));
        p.kill('SIGTERM');
        return exited;
      }),
  );
}

async function waitExit(p: ChildProcess): Promise<number | null> {
  if (p.exitCode !== null) return p.exitCode;
  return new Promise((r) => p.once('exit', (code) => r(code)));
}

async function obliterate(url: string, name: string): Promise<void> {
  const q = new Queue(name, { connection: connectionOptions(parseQueueUrl(url)) });
  await q.obliterate({ force: true });
  await q.close();
}

/** The parent of a process (the `slurry worker` of a sandboxed cell process). */
function parentOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

test('an unreachable Redis is a clear error within 5 s, before anything is planned or written', async () => {
  const port = await freePort();
  const t0 = performance.now();
  await assert.rejects(
    checkRedis(parseQueueUrl(`redis://127.0.0.1:${port}`)),
    /--queue redis:\/\/127\.0\.0\.1:\d+: Redis does not answer \(ECONNREFUSED\)/,
  );
  assert.ok(performance.now() - t0 < 5000);
  const file = await tinySweepFile();
  const out = tmp();
  const r = sweepCli(['sweep', file, '--out', out, '--queue', `redis://127.0.0.1:${port}`]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /Redis does not answer/);
  assert.ok(!existsSync(out), 'refused before anything is planned or written');
  assert.throws(() => parseQueueUrl('localhost:6379'), /--queue localhost:6379: expected redis:\/\/HOST:PORT/);
});

test('enqueueing a cell twice is a no-op (deterministic job ids), also from two controllers at once', async (t) => {
  const skip = await redisUnavailable();
  if (skip) return t.skip(skip);
  const name = queueName('dup');
  const queue = new Queue<CellJob>(name, { connection: connectionOptions(parseQueueUrl(testRedisUrl)) });
  try {
    const job: CellJob = {
      sweep: '/tmp/sweep-a',
      hash: 'abc',
      dir: 'cells/abc',
      label: 'seed=0',
      config: { seed: 0 },
      suites: [],
    };
    assert.equal(await enqueueCell(queue, job), 'added');
    assert.equal(await enqueueCell(queue, job), 'exists');
    const other = { ...job, hash: 'def', dir: 'cells/def' };
    await Promise.all([enqueueCell(queue, other), enqueueCell(queue, other)]);
    assert.equal(await queue.count(), 2);
    // The same cell in another sweep directory is another job.
    assert.equal(await enqueueCell(queue, { ...job, sweep: '/tmp/sweep-b' }), 'added');
    assert.equal(await queue.count(), 3);
  } finally {
    await queue.obliterate({ force: true });
    await queue.close();
  }
});

test('two workers and a controller: a worker killed mid-cell, the cell resumes on the other; results as a local sweep', async (t) => {
  const skip = await redisUnavailable();
  if (skip) return t.skip(skip);
  const file = await tinySweepFile(32);
  const local = tmp();
  assert.equal(sweepCli(['sweep', file, '--out', local, '--workers', '1', '--threads', '1']).status, 0);

  const name = queueName('kill');
  const sweep = tmp();
  const workers = [startWorker(testRedisUrl, name), startWorker(testRedisUrl, name)];
  const controller = startCli(['sweep', file, '--out', sweep, '--queue', testRedisUrl, '--queue-name', name]);
  try {
    const cells = () => (existsSync(join(sweep, 'cells')) ? cellDirs(sweep).map((h) => join(sweep, 'cells', h)) : []);
    let victim = '';
    await until(
      () => {
        victim =
          cells().find(
            (c) =>
              cellStatus(c) === 'partial' &&
              existsSync(cellLockPath(c)) &&
              checkpointsOf(c).some((s) => s >= 4 && s < 32),
          ) ?? '';
        return victim !== '';
      },
      240_000,
      'a cell mid-training',
    );
    const cellPid = Number(readFileSync(cellLockPath(victim), 'utf8').split('@')[0]);
    const workerPid = parentOf(cellPid);
    const killed = workers.find((w) => w.pid === workerPid);
    assert.ok(killed, 'the cell runs under one of the two workers');
    killed.kill('SIGKILL');
    await until(() => !pidAlive(cellPid), 30_000, 'the orphaned cell process to stop');

    assert.equal(await waitExit(controller), 0);
    const survivor = workers.find((w) => w !== killed)!;
    const hash = victim.split('/').pop()!;
    assert.match(survivor.log, new RegExp(`cell ${hash}: resuming .* from step-00000(0[4-9]|[1-3]\\d)`));
    for (const h of cellDirs(local)) {
      assert.equal(cellStatus(join(sweep, 'cells', h)), 'done');
      assert.deepEqual(cellResults(join(sweep, 'cells', h)), cellResults(join(local, 'cells', h)), `cell ${h}`);
    }
  } finally {
    await stopAll([controller, ...workers]);
    await obliterate(testRedisUrl, name);
  }
});

test('a Redis restart mid-sweep is survived by the worker and the controller', async (t) => {
  const missing = redisServerMissing();
  if (missing) return t.skip(missing);
  const redis = new OwnRedis(await freePort());
  await redis.start();
  const name = queueName('restart');
  const file = await tinySweepFile(16);
  const sweep = tmp();
  const worker = startWorker(redis.url, name);
  const controller = startCli(['sweep', file, '--out', sweep, '--queue', redis.url, '--queue-name', name]);
  try {
    await until(
      () =>
        existsSync(join(sweep, 'cells')) &&
        cellDirs(sweep).some((h) => checkpointsOf(join(sweep, 'cells', h)).length > 0),
      240_000,
      'a cell training',
    );
    await redis.stop();
    await new Promise((r) => setTimeout(r, 1000));
    await redis.start();
    assert.equal(await waitExit(controller), 0);
    assert.equal(cellDirs(sweep).length, 4);
    for (const h of cellDirs(sweep)) assert.equal(cellStatus(join(sweep, 'cells', h)), 'done');
    assert.ok(worker.exitCode === null, `the worker is still running:\n${worker.log}`);
  } finally {
    await stopAll([controller, worker]);
    await redis.stop();
  }
});
