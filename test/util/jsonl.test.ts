import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { z } from 'zod';
import { appendJsonl, parseJsonl, repairTornTail } from '../../src/util/jsonl.js';
import { SlurryError } from '../../src/util/errors.js';

const Row = z.strictObject({ a: z.number() });
const text = '{"a":1}\n\n{"a":"x"}\nnot json\n{"a":4}\n';

test('a bad row is refused with file:line and the field', () => {
  assert.throws(
    () => parseJsonl(text, Row, 'f.jsonl', 'refuse'),
    (e: Error) => e instanceof SlurryError && /^f\.jsonl:3: field "a": /.test(e.message),
  );
});

test('bad rows are skipped with their line numbers', () => {
  const r = parseJsonl(text, Row, 'f.jsonl', 'skip');
  assert.deepEqual(
    r.rows.map((x) => [x.line, x.value.a]),
    [
      [1, 1],
      [5, 4],
    ],
  );
  assert.deepEqual(
    r.skipped.map((s) => s.line),
    [3, 4],
  );
  assert.match(r.skipped[1].message, /not valid JSON/);
});

test('a torn last line is cut off, whole lines are kept, appends land on a clean line', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'slurry-jsonl-')), 'log.jsonl');
  appendJsonl(file, [{ a: 1 }, { a: 2 }]);
  assert.equal(repairTornTail(file), null);
  appendFileSync(file, '{"a":3, "b": [1,');
  assert.equal(repairTornTail(file), '{"a":3, "b": [1,');
  appendJsonl(file, [{ a: 4 }]);
  assert.deepEqual(
    readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).a),
    [1, 2, 4],
  );
  writeFileSync(file, '');
  assert.equal(repairTornTail(file), null);
});
