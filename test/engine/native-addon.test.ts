/**
 * The native addon's behaviour around the kernels: clear errors for bad arguments, the
 * thread and instruction-set controls, the SLURRY_ISA / SLURRY_THREADS environment, and the
 * backend choosing it.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { kernels } from '../../src/engine/backend.js';
import { nativeSuite } from './native-support.js';

const BACKEND = fileURLToPath(new URL('../../src/engine/backend.js', import.meta.url));

/** info() of kernels() in a fresh process with `env` added, plus its stderr. */
function childInfo(env: Record<string, string>): {
  info: { name: string; isa: string; threads: number };
  stderr: string;
} {
  const script = `import { kernels } from ${JSON.stringify(BACKEND)}; console.log(JSON.stringify(kernels().info()));`;
  const base: NodeJS.ProcessEnv = { ...process.env, SLURRY_BACKEND: 'auto' };
  delete base.SLURRY_ISA;
  delete base.SLURRY_THREADS;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    env: { ...base, ...env },
  });
  assert.equal(r.status, 0, r.stderr);
  return { info: JSON.parse(r.stdout.trim()), stderr: r.stderr };
}

nativeSuite('native addon', (addon) => {
  test('kernels() picks the native backend and info() reports it', () => {
    const info = kernels().info();
    if (process.env.SLURRY_BACKEND === 'reference') return;
    assert.equal(info.name, 'native');
    assert.ok(addon.supportedIsas().includes(info.isa as never), info.isa);
    assert.ok(Number.isInteger(info.threads) && info.threads >= 1);
  });

  test('an argument of the wrong type is a TypeError naming the kernel, the argument and what it got', () => {
    const f = new Float32Array(4),
      d = new Float64Array(4);
    assert.throws(() => addon.gemm(false, false, 2, 2, 2, 1, d, 2, f, 2, 0, f, 2), {
      name: 'TypeError',
      message: 'gemm: A must be a Float32Array (got Float64Array)',
    });
    assert.throws(() => addon.add(f, f, [1, 2, 3, 4] as never, 4), {
      name: 'TypeError',
      message: 'add: b must be a Float32Array (got Array)',
    });
    assert.throws(() => addon.embeddingForward(f, f as never, f, null, 1, 1, 1), {
      name: 'TypeError',
      message: /ids must be an Int32Array \(got Float32Array\)/,
    });
    assert.throws(() => addon.scale(f, '2' as never, 4), {
      name: 'TypeError',
      message: 'scale: s must be a number (got string)',
    });
    assert.throws(() => addon.gemm(0 as never, false, 2, 2, 2, 1, f, 2, f, 2, 0, f, 2), {
      name: 'TypeError',
      message: /transA must be a boolean/,
    });
  });

  test('shapes that do not fit the buffers, bad sizes and out-of-range ids are RangeErrors', () => {
    const f = (n: number) => new Float32Array(n);
    assert.throws(() => addon.gemm(false, false, 2, 2, 2, 1, f(4), 2, f(4), 2, 0, f(3), 2), {
      name: 'RangeError',
      message: 'gemm: C has 3 elements, the shape needs 4',
    });
    assert.throws(() => addon.gemm(false, false, 2, 2, 3, 1, f(6), 2, f(6), 2, 0, f(4), 2), {
      name: 'RangeError',
      message: /lda = 2 is less than the 3 columns/,
    });
    assert.throws(() => addon.add(f(4), f(4), f(4), 2.5), {
      name: 'RangeError',
      message: /n must be a non-negative integer/,
    });
    assert.throws(() => addon.add(f(4), f(4), f(4), -1), {
      name: 'RangeError',
      message: /n must be a non-negative integer/,
    });
    assert.throws(() => addon.embeddingForward(f(4), Int32Array.of(0, 7), f(8), null, 2, 2, 2), {
      name: 'RangeError',
      message: 'embeddingForward: ids[1] = 7 is outside [0, 4)',
    });
    assert.throws(() => addon.crossEntropyForward(f(2), f(2), f(6), Int32Array.of(-1, 3), 2, 3, -1), {
      name: 'RangeError',
      message: /targets\[1\] = 3 is outside \[0, 3\)/,
    });
    assert.throws(() => addon.attentionForward(f(30), f(30), f(90), 1, 1, 10, 3), {
      name: 'RangeError',
      message: /C = 10 is not a multiple of H = 3/,
    });
    const i32 = (...xs: number[]) => Int32Array.from(xs);
    // qkv of 3 rows (C = 2): a key row past the end, a span past the end, a query without keys
    assert.throws(() => addon.treeAttentionForward(f(6), f(18), i32(0), i32(0), i32(1), i32(0, 1), i32(3), 1, 2, 1), {
      name: 'RangeError',
      message: 'treeAttentionForward: extra[0] = 3 is outside [0, 3)',
    });
    assert.throws(() => addon.treeAttentionForward(f(6), f(18), i32(0), i32(2), i32(2), i32(0, 0), i32(), 1, 2, 1), {
      name: 'RangeError',
      message: /spanStart\[0\] \+ spanLen\[0\] is outside the 3 rows of qkv/,
    });
    assert.throws(
      () => addon.treeAttentionForward(f(6), f(18), i32(1, 1), i32(0, 0), i32(1, 1), i32(0, 0, 0), i32(), 2, 2, 1),
      {
        name: 'RangeError',
        message: /rows\[1\] = 1 is the row of an earlier query/,
      },
    );
    assert.throws(() => addon.treeAttentionForward(f(6), f(18), i32(0), i32(0), i32(0), i32(0, 0), i32(), 1, 2, 1), {
      name: 'RangeError',
      message: /query 0 has no keys/,
    });
    assert.throws(() => addon.treeAttentionForward(f(6), f(18), i32(0), i32(0), i32(1), i32(0, 2), i32(1), 1, 2, 1), {
      name: 'RangeError',
      message: /extraStart\[0\]\.\.1 is not a range of extra's 1 elements/,
    });
  });

  test('setThreads changes the pool size; setIsa switches paths and refuses unknown ones', () => {
    const before = addon.info().threads;
    try {
      addon.setThreads(3);
      assert.equal(addon.info().threads, 3);
      addon.setThreads(1);
      assert.equal(addon.info().threads, 1);
    } finally {
      addon.setThreads(before);
    }
    assert.throws(() => addon.setThreads(0), { name: 'RangeError' });
    const isas = addon.supportedIsas();
    assert.equal(isas[isas.length - 1], 'portable');
    try {
      addon.setIsa('portable');
      assert.equal(addon.info().isa, 'portable');
    } finally {
      addon.setIsa(isas[0]);
    }
    assert.throws(
      () => addon.setIsa('sse9' as never),
      /expected one of avx512, avx2, portable|expected one of portable/,
    );
  });

  test('SLURRY_ISA forces a lower path, SLURRY_THREADS sets the pool; bad values fall back with a warning', () => {
    for (const isa of addon.supportedIsas()) assert.equal(childInfo({ SLURRY_ISA: isa }).info.isa, isa);
    assert.equal(childInfo({ SLURRY_THREADS: '3' }).info.threads, 3);
    const badIsa = childInfo({ SLURRY_ISA: 'sse9' });
    assert.equal(badIsa.info.name, 'reference');
    assert.match(badIsa.stderr, /SLURRY_ISA=sse9: expected one of/);
    const badThreads = childInfo({ SLURRY_THREADS: 'many' });
    assert.equal(badThreads.info.name, 'reference');
    assert.match(badThreads.stderr, /SLURRY_THREADS=many: expected a positive integer/);
  });
});
