import assert from 'node:assert/strict';
import { test } from 'node:test';
import { capabilityItems, meanCurve, suiteMatrix } from '../../src/analysis/curves.js';
import type { ProbeRecord } from '../../src/run/records.js';

/** A facts-like record: head items learned over training, unseen (control) items at chance. */
function record(step: number, learned: number): ProbeRecord {
  const items = [
    ...Array.from({ length: 4 }, (_, i) => ({ id: `head-${i}`, group: 'head', d: i < learned ? 1 : 0, c: 0.1 })),
    ...Array.from({ length: 4 }, (_, i) => ({ id: `unseen-${i}`, group: 'unseen', d: 0, c: 0.1, control: true })),
  ];
  return {
    step,
    tokens: step * 100,
    suite: 'facts',
    discrete: 'accuracy',
    continuous: 'p_answer',
    chance: { d: 0.15, c: 0.1 },
    chance_by_group: { head: { d: 0.1, c: 0.1 }, unseen: { d: 0.2, c: 0.1 } },
    ceiling: { d: 1, c: 1 },
    metrics: {},
    items,
  };
}

test('control items stay in the suite (for its groups) but out of the capability, whose chance follows its groups', () => {
  const m = suiteMatrix([record(0, 0), record(10, 2), record(20, 4)]);
  assert.equal(m.ids.length, 8);
  assert.deepEqual(m.control, [false, false, false, false, true, true, true, true]);
  const cap = capabilityItems(m);
  assert.deepEqual(cap.ids, ['head-0', 'head-1', 'head-2', 'head-3']);
  assert.deepEqual(cap.chance, { d: 0.1, c: 0.1 });
  assert.deepEqual([...meanCurve(cap, 'd').mean], [0, 0.5, 1]);
  assert.deepEqual([...meanCurve(m, 'd').mean], [0, 0.25, 0.5]);
});

test('a suite without controls is its own capability', () => {
  const r = record(5, 1);
  r.items = r.items.filter((i) => !('control' in i));
  const m = suiteMatrix([r]);
  assert.equal(capabilityItems(m), m);
});
