/**
 * Shared by the native-*.test.ts files: loads the addon (a missing addon FAILS the tests
 * unless SLURRY_SKIP_NATIVE=1, which skips them with the reason), random float32 data, and
 * the comparison against the float64 reference.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadNativeKernels, type NativeAddon, type NativeIsa } from '../../src/engine/native/load.js';
import { Rng } from '../../src/util/rng.js';

/** Calls `define(addon)` to register the tests, or registers one failing (or skipped) test. */
export function nativeSuite(name: string, define: (addon: NativeAddon) => void): void {
  const load = loadNativeKernels();
  if (load.ok) {
    define(load.kernels);
    return;
  }
  if (process.env.SLURRY_SKIP_NATIVE === '1') {
    test(name, { skip: `SLURRY_SKIP_NATIVE=1 and ${load.reason}` }, () => {});
  } else {
    test(name, () => {
      assert.fail(
        `${load.reason}. Build it with \`npm install\` (or \`npm rebuild\`); SLURRY_SKIP_NATIVE=1 skips these tests.`,
      );
    });
  }
}

/** Runs fn once per instruction-set path this CPU supports, restoring the best one after. */
export function forEachIsa(addon: NativeAddon, fn: (isa: NativeIsa) => void): void {
  const isas = addon.supportedIsas();
  try {
    for (const isa of isas) {
      addon.setIsa(isa);
      fn(isa);
    }
  } finally {
    addon.setIsa(isas[0]);
  }
}

/** Runs fn with the pool at n threads, restoring the previous count after. */
export function withThreads<T>(addon: NativeAddon, n: number, fn: () => T): T {
  const before = addon.info().threads;
  addon.setThreads(n);
  try {
    return fn();
  } finally {
    addon.setThreads(before);
  }
}

export function randomF32(rng: Rng, n: number, scale = 1): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = scale * rng.normal();
  return a;
}

export function randomIds(rng: Rng, n: number, limit: number): Int32Array {
  return Int32Array.from({ length: n }, () => rng.int(limit));
}

export const f64 = (a: Float32Array): Float64Array => Float64Array.from(a);

/** Float32 unit roundoff. */
export const U32 = 2 ** -24;

/**
 * Asserts |actual - expected| <= rtol * (|expected| + floor) element by element, where floor
 * is `floor` when given (a per-element magnitude of the terms summed, for cancellation) or
 * else the root mean square of expected (the output's own scale).
 */
export function assertClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  rtol: number,
  label: string,
  floor?: ArrayLike<number>,
): void {
  assert.equal(actual.length, expected.length, `${label}: length`);
  let rms = 0;
  for (let i = 0; i < expected.length; i++) rms += expected[i] * expected[i];
  rms = Math.sqrt(rms / Math.max(1, expected.length));
  let worst = 0;
  let worstAt = -1;
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i];
    const a = actual[i];
    if (Number.isNaN(e) || Number.isNaN(a)) {
      assert.ok(Number.isNaN(e) && Number.isNaN(a), `${label}[${i}]: got ${a}, expected ${e}`);
      continue;
    }
    const bound = rtol * (Math.abs(e) + (floor ? floor[i] : rms)) + 1e-30;
    const ratio = Math.abs(a - e) / bound;
    if (ratio > worst) {
      worst = ratio;
      worstAt = i;
    }
  }
  if (worst > 1) {
    assert.fail(
      `${label}: element ${worstAt} is ${actual[worstAt]}, expected ${expected[worstAt]} (error ${worst.toFixed(2)}x the tolerance ${rtol})`,
    );
  }
}

/** Asserts two float32 buffers are bit-identical. */
export function assertIdentical(a: Float32Array, b: Float32Array, label: string): void {
  assert.equal(a.length, b.length, `${label}: length`);
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < ua.length; i++) {
    if (ua[i] !== ub[i]) assert.fail(`${label}: element ${i} differs (${a[i]} vs ${b[i]})`);
  }
}
