import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MixtureBandit } from '../../src/train/bandit.js';

const opts = (reward: 'loss' | 'loss_reduction', temperature: number) => ({
  prior: Float64Array.from([1 / 3, 1 / 3, 1 / 3]),
  reward,
  smoothing: 0.9,
  temperature,
  minWeight: 0.02,
});

test('before any reward the weights are the prior', () => {
  const w = new MixtureBandit(opts('loss_reduction', 0.02)).weights(new Float64Array(3));
  for (const x of w) assert.ok(Math.abs(x - 1 / 3) < 1e-12);
});

test('loss_reduction favours the source whose loss is falling; the floor keeps the others', () => {
  const bandit = new MixtureBandit(opts('loss_reduction', 0.02));
  for (let t = 0; t < 200; t++) bandit.observe(Float64Array.from([3 - 0.005 * t, 3, 3 + 0.01 * Math.sin(t)]));
  const w = bandit.weights(new Float64Array(3));
  assert.ok(w[0] > 0.9, `falling source gets most weight: ${w}`);
  assert.ok(w[1] >= 0.02 && w[2] >= 0.02);
  assert.ok(Math.abs(w.reduce((a, b) => a + b, 0) - 1) < 1e-12);
});

test('loss (ODM) favours the source with the highest loss; absent sources keep their estimate', () => {
  const bandit = new MixtureBandit(opts('loss', 1));
  for (let t = 0; t < 50; t++) bandit.observe(Float64Array.from([2, 5, NaN]));
  const w = bandit.weights(new Float64Array(3));
  assert.ok(w[1] > w[0] && w[1] > w[2], `${w}`);
});

test('the state round-trips exactly', () => {
  const a = new MixtureBandit(opts('loss_reduction', 0.02));
  for (let t = 0; t < 30; t++) a.observe(Float64Array.from([3 / (t + 1), 2 + Math.cos(t), 1]));
  const b = new MixtureBandit(opts('loss_reduction', 0.02), JSON.parse(JSON.stringify(a.state())));
  a.observe(Float64Array.from([1, 2, 3]));
  b.observe(Float64Array.from([1, 2, 3]));
  assert.deepEqual(a.weights(new Float64Array(3)), b.weights(new Float64Array(3)));
});
