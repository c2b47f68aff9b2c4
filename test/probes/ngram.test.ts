import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NgramCounts } from '../../src/probes/ngram.js';
import { Rng } from '../../src/util/rng.js';

test('the unigram and bigram references are distributions, and the bigram one beats the unigram on bigram-structured text', () => {
  const V = 12;
  const rng = new Rng(1);
  // Text where each token is mostly followed by token + 1.
  const stream = [0];
  for (let i = 0; i < 5000; i++) stream.push(rng.next() < 0.8 ? (stream[stream.length - 1] + 1) % (V - 1) : rng.int(V));
  const counts = new NgramCounts(V);
  counts.add(stream.slice(0, 4000));
  let uni = 0;
  for (let w = 0; w < V; w++) uni += Math.exp(counts.unigramLogprob(w));
  assert.ok(Math.abs(uni - 1) < 1e-9);
  for (const u of [0, 5, V - 1]) {
    let bi = 0;
    for (let w = 0; w < V; w++) bi += Math.exp(counts.bigramLogprob(u, w));
    assert.ok(Math.abs(bi - 1) < 1e-9, `bigram after ${u} sums to ${bi}`);
  }
  const held = counts.windowLosses(stream.slice(4000));
  assert.ok(held.bigram < held.unigram - 0.5, `bigram ${held.bigram} vs unigram ${held.unigram}`);
  assert.ok(held.unigram < Math.log(V) + 0.05);
});
