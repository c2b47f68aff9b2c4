/**
 * The contract every reader of a file keeps, whatever the bytes: it returns a value, or
 * throws the project's SlurryError with a message that names the file and carries no
 * stack trace; never another exception, never memory out of proportion to the input.
 * fast-check drives the inputs; its seed is printed on failure, so a case replays.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { SlurryError } from '../../src/util/errors.js';

/** Memory a reader may hold beyond its input: a fixed allowance plus a multiple of the input's size. */
export const MEMORY_ALLOWANCE = { fixed: 32 << 20, perInputByte: 4 };

/** Every fuzz property runs this many cases at most, and stops after this many milliseconds. */
export const FUZZ_RUNS = Number(process.env.SLURRY_FUZZ_RUNS ?? 300);
export const FUZZ_MS = Number(process.env.SLURRY_FUZZ_MS ?? 4000);
/** Replays a run: the seed a failure or a diagnostic printed. */
const FUZZ_SEED = process.env.SLURRY_FUZZ_SEED === undefined ? undefined : Number(process.env.SLURRY_FUZZ_SEED);

/**
 * Runs a property for FUZZ_RUNS cases or FUZZ_MS milliseconds, whichever ends first; a
 * failure throws fast-check's report (the seed and the shrunk counterexample). Reports
 * the number of cases and the time as a test diagnostic.
 */
export function fuzz<Ts>(t: { diagnostic(message: string): void }, property: fc.IProperty<Ts>): void {
  const t0 = performance.now();
  const out = fc.check(property, {
    numRuns: FUZZ_RUNS,
    interruptAfterTimeLimit: FUZZ_MS,
    markInterruptAsFailure: false,
    seed: FUZZ_SEED,
  });
  if (out.failed) throw new Error(fc.defaultReportMessage(out));
  t.diagnostic(`fuzz: ${out.numRuns} cases in ${Math.round(performance.now() - t0)} ms (seed ${out.seed})`);
}

export interface Outcome<T> {
  value?: T;
  error?: SlurryError;
}

/**
 * Runs `read` on one input of `inputBytes` bytes: a value or a SlurryError, nothing else.
 * Asserts the error names `where` (the file) and is free of stack frames, and that the
 * memory held by the result (heap plus array buffers) stays within MEMORY_ALLOWANCE.
 */
export function loadsOrRefuses<T>(read: () => T, where: string, inputBytes: number): Outcome<T> {
  const before = heldMemory();
  let out: Outcome<T>;
  try {
    out = { value: read() };
  } catch (err) {
    if (!(err instanceof SlurryError)) {
      assert.fail(`expected a value or a SlurryError, got ${(err as Error)?.stack ?? String(err)}`);
    }
    assert.ok(err.message.includes(where), `the error should name ${where}: ${err.message}`);
    assert.doesNotMatch(err.message, /\n\s+at /, 'an error message carries no stack trace');
    out = { error: err };
  }
  const grown = heldMemory() - before;
  const limit = MEMORY_ALLOWANCE.fixed + MEMORY_ALLOWANCE.perInputByte * inputBytes;
  assert.ok(grown <= limit, `held ${grown} bytes after reading ${inputBytes} input bytes (limit ${limit})`);
  return out;
}

function heldMemory(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/** A fresh temporary directory for a fuzz test's files. */
export function fuzzDir(name: string): string {
  return mkdtempSync(join(tmpdir(), `slurry-fuzz-${name}-`));
}

/** Byte-level mutations of a valid file: flips, truncations, insertions, splices of random bytes. */
export function mutatedBytes(valid: Uint8Array): fc.Arbitrary<Uint8Array> {
  const n = valid.length;
  return fc.oneof(
    fc
      .array(fc.tuple(fc.nat(Math.max(0, n - 1)), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 })
      .map((flips) => {
        const out = Uint8Array.from(valid);
        for (const [i, b] of flips) out[i] = b;
        return out;
      }),
    fc.nat(n).map((cut) => valid.slice(0, cut)),
    fc
      .tuple(fc.nat(n), fc.uint8Array({ minLength: 1, maxLength: 64 }))
      .map(([at, bytes]) => concat(valid.slice(0, at), bytes, valid.slice(at))),
    fc.uint8Array({ maxLength: 512 }),
  );
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  return Uint8Array.from(Buffer.concat(parts));
}

/**
 * JSON-level mutations of a valid document: a field replaced by null, a value of another
 * type, a huge or negative number, or removed; a random JSON value in its place.
 */
export function mutatedJson(valid: unknown): fc.Arbitrary<unknown> {
  const paths = jsonPaths(valid);
  const replacement = fc.oneof(
    fc.constant(null),
    fc.constant(undefined),
    fc.integer(),
    fc.constantFrom(-1, 0, 1e12, 2 ** 53, -(2 ** 31), 1.5, Number.MAX_VALUE),
    fc.string({ maxLength: 8 }),
    fc.boolean(),
    fc.constant([]),
    fc.constant({}),
    fc.jsonValue({ maxDepth: 2 }),
  );
  return fc.oneof(
    {
      weight: 4,
      arbitrary: fc
        .array(fc.tuple(fc.constantFrom(...paths), replacement), { minLength: 1, maxLength: 3 })
        .map((edits) => edits.reduce((doc, [p, v]) => setPath(doc, p, v), valid)),
    },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  );
}

type Path = (string | number)[];

function jsonPaths(value: unknown, prefix: Path = [], out: Path[] = [], limit = 400): Path[] {
  if (out.length >= limit) return out;
  out.push(prefix);
  if (Array.isArray(value)) value.slice(0, 4).forEach((v, i) => jsonPaths(v, [...prefix, i], out, limit));
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value).slice(0, 40)) jsonPaths(v, [...prefix, k], out, limit);
  return out;
}

/** A copy of `doc` with the value at `path` replaced (undefined: removed). */
function setPath(doc: unknown, path: Path, value: unknown): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path;
  const copy = (Array.isArray(doc) ? [...doc] : { ...(doc as object) }) as Record<string | number, unknown>;
  const next = setPath(copy[head], rest, value);
  if (next === undefined && !Array.isArray(copy)) delete copy[head];
  else copy[head] = next;
  return copy;
}
