/**
 * Nothing is made easier to measure: a corpus built with every source (the tiny fixture:
 * the same held-out logic as the presets, at a few hundred kilobytes) holds none of its
 * held-out probe texts in any training shard, decoded back to text. The same search finds
 * texts that are trained (facts in their training phrasing), so a pass means something.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { openCorpus, type Corpus } from '../../src/data/corpus.js';
import { findInTraining, heldOutTexts, scanForLeaks } from '../../src/data/leak-scan.js';
import { PROBE_FILES, readProbeItems } from '../../src/data/probe-files.js';
import { buildTinyCorpus } from './fixture.js';

let corpus: Corpus;
before(async () => {
  corpus = openCorpus(await buildTinyCorpus());
});

test('no held-out probe text (item, fact phrasing, any phrasing of a held-out composition) is in a training shard', () => {
  const scan = scanForLeaks(corpus);
  const heldOut = Object.entries(PROBE_FILES)
    .filter(([, f]) => f.heldOut)
    .map(([name]) => name);
  assert.deepEqual(Object.keys(scan.items).sort(), heldOut.sort());
  for (const name of heldOut) assert.ok(scan.items[name as keyof typeof scan.items]! > 0, `${name} has items`);
  const { texts } = heldOutTexts(corpus.dir);
  assert.equal(scan.texts, texts.length);
  for (const what of ['item', 'phrasing', 'composition'] as const)
    assert.ok(
      texts.some((t) => t.what === what),
      what,
    );
  // Every training shard was searched (runs of whitespace count as one character there).
  const trainChars = corpus.sources.reduce((n, s) => n + [...corpus.documents(s.name, 'train')].join('\n').length, 0);
  assert.ok(
    scan.characters <= trainChars && scan.characters > 0.95 * trainChars,
    `${scan.characters} of ${trainChars}`,
  );
  assert.deepEqual(scan.leaks.slice(0, 5), [], `${scan.leaks.length} held-out texts found in training`);
});

test('the search finds what is trained, ignoring case and spacing, and respects word and number boundaries', () => {
  // Frequent facts asked in a training phrasing were stated in training.
  const seen = readProbeItems(corpus.dir, 'facts_seen')
    .filter((p) => p.bucket === 'head')
    .slice(0, 30);
  assert.ok(seen.length >= 5, `${seen.length} head facts`);
  const texts = seen.map((p) => ({ text: (p.prompt + p.answer).toUpperCase().replace(/ /g, '  ') }));
  assert.equal(findInTraining(corpus, texts).found.length, seen.length);
  // An addition from training is found; the same sum without its leading digits is not.
  const line = [...corpus.documents('arithmetic', 'train')]
    .join('\n')
    .split('\n')
    .find((l) => /^\d\d+ \+ \d+ = \d+$/.test(l))!;
  assert.ok(line, 'a training addition with a two-digit first operand');
  assert.equal(findInTraining(corpus, [{ text: line }]).found.length, 1);
  assert.equal(
    findInTraining(corpus, [{ text: line.slice(1) }]).found.filter((f) => f.text === line.slice(1)).length,
    0,
    line.slice(1),
  );
});
