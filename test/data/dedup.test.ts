import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  Deduplicator,
  DedupOptions,
  lshParams,
  minhashSignature,
  shingleHashes,
  signatureSimilarity,
} from '../../src/data/dedup.js';
import { hashInts, Rng } from '../../src/data/random.js';

const WORDS =
  'alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar papa quebec romeo sierra tango'.split(
    ' ',
  );

function randomDoc(rng: Rng, n: number): string[] {
  return Array.from({ length: n }, () => rng.pick(WORDS) + rng.int(0, 50));
}

test('exact duplicates are found regardless of case and whitespace', () => {
  const d = new Deduplicator(DedupOptions.parse({}));
  const doc = randomDoc(new Rng(1), 200).join(' ');
  assert.equal(d.offer(doc), null);
  assert.equal(d.offer(doc.toUpperCase().replace(/ /g, '  \n')), 'exact');
});

test('near duplicates above the threshold are found; distinct documents are kept', () => {
  const rng = new Rng(2);
  const d = new Deduplicator(DedupOptions.parse({ threshold: 0.7 }));
  const words = randomDoc(rng, 400);
  assert.equal(d.offer(words.join(' ')), null);
  const edited = [...words];
  for (let i = 0; i < 4; i++) edited[rng.int(0, edited.length - 1)] = 'changed';
  assert.equal(d.offer(edited.join(' ')), 'near');
  assert.equal(d.offer(randomDoc(rng, 400).join(' ')), null);
});

test('MinHash similarity estimates the Jaccard similarity of shingle sets', () => {
  const rng = new Rng(3);
  const salts = Uint32Array.from({ length: 256 }, (_, i) => hashInts(9, i));
  const a = randomDoc(rng, 600);
  const b = [...a.slice(0, 300), ...randomDoc(rng, 300)];
  const sa = shingleHashes(a.join(' '), 5);
  const sb = shingleHashes(b.join(' '), 5);
  const setA = new Set(sa);
  const inter = [...sb].filter((x) => setA.has(x)).length;
  const jaccard = inter / (sa.length + sb.length - inter);
  const est = signatureSimilarity(minhashSignature(sa, salts), minhashSignature(sb, salts));
  assert.ok(Math.abs(est - jaccard) < 0.1, `estimate ${est} vs true ${jaccard}`);
});

test('LSH parameters put the S-curve step near the threshold', () => {
  for (const threshold of [0.5, 0.7, 0.8, 0.9]) {
    const { bands, rows } = lshParams(threshold, 128);
    assert.ok(bands * rows <= 128);
    const p = (s: number) => 1 - (1 - s ** rows) ** bands;
    assert.ok(p(Math.min(1, threshold + 0.15)) > 0.8, `threshold ${threshold}: p above = ${p(threshold + 0.15)}`);
    assert.ok(p(Math.max(0, threshold - 0.25)) < 0.2, `threshold ${threshold}: p below = ${p(threshold - 0.25)}`);
  }
});

test('short texts (fewer words than a shingle) still get a signature', () => {
  assert.equal(shingleHashes('two words', 5).length, 1);
  assert.equal(shingleHashes('', 5).length, 1);
});
