import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pairGroup, readItemFile, suiteNameOf } from '../../src/probes/items.js';
import { SlurryError } from '../../src/util/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'slurry-items-'));
const write = (name: string, rows: unknown[]) => {
  const file = join(dir, name);
  writeFileSync(file, rows.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n') + '\n');
  return file;
};

test('BLiMP rows load as they are (extra columns ignored); UID is the group, UID:pairID the id', () => {
  const file = write('anaphor_number_agreement.jsonl', [
    {
      sentence_good: 'Many girls insulted themselves.',
      sentence_bad: 'Many girls insulted herself.',
      field: 'morphology',
      linguistics_term: 'anaphor_agreement',
      UID: 'anaphor_number_agreement',
      simple_LM_method: true,
      one_prefix_method: false,
      pairID: '0',
    },
    { sentence_good: 'A dog runs.', sentence_bad: 'A dog run.' },
  ]);
  const f = readItemFile(file, 'refuse');
  assert.equal(f.kind, 'pairs');
  assert.deepEqual(f.kind === 'pairs' && f.ids, ['anaphor_number_agreement:0', 'pair:2']);
  assert.equal(f.kind === 'pairs' && pairGroup(f.items[0]), 'anaphor_number_agreement');
  assert.equal(f.kind === 'pairs' && pairGroup(f.items[1]), 'all');
  assert.equal(suiteNameOf(file), 'anaphor_number_agreement');
});

test('a malformed row is refused naming its line, or skipped and reported', () => {
  const file = write('bad.jsonl', [
    { sentence_good: 'A b.', sentence_bad: 'B a.' },
    '{"sentence_good": "x"',
    { sentence_good: 'C.', sentence_bad: '' },
    { sentence_good: 'D e.', sentence_bad: 'E d.' },
  ]);
  assert.throws(
    () => readItemFile(file, 'refuse'),
    (e: Error) => e instanceof SlurryError && /bad\.jsonl:2: not valid JSON/.test(e.message),
  );
  const f = readItemFile(file, 'skip');
  assert.equal(f.items.length, 2);
  assert.deepEqual(
    f.skipped.map((s) => s.line),
    [2, 3],
  );
  assert.match(f.skipped[1].message, /sentence_bad/);
});

test('cloze items: candidates must include the answer; ids must be unique', () => {
  const bad = write('c1.jsonl', [
    { id: 'q', group: 'g', prompt: 'The capital of France is', answer: ' Paris', candidates: [' Rome', ' Oslo'] },
  ]);
  assert.throws(
    () => readItemFile(bad, 'refuse'),
    /c1\.jsonl:1: field "candidates": candidates must include the answer/,
  );
  const dup = write('c2.jsonl', [
    { id: 'q', group: 'g', prompt: 'a', answer: ' b' },
    { id: 'q', group: 'g', prompt: 'c', answer: ' d' },
  ]);
  assert.throws(() => readItemFile(dup, 'refuse'), /item id "q" appears twice/);
  const ok = write('c3.jsonl', [{ id: 'q', group: 'g', prompt: 'a', answer: ' b', candidates: [' b', ' c'] }]);
  assert.equal(readItemFile(ok, 'refuse').kind, 'cloze');
});

test('a file of neither shape is refused', () => {
  assert.throws(
    () => readItemFile(write('x.jsonl', [{ text: 'hello' }]), 'refuse'),
    /expected JSONL rows with "sentence_good"/,
  );
  assert.throws(() => readItemFile(join(dir, 'none.jsonl'), 'refuse'), /no such suite file/);
});
