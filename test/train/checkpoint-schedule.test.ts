import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkpointSteps } from '../../src/train/checkpoint-schedule.js';

test('checkpoints are log-spaced then linear, with the last step', () => {
  assert.deepEqual(checkpointSteps(50, { logUntil: 16, every: 10 }), [0, 1, 2, 4, 8, 16, 20, 30, 40, 50]);
  assert.deepEqual(checkpointSteps(5, { logUntil: 512, every: 1000 }), [0, 1, 2, 4, 5]);
  assert.deepEqual(checkpointSteps(0, { logUntil: 512, every: 1000 }), [0]);
});
