import assert from 'node:assert/strict';
import { test } from 'node:test';
import { splitDocuments } from '../../src/data/split.js';

const docs = Array.from({ length: 2000 }, (_, i) => ({ id: `doc-${i}` }));

test('the split is deterministic, near the fraction, and independent of the other documents', () => {
  const a = splitDocuments(docs, 'brown', 0.05, 1);
  assert.deepEqual(splitDocuments(docs, 'brown', 0.05, 1), a);
  assert.ok(a.val.length > 60 && a.val.length < 140, `${a.val.length} validation documents`);
  assert.equal(a.train.length + a.val.length, docs.length);
  const half = splitDocuments(docs.slice(0, 1000), 'brown', 0.05, 1);
  assert.deepEqual(
    half.val,
    a.val.filter((d) => Number(d.id.slice(4)) < 1000),
  );
  assert.notDeepEqual(splitDocuments(docs, 'brown', 0.05, 2).val, a.val);
  assert.notDeepEqual(splitDocuments(docs, 'sotu', 0.05, 1).val, a.val);
});

test('two or more documents always give both splits; one document goes to training', () => {
  for (let n = 2; n < 12; n++) {
    const s = splitDocuments(docs.slice(0, n), 'x', 0.01, 3);
    assert.ok(s.train.length >= 1 && s.val.length >= 1, `n=${n}`);
  }
  assert.deepEqual(splitDocuments(docs.slice(0, 1), 'x', 0.01, 3), { train: docs.slice(0, 1), val: [] });
  const most = splitDocuments(docs.slice(0, 5), 'x', 0.49, 3);
  assert.ok(most.train.length >= 1);
});
