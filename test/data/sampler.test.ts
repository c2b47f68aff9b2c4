import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixedBatches, mixtureProbabilities, sampleBatch, type SamplerShards } from '../../src/data/sampler.js';
import { SlurryError } from '../../src/util/errors.js';

/** Three sources whose ids encode (source, position): source s holds s*10000 + i. */
const shards: SamplerShards = {
  names: ['books', 'code', 'facts'],
  train: [0, 1, 2].map((s) => Uint16Array.from({ length: 5000 + 1000 * s }, (_, i) => (s * 10000 + i) % 65536)),
};
const base = { seed: 42, step: 7, weights: { books: 1, code: 1, facts: 2 }, batchSize: 16, context: 32 };

test('batch k is a pure function of (seed, k, weights, B, T)', () => {
  const a = sampleBatch(shards, base);
  const b = sampleBatch(shards, { ...base });
  assert.deepEqual(a, b);
  assert.notDeepEqual(sampleBatch(shards, { ...base, step: 8 }).inputs, a.inputs);
  assert.notDeepEqual(sampleBatch(shards, { ...base, seed: 43 }).inputs, a.inputs);
  // computing other batches in between changes nothing
  sampleBatch(shards, { ...base, step: 1000 });
  assert.deepEqual(sampleBatch(shards, base), a);
});

test('rows are consecutive windows of one source; targets are inputs shifted by one', () => {
  const { inputs, targets, sources, rows } = sampleBatch(shards, base);
  const T = base.context;
  assert.equal(inputs.length, base.batchSize * T);
  rows.forEach((r, b) => {
    const shard = shards.train[r.source]!;
    for (let t = 0; t < T; t++) {
      assert.equal(inputs[b * T + t], shard[(r.offset + t) % shard.length]);
      assert.equal(targets[b * T + t], shard[(r.offset + t + 1) % shard.length]);
      assert.equal(sources[b * T + t], r.source);
    }
  });
});

test('repeats: that fraction of rows is a span, the span again, then the text after it; the rest unchanged', () => {
  const T = base.context;
  let repeated = 0;
  for (let step = 0; step < 40; step++) {
    const plain = sampleBatch(shards, { ...base, step, batchSize: 32 });
    const { inputs, targets, rows } = sampleBatch(shards, { ...base, step, batchSize: 32, repeats: 0.25 });
    rows.forEach((r, b) => {
      assert.equal(r.offset, plain.rows[b]!.offset);
      if (r.repeat === undefined) {
        assert.deepEqual(inputs.subarray(b * T, (b + 1) * T), plain.inputs.subarray(b * T, (b + 1) * T));
        return;
      }
      repeated++;
      assert.ok(r.repeat >= T / 8 && r.repeat <= T / 2, `span ${r.repeat}`);
      const shard = shards.train[r.source]!;
      const window = [...inputs.subarray(b * T, (b + 1) * T), targets[(b + 1) * T - 1]];
      const expected = (t: number) => shard[(r.offset + (t < r.repeat! ? t : t - r.repeat!)) % shard.length];
      window.forEach((id, t) => assert.equal(id, expected(t), `row ${b} position ${t}`));
      for (let t = 0; t < T - 1; t++) assert.equal(targets[b * T + t], inputs[b * T + t + 1]);
    });
  }
  // 1280 rows at 0.25: the count is binomial (sd about 15)
  assert.ok(repeated > 1280 * 0.25 - 80 && repeated < 1280 * 0.25 + 80, `repeated rows: ${repeated}`);
  assert.throws(() => sampleBatch(shards, { ...base, repeats: 1.5 }), /field "repeats"/);
});

test('repeats per source: rows of a source at 1 always repeat, at 0 (or left out) never; unknown names refused', () => {
  const counts = new Map<number, { rows: number; repeated: number }>();
  for (let step = 0; step < 20; step++) {
    const plain = sampleBatch(shards, { ...base, step, batchSize: 32 });
    const { rows } = sampleBatch(shards, { ...base, step, batchSize: 32, repeats: { books: 1, code: 0 } });
    rows.forEach((r, b) => {
      assert.equal(r.source, plain.rows[b]!.source);
      const c = counts.get(r.source) ?? { rows: 0, repeated: 0 };
      counts.set(r.source, { rows: c.rows + 1, repeated: c.repeated + (r.repeat === undefined ? 0 : 1) });
    });
  }
  assert.deepEqual(
    [0, 1, 2].map((s) => counts.get(s)!.repeated / counts.get(s)!.rows),
    [1, 0, 0],
  );
  assert.throws(
    () => sampleBatch(shards, { ...base, repeats: { poems: 0.5 } }),
    /field "repeats\.poems": unknown source/,
  );
  assert.throws(
    () => sampleBatch(shards, { ...base, repeats: { code: -1 } }),
    /field "repeats\.code" must be a fraction/,
  );
});

