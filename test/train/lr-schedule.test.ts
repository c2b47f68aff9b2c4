import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeLrSchedule } from '../../src/train/lr-schedule.js';

const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-12, `${a} vs ${b}`);

test('cosine warms up linearly, peaks, and ends at min_lr_ratio * lr', () => {
  const lr = makeLrSchedule({ lr: 1, steps: 110, schedule: { kind: 'cosine', warmup_steps: 10, min_lr_ratio: 0.1 } });
  close(lr(1), 0.1);
  close(lr(5), 0.5);
  close(lr(10), 1);
  close(lr(60), 0.55); // halfway through the cosine
  close(lr(110), 0.1);
  for (let s = 11; s <= 110; s++) assert.ok(lr(s) <= lr(s - 1), `non-increasing after warm-up at ${s}`);
});

test('constant stays at lr after the warm-up; no warm-up starts at lr', () => {
  const lr = makeLrSchedule({ lr: 2, steps: 50, schedule: { kind: 'constant', warmup_steps: 0 } });
  close(lr(1), 2);
  close(lr(50), 2);
});

test('warmup-stable-decay holds lr, then decays linearly over the last fraction', () => {
  const lr = makeLrSchedule({
    lr: 1,
    steps: 100,
    schedule: { kind: 'wsd', warmup_steps: 10, decay_fraction: 0.2, min_lr_ratio: 0 },
  });
  close(lr(10), 1);
  close(lr(80), 1);
  close(lr(90), 0.5);
  close(lr(100), 0);
});

test('an anneal phase decays linearly to zero from the rate where it starts', () => {
  const lr = makeLrSchedule({ lr: 1, steps: 100, schedule: { kind: 'constant', warmup_steps: 0 }, annealStart: 81 });
  close(lr(80), 1);
  assert.ok(lr(81) < 1 && lr(81) > 0.9);
  assert.ok(lr(100) > 0 && lr(100) < 0.05);
  for (let s = 82; s <= 100; s++) close(lr(s - 1) - lr(s), lr(81) - lr(82)); // linear
});
