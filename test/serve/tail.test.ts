import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { JsonlTail } from '../../src/serve/tail.js';

test('a JSONL tail reads only new whole lines, holds a partial last line, restarts on truncation', () => {
  const dir = mkdtempSync(join(tmpdir(), 'slurry-tail-'));
  const file = join(dir, 'metrics.jsonl');
  const tail = new JsonlTail(file, 'metrics.jsonl');
  assert.deepEqual(tail.read().values, []); // no file yet
  writeFileSync(file, '{"a":1}\n{"a":2}\n{"a":');
  assert.deepEqual(tail.read().values, [{ a: 1 }, { a: 2 }]);
  assert.match(tail.tornTail() ?? '', /metrics\.jsonl:3: the last line is incomplete/);
  appendFileSync(file, '3}\nnot json\n');
  const r = tail.read();
  assert.deepEqual(r.values, [{ a: 3 }]);
  assert.deepEqual(
    r.errors.map((e) => e.split(':').slice(0, 2).join(':')),
    ['metrics.jsonl:4'],
  );
  assert.equal(tail.tornTail(), null);
  writeFileSync(file, '{"b":1}\n');
  const again = tail.read();
  assert.equal(again.reset, true);
  assert.deepEqual(again.values, [{ b: 1 }]);
  rmSync(dir, { recursive: true, force: true });
});