test('each source gets within one row of B times its weight', () => {
  for (let step = 0; step < 50; step++) {
    const { rows } = sampleBatch(shards, { ...base, step, batchSize: 64 });
    const n = [0, 0, 0];
    for (const r of rows) n[r.source]!++;
    assert.ok(
      Math.abs(n[0]! - 16) <= 1 && Math.abs(n[1]! - 16) <= 1 && Math.abs(n[2]! - 32) <= 1,
      `step ${step}: ${n}`,
    );
  }
});

test('zero-weight and unnamed sources are never drawn; weights are normalised', () => {
  for (let step = 0; step < 30; step++) {
    const { rows } = sampleBatch(shards, { ...base, step, weights: { code: 0.001 } });
    assert.ok(rows.every((r) => r.source === 1));
  }
  assert.deepEqual([...mixtureProbabilities({ books: 3, facts: 1 }, shards)], [0.75, 0, 0.25]);
});

test('window starts are spread over the whole shard', () => {
  const starts: number[] = [];
  for (let step = 0; step < 200; step++)
    starts.push(...sampleBatch(shards, { ...base, step, weights: { books: 1 } }).rows.map((r) => r.offset));
  const quarters = [0, 0, 0, 0];
  for (const s of starts) quarters[Math.floor((s / 5000) * 4)]!++;
  for (const q of quarters)
    assert.ok(q > starts.length / 4 - 150 && q < starts.length / 4 + 150, `quarters ${quarters}`);
});

test('a shard shorter than a window is read cyclically', () => {
  const tiny: SamplerShards = { names: ['t'], train: [Uint16Array.of(5, 6, 7)] };
  const { inputs, targets } = sampleBatch(tiny, { seed: 0, step: 0, weights: { t: 1 }, batchSize: 1, context: 7 });
  const seq = [...inputs, targets[6]!];
  for (let i = 1; i < seq.length; i++) assert.equal(seq[i], [5, 6, 7][([5, 6, 7].indexOf(seq[0]!) + i) % 3]);
});

test('bad weights are SlurryErrors naming the field', () => {
  const bad = (weights: Record<string, number>, re: RegExp) =>
    assert.throws(
      () => sampleBatch(shards, { ...base, weights }),
      (e: unknown) => e instanceof SlurryError && re.test(e.message),
    );
  bad({ novels: 1 }, /field "weights\.novels": unknown source "novels"; sources are books, code, facts/);
  bad({ books: -1 }, /field "weights\.books": must be a finite number >= 0, got -1/);
  bad({ books: Number.NaN }, /field "weights\.books"/);
  bad({ books: Infinity }, /field "weights\.books"/);
  bad({ books: 0, code: 0 }, /field "weights": all weights are zero/);
  bad({}, /field "weights": all weights are zero/);
  const withEmpty: SamplerShards = { names: ['a', 'b'], train: [Uint16Array.of(1, 2), new Uint16Array(0)] };
  assert.throws(
    () => sampleBatch(withEmpty, { ...base, weights: { a: 1, b: 1 } }),
    /field "weights\.b": source "b" has no training tokens/,
  );
});

test('bad batch shapes are SlurryErrors naming the field', () => {
  assert.throws(() => sampleBatch(shards, { ...base, batchSize: 0 }), /field "batchSize"/);
  assert.throws(() => sampleBatch(shards, { ...base, context: 1.5 }), /field "context"/);
  assert.throws(() => sampleBatch(shards, { ...base, step: -1 }), /field "step"/);
});

test('fixed validation batches are deterministic, evenly spaced and cover the stream', () => {
  const tokens = Uint16Array.from({ length: 1000 }, (_, i) => i);
  const a = fixedBatches(tokens, 2, 3, 4, 10);
  assert.deepEqual(a, fixedBatches(tokens, 2, 3, 4, 10));
  assert.equal(a.length, 3);
  const offsets = a.flatMap((b) => b.rows.map((r) => r.offset));
  assert.deepEqual(
    offsets,
    Array.from({ length: 12 }, (_, i) => Math.floor((i * 1000) / 12)),
  );
  assert.ok(a.every((b) => b.sources.every((s) => s === 2)));
  assert.equal(a[0]!.targets[0], a[0]!.inputs[1]);
  assert.deepEqual(fixedBatches(new Uint16Array(0), 0, 2, 2, 4), []);
});
