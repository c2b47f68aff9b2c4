import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startProgress } from '../../src/util/progress.js';

test('update with a note shows it after the counts until a new note replaces it (training shows step and loss)', () => {
  let t = 0;
  const chunks: string[] = [];
  const p = startProgress('train', {
    total: 1000,
    unit: 'tok',
    mode: 'lines',
    stream: { write: (s: string) => chunks.push(s) },
    now: () => t,
    intervalMs: 1000,
  });
  t = 1000;
  p.update(100, 'step 1/10  loss 7.600');
  t = 2000;
  p.update(200);
  t = 3000;
  p.update(300, 'step 3/10  loss 6.100');
  assert.match(chunks[0], /^train: 10% 100\/1,000 tok {2}step 1\/10 {2}loss 7\.600 {2}100 tok\/s {2}ETA 9\.0s\n$/);
  assert.match(chunks[1], /200\/1,000 tok {2}step 1\/10 {2}loss 7\.600/);
  assert.match(chunks[2], /300\/1,000 tok {2}step 3\/10 {2}loss 6\.100/);
});
