import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { z } from 'zod';
import { SlurryError } from '../../src/util/errors.js';
import { parseJson, readJsonFile } from '../../src/util/json.js';

const Doc = z.object({ a: z.number(), b: z.array(z.string()) });
const dir = mkdtempSync(join(tmpdir(), 'slurry-json-'));
const fails = (f: () => unknown, message: RegExp) =>
  assert.throws(f, (e: Error) => e instanceof SlurryError && message.test(e.message));

test('a valid file is read and validated', () => {
  const file = join(dir, 'ok.json');
  writeFileSync(file, '{"a": 1, "b": ["x"], "extra": true}');
  assert.deepEqual(readJsonFile(file, Doc), { a: 1, b: ['x'] });
});

test('a missing file, bad JSON and a bad field are each one error naming the file', () => {
  const missing = join(dir, 'none.json');
  fails(() => readJsonFile(missing, Doc), new RegExp(`^${missing}: no such file$`));
  const broken = join(dir, 'broken.json');
  writeFileSync(broken, '{"a": 1,');
  fails(() => readJsonFile(broken, Doc), new RegExp(`^${broken}: not valid JSON \\(`));
  const wrong = join(dir, 'wrong.json');
  writeFileSync(wrong, '{"a": 1, "b": [2]}');
  fails(() => readJsonFile(wrong, Doc), new RegExp(`^${wrong}: field "b\\[0\\]": `));
});

test('a hint ends every error about the file', () => {
  const broken = join(dir, 'hinted.json');
  writeFileSync(broken, 'nope');
  fails(() => readJsonFile(broken, Doc, 'rebuild it'), /not valid JSON .*; rebuild it$/);
  fails(() => readJsonFile(join(dir, 'gone.json'), Doc, 'rebuild it'), /gone\.json: no such file; rebuild it$/);
});

test('parseJson names where the text came from', () => {
  assert.deepEqual(parseJson('[1, 2]', '--model'), [1, 2]);
  fails(() => parseJson('{x', '--model'), /^--model: not valid JSON \(/);
});
