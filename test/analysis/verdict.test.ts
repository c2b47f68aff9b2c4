/**
 * The verdict rules at their thresholds, on hand-made capability windows (the analysis
 * tests check them on synthetic runs end to end).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CurveResult } from '../../src/analysis/capability.js';
import type { CurveSummary } from '../../src/analysis/curve-summary.js';
import {
  MIN_SEPARATION_DECADES,
  SLURRY_MAX_SPREAD_DECADES,
  STAGE_MAX_OVERLAP,
} from '../../src/analysis/definitions.js';
import type { CurveAnalysis } from '../../src/analysis/types.js';
import { decideVerdict, windowOverlap } from '../../src/analysis/verdict.js';

/** Checkpoints every 0.1 decade from 4 to 9 (so one lies between any two midpoints 0.1 apart). */
const denseTokens = Array.from({ length: 51 }, (_, i) => 10 ** (4 + i * 0.1));

function summary(midpoint: number, width: number): CurveSummary {
  return {
    status: 'crossed',
    fit: { params: { floor: 0, ceiling: 1, midpoint, slope: (2 * Math.log(9)) / width }, sse: 0, r2: 1, rmse: 0 },
    observedRise: 1,
    lastLevel: 1,
    onset: midpoint - width / 2,
    midpoint,
    shapeMidpoint: midpoint,
    saturation: midpoint + width / 2,
    width,
    midpointCensored: midpoint,
    shapeMidpointCensored: midpoint,
    timeToTarget: [],
  };
}

/**
 * A capability with a given window; resample midpoints spread by +-jitter (a uniform grid,
 * descending when `reverse`, so two capabilities' resamples can move apart or together).
 */
function capability(
  name: string,
  midpoint: number,
  width: number,
  jitter = 0.02,
  tokens = denseTokens,
  reverse = false,
) {
  const point = summary(midpoint, width);
  const replicates = Array.from({ length: 41 }, (_, k) =>
    summary(midpoint + jitter * ((reverse ? 40 - k : k) / 20 - 1), width),
  );
  const pos = (v: number) => ({ value: v, tokens: 10 ** v, lo: v - jitter, hi: v + jitter });
  const analysis = {
    status: 'crossed',
    metricName: 'accuracy',
    ceilingKind: 'defined',
    message: null,
    points: tokens.map((t, i) => ({ step: i, tokens: t, mean: 0, normalized: 0, se: 0 })),
    onset: pos(point.onset!),
    midpoint: pos(midpoint),
    saturation: pos(point.saturation!),
  } as unknown as CurveAnalysis;
  return { name, curve: { analysis, point, replicates } as CurveResult };
}

test('window overlap is the shared part over the shorter window', () => {
  const w = (onset: number, saturation: number) => ({ onset, midpoint: (onset + saturation) / 2, saturation });
  assert.equal(windowOverlap(w(0, 1), w(2, 3)), 0);
  assert.equal(windowOverlap(w(0, 1), w(0.5, 1.5)), 0.5);
  assert.equal(windowOverlap(w(0, 4), w(1, 2)), 1);
});

test('stages at overlap just under the threshold, overlapping waves just over it', () => {
  const width = 0.5;
  // equal windows: overlap = 1 - separation / width
  const sepFor = (overlap: number) => width * (1 - overlap);
  const under = decideVerdict(
    [capability('a', 5, width), capability('b', 5 + sepFor(STAGE_MAX_OVERLAP - 0.02), width)],
    'd',
  );
  assert.ok(sepFor(STAGE_MAX_OVERLAP - 0.02) >= MIN_SEPARATION_DECADES);
  assert.equal(under.verdict, 'stages', under.reason);
  const over = decideVerdict(
    [capability('a', 5, width), capability('b', 5 + sepFor(STAGE_MAX_OVERLAP + 0.02), width)],
    'd',
  );
  assert.equal(over.verdict, 'overlapping_waves', over.reason);
  assert.match(over.reason, /windows overlap 0\.22 > 0\.2/);
});

test('slurry when all midpoints lie within the spread threshold, whatever the windows', () => {
  const caps = [
    capability('a', 6, 0.1),
    capability('b', 6 + SLURRY_MAX_SPREAD_DECADES / 2, 0.1),
    capability('c', 6 + SLURRY_MAX_SPREAD_DECADES - 0.01, 0.1),
  ];
  const v = decideVerdict(caps, 'd');
  assert.equal(v.verdict, 'slurry', v.reason);
  assert.equal(v.bootstrapShares.slurry, 1);
  const wider = decideVerdict([capability('a', 6, 2), capability('b', 6 + SLURRY_MAX_SPREAD_DECADES + 0.05, 2)], 'd');
  assert.equal(wider.verdict, 'overlapping_waves');
});

test('no stages when the order is not resolved by the bootstrap or no checkpoint lies between', () => {
  const noisy = decideVerdict([capability('a', 5, 0.2, 0.6), capability('b', 5.5, 0.2, 0.6, denseTokens, true)], 'd');
  assert.equal(noisy.adjacent[0].orderResolved, false);
  assert.equal(noisy.verdict, 'overlapping_waves');
  assert.match(noisy.reason, /order not resolved by the bootstrap/);

  const sparse = [1e4, 1e5, 1e7, 1e8];
  const gap = decideVerdict([capability('a', 5.2, 0.2, 0.02, sparse), capability('b', 5.8, 0.2, 0.02, sparse)], 'd');
  assert.equal(gap.adjacent[0].checkpointBetween, false);
  assert.equal(gap.verdict, 'overlapping_waves');
});

test('capabilities are ordered by midpoint, not by input order; one fitted capability is undetermined', () => {
  const v = decideVerdict([capability('late', 8, 0.3), capability('early', 5, 0.3), capability('mid', 6.5, 0.3)], 'd');
  assert.deepEqual(
    v.order.map((o) => o.name),
    ['early', 'mid', 'late'],
  );
  assert.equal(v.verdict, 'stages');
  const one = decideVerdict([capability('only', 6, 0.5)], 'd');
  assert.equal(one.verdict, 'undetermined');
  assert.match(one.reason, /needs at least 2/);
});

test('a crossing without a defined ceiling, or whose interval reaches past the run, stays out of the verdict', () => {
  const a = capability('a', 5, 0.3);
  const b = capability('b', 6, 0.3);
  const c = capability('c', 7, 0.3);
  (b.curve.analysis as { ceilingKind: string }).ceilingKind = 'empirical';
  c.curve.analysis.midpoint = { ...c.curve.analysis.midpoint!, hi: null };
  const v = decideVerdict([a, b, c], 'd');
  assert.deepEqual(
    v.order.map((o) => o.name),
    ['a'],
  );
  assert.deepEqual(
    v.excluded.map((e) => [e.name, e.status]),
    [
      ['b', 'no_defined_ceiling'],
      ['c', 'crossing_unresolved'],
    ],
  );
  assert.match(v.excluded[0].reason, /no defined ceiling/);
  assert.match(v.excluded[1].reason, /interval of that crossing reaches past the last probed checkpoint/);
  assert.deepEqual(v.excluded[1].last, { tokens: denseTokens.at(-1), normalized: 0 });
  assert.equal(v.verdict, 'undetermined');
});
