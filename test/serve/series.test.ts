import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { interpPoint } from '../../src/serve/interp-curves.js';
import { interpRecordFixture } from '../fixtures/interp-record.js';
import { debiasedEma, decimate, formatTick, formatValue, smoothedColumn } from '../../src/serve/series.js';

test('debiased EMA: a constant stays constant from the first point; NaN is a gap', () => {
  const s = debiasedEma([2, 2, 2, NaN, 2], 0.9);
  assert.deepEqual(
    [s[0], s[1], s[2], s[4]].map((v) => +v.toFixed(12)),
    [2, 2, 2, 2],
  );
  assert.ok(Number.isNaN(s[3]));
  // Without the correction the first point would be 0.1 * 5 = 0.5.
  assert.equal(debiasedEma([5, 0], 0.9)[0], 5);
  assert.ok(Math.abs(debiasedEma([5, 0], 0.9)[1] - (0.09 * 5) / 0.19) < 1e-12);
});

test('decimation: at most 4 points per column, every spike kept, order kept', () => {
  const n = 100_000;
  const xs = Float64Array.from({ length: n }, (_, i) => i + 1);
  const ys = Float64Array.from({ length: n }, (_, i) => Math.sin(i / 100));
  ys[54_321] = 50; // one spike
  ys[77_777] = -50;
  const d = decimate(xs, ys, 1, n, 500, true);
  assert.ok(d.x.length <= 4 * 500, `${d.x.length} points`);
  assert.ok(d.y.includes(50) && d.y.includes(-50), 'spikes survive');
  for (let i = 1; i < d.x.length; i++) assert.ok(d.x[i] > d.x[i - 1]);
});

test('decimation on a log axis cuts columns by ratio: the first decade keeps its points', () => {
  const xs = Array.from({ length: 10_000 }, (_, i) => i + 1);
  const ys = xs.map((x) => 1 / x);
  const log = decimate(xs, ys, 1, 10_000, 400, true);
  const lin = decimate(xs, ys, 1, 10_000, 400, false);
  const early = (d: { x: number[] }) => d.x.filter((x) => x <= 10).length;
  // Linear columns are 25 wide, so x = 1..10 share one column (at most 4 points); log columns keep all 10.
  assert.equal(early(log), 10);
  assert.ok(early(lin) <= 4);
});

test('decimation of a zoomed range keeps one neighbour each side; x <= 0 is dropped on a log axis', () => {
  const d = decimate([0, 1, 2, 3, 4, 5], [9, 1, 2, 3, 4, 5], 2, 3, 10, true);
  assert.deepEqual(d.x, [1, 2, 3, 4]);
  const lin = decimate([0, 1, 2], [9, 1, 2], 0, 2, 10, false);
  assert.deepEqual(lin.x, [0, 1, 2]);
});

/** M4 decimation written the plain way (a logarithm per point): the reference the fast one must equal. */
function referenceDecimate(xs: number[], ys: number[], lo: number, hi: number, columns: number, log: boolean) {
  const out: { x: number[]; y: number[] } = { x: [], y: [] };
  const f = log ? Math.log10 : (v: number) => v;
  if (log && lo <= 0) lo = Number.MIN_VALUE;
  const usable = xs.map((_, i) => i).filter((i) => Number.isFinite(ys[i]) && (!log || xs[i] > 0));
  const inside = usable.filter((i) => xs[i] >= lo && xs[i] <= hi);
  const keep = new Set<number>();
  const before = usable.filter((i) => xs[i] < lo).pop();
  const after = usable.find((i) => xs[i] > hi);
  // A neighbour outside is kept when the line runs on from it (into the range, or across it).
  if (before !== undefined && (inside.length > 0 || after !== undefined)) keep.add(before);
  if (after !== undefined) keep.add(after);
  const span = f(hi) - f(lo) || 1;
  const byColumn = new Map<number, number[]>();
  for (const i of inside) {
    const c = Math.min(columns - 1, Math.floor(((f(xs[i]) - f(lo)) / span) * columns));
    byColumn.set(c, [...(byColumn.get(c) ?? []), i]);
  }
  for (const idx of byColumn.values()) {
    const ysOf = idx.map((i) => ys[i]);
    keep.add(idx[0]).add(idx[idx.length - 1]);
    keep.add(idx[ysOf.indexOf(Math.min(...ysOf))]).add(idx[ysOf.indexOf(Math.max(...ysOf))]);
  }
  for (const i of [...keep].sort((a, b) => a - b)) {
    out.x.push(xs[i]);
    out.y.push(ys[i]);
  }
  return out;
}

