import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { encodeSafetensors, readSafetensors, type NamedTensor } from '../../src/model/safetensors.js';
import { concat, fuzzDir, fuzz, loadsOrRefuses, mutatedBytes } from './support.js';

const dir = fuzzDir('safetensors');
let counter = 0;

function writeTemp(bytes: Uint8Array): string {
  const path = join(dir, `f${counter++}.safetensors`);
  writeFileSync(path, bytes);
  return path;
}

const tensorArb: fc.Arbitrary<NamedTensor> = fc
  .tuple(
    fc.stringMatching(/^[a-z][a-z0-9_.]{0,12}$/),
    fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 }),
    fc.boolean(),
  )
  .map(([name, shape, f64]) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = f64 ? new Float64Array(n) : new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = ((i * 7919) % 13) - 6.5;
    return { name, shape, data };
  });
const tensorsArb = fc.uniqueArray(tensorArb, { selector: (t) => t.name, maxLength: 5 });

function header(json: string, data: Uint8Array = new Uint8Array(0)): Uint8Array {
  const h = Buffer.from(json);
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(BigInt(h.length));
  return concat(prefix, h, data);
}

test('valid files round-trip', (t) => {
  fuzz(
    t,
    fc.property(
      tensorsArb,
      fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 2 }),
      (tensors, metadata) => {
        const bytes = concat(...encodeSafetensors(tensors, metadata));
        const { value } = loadsOrRefuses(() => readSafetensors(writeTemp(bytes)), dir, bytes.length);
        assert.ok(value, 'a file slurry wrote loads');
        assert.deepEqual([...value.tensors.keys()].sort(), tensors.map((t) => t.name).sort());
        for (const t of tensors) assert.deepEqual(value.tensors.get(t.name)!.data, t.data);
      },
    ),
  );
});

test('mutated files load or are refused with a SlurryError, within memory', (t) => {
  fuzz(
    t,
    fc.property(
      tensorsArb.chain((ts) => mutatedBytes(concat(...encodeSafetensors(ts, { format: 'pt' })))),
      (bytes) => {
        loadsOrRefuses(() => readSafetensors(writeTemp(bytes)), dir, bytes.length);
      },
    ),
  );
});

/** Headers with hostile data_offsets, shapes, dtypes and metadata over a small data area. */
const entryArb = fc.record(
  {
    dtype: fc.oneof(
      fc.constantFrom('F32', 'F64', 'BF16', 'I64', 'toString', '__proto__'),
      fc.string({ maxLength: 4 }),
      fc.constant(null),
    ),
    shape: fc.oneof(
      fc.array(fc.oneof(fc.nat(8), fc.constantFrom(-1, 2 ** 40, 1.5)), { maxLength: 3 }),
      fc.constant(null),
      fc.string(),
    ),
    data_offsets: fc.oneof(
      fc.tuple(fc.integer({ min: -8, max: 80 }), fc.integer({ min: -8, max: 80 })),
      fc.constant([0, 2 ** 62]),
      fc.array(fc.nat(), { maxLength: 3 }),
      fc.constant(null),
    ),
  },
  { requiredKeys: [] },
);
const hostileArb = fc.tuple(
  fc.dictionary(
    fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('__metadata__', '__proto__', 'constructor')),
    fc.oneof(entryArb, fc.jsonValue({ maxDepth: 2 })),
    { maxKeys: 6 },
  ),
  fc.uint8Array({ maxLength: 96 }),
);

test('hostile headers load or are refused; aliases and overlaps never load', (t) => {
  fuzz(
    t,
    fc.property(hostileArb, ([entries, data]) => {
      const bytes = header(JSON.stringify(entries), data);
      const { value } = loadsOrRefuses(() => readSafetensors(writeTemp(bytes)), dir, bytes.length);
      if (!value) return;
      // What loads tiles the data exactly: the arrays hold no more bytes than the file.
      const held = [...value.tensors.values()].reduce((n, t) => n + t.data.byteLength, 0);
      assert.equal(held, data.length);
    }),
  );
});

test('the reference rules, case by case', () => {
  const f32 = (offsets: [number, number], shape = [2]) => ({ dtype: 'F32', shape, data_offsets: offsets });
  const cases: [string, unknown, number, RegExp][] = [
    ['aliased tensors', { a: f32([0, 8]), b: f32([0, 8]) }, 8, /tensor b starts at byte 0 of the data, expected 8/],
    ['overlapping tensors', { a: f32([0, 8]), b: f32([4, 12]) }, 12, /starts at byte 4 of the data, expected 8/],
    ['a gap', { a: f32([0, 8]), b: f32([12, 20]) }, 20, /starts at byte 12 of the data, expected 8/],
    ['negative offsets', { a: f32([-8, 0]) }, 8, /tensor a: field "data_offsets\[0\]"/],
    ['size not dtype x shape', { a: f32([0, 12]) }, 12, /expected 8 bytes for F32 \[2\]/],
    ['past the end', { a: f32([0, 8]) }, 4, /truncated: tensor a ends at byte 8/],
    ['trailing bytes', { a: f32([0, 8]) }, 16, /8 bytes after the last tensor/],
    ['metadata of numbers', { __metadata__: { step: 3 }, a: f32([0, 8]) }, 8, /__metadata__: field "step"/],
    [
      'an unknown dtype',
      { a: { dtype: 'toString', shape: [2], data_offsets: [0, 8] } },
      8,
      /field "dtype": expected a safetensors dtype/,
    ],
    ['a list header', [1, 2], 0, /header is not a JSON object/],
  ];
  for (const [what, entries, dataBytes, message] of cases) {
    const path = writeTemp(header(JSON.stringify(entries), new Uint8Array(dataBytes)));
    assert.throws(() => readSafetensors(path), message, what);
  }
  const huge = Buffer.alloc(16);
  huge.writeBigUInt64LE(2n ** 63n);
  assert.throws(() => readSafetensors(writeTemp(huge)), /header length 9223372036854775808 does not fit the file/);
  const ok = writeTemp(header(JSON.stringify({ a: f32([0, 8]), b: f32([8, 16]) }), new Uint8Array(16)));
  assert.throws(() => readSafetensors(ok, (n) => (n === 'a' ? 'read' : 'refuse')), /unexpected tensor b/);
  assert.deepEqual([...readSafetensors(ok, (n) => (n === 'a' ? 'read' : 'skip')).tensors.keys()], ['a']);
});
