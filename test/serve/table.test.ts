import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { RunState } from '../../src/serve/run-state.js';
import { encodeTables, Table } from '../../src/serve/table.js';
import { tempRoot } from './support.js';

test('a record becomes columns; nested objects flatten with /; a missing field is NaN', () => {
  const t = new Table();
  t.push({ type: 'train', step: 1, loss: 2, by: { a: 1 } }, 'type');
  t.push({ type: 'train', step: 2, by: { a: 3, b: 4 }, spectrum: [1, 2] }, 'type');
  assert.deepEqual([...t.columns.keys()], ['step', 'loss', 'by/a', 'by/b']);
  assert.deepEqual([...t.columns.get('loss')!.subarray(0, 2)], [2, NaN]);
  assert.deepEqual([...t.columns.get('by/b')!.subarray(0, 2)], [NaN, 4]);
  assert.deepEqual(t.arraysFrom(0), { spectrum: [null, [1, 2]] });
});

test('/api/metrics body: x axes as float64 (exact past 2^24), the rest float32, each column 8-byte aligned', () => {
  const t = new Table();
  const tokens = [2 ** 24 + 1, 2 ** 30 + 3, 2 ** 40 + 5];
  tokens.forEach((tok, i) => t.push({ step: i + 1, tokens: tok, loss: 1 / 3 + i }));
  const body = encodeTables(new Map([['train', t]]));
  const headLen = body.readUInt32LE(0);
  const header = JSON.parse(body.toString('utf8', 4, 4 + headLen));
  assert.deepEqual(header.tables[0].columns, ['step', 'tokens', 'loss']);
  assert.deepEqual(header.tables[0].bytes, [8, 8, 4]);
  const data = body.subarray(4 + headLen);
  const f64 = (off: number, n: number) => Array.from({ length: n }, (_, i) => data.readDoubleLE(off + 8 * i));
  assert.deepEqual(f64(24, 3), tokens);
  const loss = Array.from({ length: 3 }, (_, i) => data.readFloatLE(48 + 4 * i));
  assert.deepEqual(
    loss,
    [0, 1, 2].map((i) => Math.fround(1 / 3 + i)),
  );
  // 3 float32 values (12 bytes) padded to 16: the body ends on an 8-byte boundary.
  assert.equal(data.length, 48 + 16);
});

test('a poll with a byte limit reads a long log in slices to the same tables as one read', () => {
  const root = tempRoot();
  const dir = join(root, 'run');
  mkdirSync(dir);
  const lines = Array.from({ length: 500 }, (_, i) =>
    JSON.stringify({ type: 'train', step: i + 1, tokens: 64 * (i + 1), loss: 5 - i / 100 }),
  );
  writeFileSync(join(dir, 'metrics.jsonl'), lines.join('\n') + '\n');
  const whole = new RunState(dir, 'run');
  assert.equal(whole.poll().more, false);
  const sliced = new RunState(dir, 'run');
  let polls = 1;
  while (sliced.poll(Date.now(), 1000).more) polls++;
  assert.ok(polls > 10, `${polls} polls`);
  assert.deepEqual(sliced.metricsBody(), whole.metricsBody());
  // The encoded body is cached until rows arrive, then encoded again.
  assert.equal(whole.metricsBody(), whole.metricsBody());
  const before = whole.metricsBody();
  appendFileSync(join(dir, 'metrics.jsonl'), JSON.stringify({ type: 'train', step: 501, tokens: 1, loss: 1 }) + '\n');
  whole.poll();
  assert.notEqual(whole.metricsBody(), before);
  assert.equal(whole.tables.get('train')!.n, 501);
  rmSync(root, { recursive: true, force: true });
});
