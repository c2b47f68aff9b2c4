import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  normalizeSentence,
  SentenceIndexBuilder,
  sentenceIndexBytes,
  sentenceIndexFromBytes,
  splitSentences,
} from '../../src/data/sentence-index.js';

test('sentences split at end punctuation and newlines; normalisation ignores case and punctuation', () => {
  assert.deepEqual(splitSentences('The dog ran. "Stop!" she said.\nNext line\n\n...'), [
    'The dog ran.',
    '"Stop!"',
    'she said.',
    'Next line',
  ]);
  assert.equal(normalizeSentence('  The DOG, ran!  '), 'the dog ran');
  assert.equal(normalizeSentence('Café — naïve'), 'café naïve');
});

test('the index finds added sentences, rejects others, and round-trips through bytes', () => {
  const b = new SentenceIndexBuilder();
  b.addText('The cat sat on the mat. The dog barked.');
  b.addText('The cat sat on the mat.');
  const sorted = b.finish();
  assert.equal(sorted.length, 2);
  const index = sentenceIndexFromBytes(sentenceIndexBytes(sorted));
  assert.ok(index.has('the cat sat on the mat'));
  assert.ok(index.has('The dog barked!'));
  assert.ok(!index.has('The dog barks.'));
  assert.ok(!index.has('The cat sat on the mat today.'));
  assert.ok(!index.has('...'));
});
