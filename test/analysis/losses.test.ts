import assert from 'node:assert/strict';
import { test } from 'node:test';
import { binLoss, halfDropTokens, referenceLosses } from '../../src/analysis/losses.js';
import type { ProbeRecord } from '../../src/run/records.js';
import { Rng } from '../../src/util/rng.js';

test('binLoss pools steps per log-token bin, skips 0 tokens, and estimates noise locally', () => {
  const rng = new Rng(2);
  const series = Array.from({ length: 5000 }, (_, i) => ({ tokens: i * 1000, loss: 3 + 0.1 * rng.normal() }));
  const bins = binLoss(series);
  assert.equal(
    bins.reduce((s, b) => s + b.n, 0),
    4999,
  );
  for (let i = 1; i < bins.length; i++) assert.ok(bins[i].tokens > bins[i - 1].tokens);
  const last = bins[bins.length - 1];
  // noise 0.1 per step: se = 0.1/sqrt(n) within a factor of ~1.3
  const ratio = last.se / (0.1 / Math.sqrt(last.n));
  assert.ok(ratio > 0.75 && ratio < 1.3, `se ratio ${ratio}`);
});

test('halfDropTokens interpolates in log tokens and says null when there is no drop', () => {
  const s = [
    { tokens: 0, loss: 10 },
    { tokens: 1000, loss: 8 },
    { tokens: 100000, loss: 4 },
    { tokens: 1e6, loss: 2 },
  ];
  // half of 10 -> 2 is 6: between 1e3 (8) and 1e5 (4), halfway in log -> 1e4
  assert.ok(Math.abs(halfDropTokens(s)! - 1e4) < 1e-6);
  assert.equal(
    halfDropTokens([
      { tokens: 1, loss: 2 },
      { tokens: 10, loss: 3 },
    ]),
    null,
  );
});

test('reference losses come from the tokens probe metrics, not the gap shares beside them', () => {
  const metrics = { unigram_loss: 6.1, bigram_loss: 4.8, unigram_gap_closed: 0.9, bigram_gap_closed: 0.7, loss: 5 };
  const rec = { step: 5, tokens: 50, suite: 'tokens', metrics } as unknown as ProbeRecord;
  assert.deepEqual(referenceLosses([rec]), [
    { name: 'unigram_loss', loss: 6.1 },
    { name: 'bigram_loss', loss: 4.8 },
  ]);
});
