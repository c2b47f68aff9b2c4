import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Analysis, CurveAnalysis } from '../../src/analysis/types.js';
import { groupLabel, meanInterval, summarizeSweep, tQuantile975, type CellInput } from '../../src/sweep/aggregate.js';

/** A curve with these normalised values at steps 0, 10, 20 (256 tokens per step), reaching 50% at `reach` tokens. */
function curve(values: number[], reach: number | null): CurveAnalysis {
  return {
    points: values.map((normalized, i) => ({ step: i * 10, tokens: i * 2560, mean: normalized, normalized, se: 0 })),
    timeToTarget: [
      {
        target: 0.5,
        status: reach === null ? 'not_reached' : 'reached',
        at: reach === null ? null : { value: Math.log10(reach), tokens: reach, lo: null, hi: null },
      },
    ],
  } as unknown as CurveAnalysis;
}

function cell(
  values: Record<string, unknown>,
  parameters: number,
  d: number[],
  c: number[],
  reach: number | null,
): CellInput {
  const analysis = {
    capabilities: [{ name: 'syntax', discrete: curve(d, reach), continuous: curve(c, null) }],
  } as unknown as Analysis;
  return { hash: JSON.stringify(values), values, parameters, analysis };
}

test('the 95% t interval: mean +- t(n-1) s / sqrt(n); none for one value', () => {
  assert.equal(tQuantile975(4), 2.776);
  assert.equal(tQuantile975(100), 1.96);
  const { mean, half } = meanInterval([1, 2, 3, 4, 5]);
  assert.equal(mean, 3);
  assert.ok(Math.abs(half! - 2.776 * Math.sqrt(2.5 / 5)) < 1e-12);
  assert.deepEqual(meanInterval([7]), { mean: 7, half: null });
});

test('cells differing only in seed form a group: curves averaged per checkpoint, compute 6 N D, tokens to target across seeds', () => {
  const cells = [
    cell({ seed: 0, 'model.n_embd': 16 }, 1000, [0, 0.2, 0.6], [0, 0.3, 0.7], 1000),
    cell({ seed: 1, 'model.n_embd': 16 }, 1000, [0, 0.4, 0.8], [0, 0.5, 0.9], 100_000),
    cell({ seed: 0, 'model.n_embd': 32 }, 4000, [0, 0.1, 0.2], [0, 0.2, 0.4], null),
    { hash: 'pending', values: { seed: 1, 'model.n_embd': 32 }, parameters: 4000, analysis: null },
  ];
  assert.equal(groupLabel({ seed: 3, 'data.seed': 1, 'model.n_embd': 16 }), 'model.n_embd=16');
  const s = summarizeSweep(cells);
  assert.deepEqual(s.groups, [
    { label: 'model.n_embd=16', parameters: 1000, cells: 2, done: 2 },
    { label: 'model.n_embd=32', parameters: 4000, cells: 2, done: 1 },
  ]);
  const at = s.curves.find((r) => r.group === 'model.n_embd=16' && r.metric === 'd' && r.step === 20)!;
  assert.ok(Math.abs(at.mean - 0.7) < 1e-12);
  assert.equal(at.compute, 6 * 1000 * 5120);
  assert.ok(Math.abs(at.hi! - at.mean - 12.706 * (0.1 / Math.sqrt(1))) < 1e-9, 'sd 0.1414, se 0.1, t(1)');
  const single = s.curves.find((r) => r.group === 'model.n_embd=32' && r.metric === 'c' && r.step === 20)!;
  assert.deepEqual([single.mean, single.lo, single.hi, single.seeds], [0.4, null, null, 1]);
  const t16 = s.targets.find((t) => t.group === 'model.n_embd=16' && t.metric === 'd')!;
  assert.ok(Math.abs(t16.tokens! - 10_000) < 1e-6, 'geometric mean of 1e3 and 1e5');
  assert.equal(t16.reached, 2);
  const t32 = s.targets.find((t) => t.group === 'model.n_embd=32' && t.metric === 'd')!;
  assert.deepEqual([t32.tokens, t32.reached, t32.seeds], [null, 0, 1]);
});
