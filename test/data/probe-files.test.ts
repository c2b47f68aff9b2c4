import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ArithmeticProbe, readProbeItems } from '../../src/data/probe-files.js';
import { parseJsonlStrict as parseJsonl } from '../../src/util/jsonl.js';
import { SlurryError } from '../../src/util/errors.js';

const good = { id: 'add:1+2', digits: 1, carries: 0, a: 1, b: 2, prompt: '1 + 2 =', answer: ' 3' };

test('parseJsonl validates each line and names file:line and field', () => {
  const text = [JSON.stringify(good), '', JSON.stringify({ ...good, digits: 0 })].join('\n');
  assert.throws(
    () => parseJsonl(text, ArithmeticProbe, 'probes/arithmetic.jsonl'),
    (e: unknown) => e instanceof SlurryError && e.message.startsWith('probes/arithmetic.jsonl:3: field "digits"'),
  );
  assert.throws(() => parseJsonl('{not json', ArithmeticProbe, 'f.jsonl'), /f\.jsonl:1: not valid JSON/);
  assert.throws(
    () => parseJsonl(JSON.stringify({ ...good, extra: 1 }), ArithmeticProbe, 'f.jsonl'),
    /f\.jsonl:1: .*extra/,
  );
  assert.deepEqual(parseJsonl(JSON.stringify(good) + '\n', ArithmeticProbe, 'f'), [good]);
});

test('readProbeItems reads CORPUS/probes/NAME.jsonl and names a missing file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'slurry-probes-'));
  assert.throws(() => readProbeItems(dir, 'arithmetic'), /probes\/arithmetic\.jsonl: missing/);
  mkdirSync(join(dir, 'probes'));
  writeFileSync(join(dir, 'probes/arithmetic.jsonl'), JSON.stringify(good) + '\n');
  assert.deepEqual(readProbeItems(dir, 'arithmetic'), [good]);
});
