/**
 * How the local pool shares the cores: threads per worker, and the V8 flags of its cell
 * processes (single-threaded exactly when the pool's threads take every core).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { threadsPerWorker, workerExecArgv } from '../../src/sweep/local-pool.js';

test('threads per worker fill the cores without passing them, and say which option is too large', () => {
  assert.equal(threadsPerWorker(1, undefined, 8), 8);
  assert.equal(threadsPerWorker(3, undefined, 8), 2);
  assert.equal(threadsPerWorker(2, 1, 8), 1);
  assert.throws(() => threadsPerWorker(9, undefined, 8), /--workers 9: more workers than this machine's 8 cores/);
  assert.throws(() => threadsPerWorker(2, 5, 8), /--workers 2 x --threads 5 = 10 threads on 8 cores/);
  assert.throws(() => threadsPerWorker(0, undefined, 8), /--workers 0: expected an integer >= 1/);
});

test('cell processes run V8 single-threaded only when the pool takes every core', () => {
  const single = (workers: number, threads: number, cores: number) =>
    workerExecArgv(workers, threads, cores).includes('--single-threaded');
  assert.equal(single(2, 1, 2), true);
  assert.equal(single(4, 2, 8), true);
  assert.equal(single(1, 1, 2), false);
  assert.equal(single(3, 2, 8), false);
  // The parent's own Node flags are passed on either way.
  for (const argv of [workerExecArgv(2, 1, 2), workerExecArgv(1, 1, 2)])
    assert.deepEqual(argv.slice(0, process.execArgv.length), process.execArgv);
});