test('fast decimation keeps exactly the points of the plain M4 (random curves, ranges, scales)', () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.integer({ min: -5, max: 5000 }), fc.oneof(fc.double({ noNaN: false }), fc.constant(NaN))), {
        maxLength: 400,
      }),
      fc.integer({ min: -5, max: 5000 }),
      fc.integer({ min: 0, max: 5000 }),
      fc.integer({ min: 1, max: 60 }),
      fc.boolean(),
      (points, a, width, columns, log) => {
        // Ties on x are allowed (two records of one step): the order of the input is kept.
        const sorted = points.sort((p, q) => p[0] - q[0]);
        const xs = sorted.map((p) => p[0]);
        const ys = sorted.map((p) => p[1]);
        const lo = Math.max(a, log ? 1 : -5);
        const hi = lo + width + 1;
        const fast = decimate(xs, ys, lo, hi, columns, log);
        const plain = referenceDecimate(xs, ys, lo, hi, columns, log);
        assert.deepEqual(fast, plain);
      },
    ),
    { numRuns: 300 },
  );
});

test('a growing column is smoothed incrementally to the same values as all at once', () => {
  const weight = 0.9;
  let buf = new Float64Array(8).fill(NaN);
  const ys = Array.from({ length: 20 }, (_, i) => (i === 7 ? NaN : Math.sin(i) + i / 10));
  for (let n = 1; n <= ys.length; n++) {
    if (n > buf.length) {
      const grown = new Float64Array(buf.length * 2).fill(NaN);
      grown.set(buf);
      buf = grown;
    }
    buf[n - 1] = ys[n - 1];
    const got = smoothedColumn(buf.subarray(0, n), weight);
    assert.deepEqual([...got], [...debiasedEma(ys.slice(0, n), weight)]);
  }
  // Another weight starts over rather than continuing the first one's sums.
  assert.deepEqual([...smoothedColumn(buf.subarray(0, ys.length), 0.5)], [...debiasedEma(ys, 0.5)]);
});

test('number formats: the legend keeps small values (a learning rate of 3e-4 is not 0), ticks stay short', () => {
  assert.equal(formatValue(3e-4), '3e-4');
  assert.equal(formatValue(3.05e-4), '3.05e-4');
  assert.equal(formatValue(0.0123456), '0.01235');
  assert.equal(formatValue(2.71828), '2.718');
  assert.equal(formatValue(1234567), '1235000');
  assert.equal(formatValue(5e9), '5e+9');
  assert.equal(formatValue(0), '0');
  assert.equal(formatValue(null), '–');
  assert.equal(formatValue(Number.NaN), '–');
  assert.equal(formatTick(3e-4), '3e-4');
  assert.equal(formatTick(25_000), '25k');
  assert.equal(formatTick(0.5), '0.5');
});

test('interp.jsonl points: a record is cut to its curves; a record of another shape names the field', () => {
  const record = interpRecordFixture(4, 32);
  const got = interpPoint(record);
  assert.ok('point' in got);
  assert.deepEqual(got.point.probes.pos?.accuracy, record.probes.pos!.accuracy);
  assert.deepEqual(got.point.heads.prefix_matching, { max: record.heads.prefix_matching.mean[1][0], chance: 0.05 });
  assert.deepEqual(got.point.cka_prev, record.cka_prev!.layers);
  assert.equal(got.point.sae.fvu, record.sae.fvu);
  assert.ok(!('items' in got.point.probes.pos!), 'the bootstrap items stay on disk');
  const bad = interpPoint({ ...interpRecordFixture(4, 32), heads: null });
  assert.ok('error' in bad && /heads/.test(bad.error), JSON.stringify(bad));
});
