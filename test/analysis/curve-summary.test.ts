import assert from 'node:assert/strict';
import { test } from 'node:test';
import { percentileInterval, summarizeCurve, type CurveFrame } from '../../src/analysis/curve-summary.js';
import { logisticAt, logisticFitter } from '../../src/analysis/logistic.js';

const x = [-Infinity, ...Array.from({ length: 25 }, (_, i) => 4 + i * 0.175)]; // 4 .. 8.2
const frame = (noise = 0.01, ceilingDefined = true): CurveFrame => ({
  x,
  xFirst: 4,
  xLast: 8.2,
  ceilingDefined,
  noise,
  fit: logisticFitter(x),
});
const curve = (midpoint: number, width = 0.6, top = 1) =>
  x.map((v) => logisticAt({ floor: 0, ceiling: top, midpoint, slope: (2 * Math.log(9)) / width }, v));

test('a curve rising through half of its range inside the probed range: midpoint, onset and saturation', () => {
  const s = summarizeCurve(curve(6), frame());
  assert.equal(s.status, 'crossed');
  assert.ok(Math.abs(s.shapeMidpoint! - 6) < 1e-3);
  assert.ok(Math.abs(s.midpoint! - 6) < 1e-3);
  assert.ok(Math.abs(s.width! - 0.6) < 1e-3);
  assert.ok(Math.abs(s.onset! - 5.7) < 1e-3 && Math.abs(s.saturation! - 6.3) < 1e-3);
  // time to 50% of the ceiling = midpoint here (floor 0, ceiling 1)
  assert.ok(Math.abs(s.timeToTarget[1] - 6) < 1e-3);
});

test('a curve that never leaves chance is flat: no midpoint is invented', () => {
  const s = summarizeCurve(curve(6, 0.6, 0.04), frame());
  assert.equal(s.status, 'flat');
  assert.equal(s.midpoint, null);
  assert.equal(s.midpointCensored, Infinity);
  assert.ok(s.timeToTarget.every((t) => t === Infinity));
});

test('a rise smaller than the item noise is flat even when it passes 10%', () => {
  assert.equal(summarizeCurve(curve(6, 0.6, 0.2), frame(0.01)).status, 'still_rising');
  assert.equal(summarizeCurve(curve(6, 0.6, 0.2), frame(0.06)).status, 'flat');
});

test('learned before the first checkpoint after step 0: saturated at start', () => {
  const s = summarizeCurve(curve(3.5), frame());
  assert.equal(s.status, 'saturated_at_start');
  assert.equal(s.midpointCensored, -Infinity);
  assert.equal(s.timeToTarget[0], -Infinity);
});

test('without a step-0 anchor a curve already at its ceiling is saturated at start, not flat', () => {
  const xs = x.slice(1);
  const f: CurveFrame = { x: xs, xFirst: 4, xLast: 8.2, ceilingDefined: true, noise: 0.01, fit: logisticFitter(xs) };
  assert.equal(
    summarizeCurve(
      xs.map(() => 0.97),
      f,
    ).status,
    'saturated_at_start',
  );
  assert.equal(
    summarizeCurve(
      xs.map(() => 0.01),
      f,
    ).status,
    'flat',
  );
});

test('a curve still below half at the last checkpoint is still rising: no midpoint', () => {
  const s = summarizeCurve(curve(8.6, 1), frame());
  assert.equal(s.status, 'still_rising');
  assert.equal(s.midpoint, null);
  assert.equal(s.timeToTarget[3], Infinity);
});

test('a clean rise to 30% of the range: no midpoint, but its shape midpoint and window', () => {
  const s = summarizeCurve(curve(6, 0.6, 0.3), frame());
  assert.equal(s.status, 'still_rising');
  assert.equal(s.midpoint, null);
  assert.equal(s.midpointCensored, Infinity);
  assert.ok(Math.abs(s.shapeMidpoint! - 6) < 1e-2 && Math.abs(s.width! - 0.6) < 1e-2);
  assert.ok(Math.abs(s.lastLevel - 0.3) < 1e-3);
});

test('the midpoint is the crossing of half the range, not the middle of the rise', () => {
  // A rise from 0 to 0.8 crosses 0.5 where it is 5/8 done: logit(5/8) / slope after its middle.
  const s = summarizeCurve(curve(6, 0.6, 0.8), frame());
  const slope = (2 * Math.log(9)) / 0.6;
  assert.equal(s.status, 'crossed');
  assert.ok(Math.abs(s.midpoint! - (6 + Math.log(5 / 3) / slope)) < 1e-3, `midpoint ${s.midpoint}`);
  assert.ok(Math.abs(s.shapeMidpoint! - 6) < 1e-3);
  assert.ok(Math.abs(s.timeToTarget[1] - s.midpoint!) < 1e-12);
});

test('percentile intervals interpolate, and censored values open the interval', () => {
  const v = Array.from({ length: 101 }, (_, i) => i);
  const iv = percentileInterval(v, 0.9);
  assert.ok(Math.abs(iv.lo! - 5) < 1e-9 && Math.abs(iv.hi! - 95) < 1e-9, JSON.stringify(iv));
  const censored = percentileInterval([...v.slice(0, 90), ...Array(11).fill(Infinity)], 0.9);
  assert.ok(Math.abs(censored.lo! - 5) < 1e-9);
  assert.equal(censored.hi, null);
  const low = [...Array(10).fill(-Infinity), ...v.slice(10)];
  assert.equal(percentileInterval(low, 0.9).lo, null);
});
