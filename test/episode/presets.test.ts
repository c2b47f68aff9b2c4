import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PRESETS } from '../../src/data/config.js';
import { EPISODE_PRESETS } from '../../src/episode/presets.js';
import { parseTrainConfig } from '../../src/train/config.js';
import { trainPreset } from '../../src/train/presets.js';

test('episode presets: quick, full and long on growing compute; full and long train one wider model on the same shares', () => {
  const entries = Object.values(EPISODE_PRESETS);
  for (const e of entries) assert.ok((PRESETS as readonly string[]).includes(e.corpus), e.corpus);
  assert.equal(EPISODE_PRESETS.full.corpus, 'reference');
  const configs = entries.map((e) => parseTrainConfig(trainPreset(e.train), e.train));
  const [quick, wide] = [configs[0]!.model, configs[1]!.model];
  assert.deepEqual(configs[2]!.model, wide);
  assert.ok(wide.n_embd > quick.n_embd && wide.n_layer === quick.n_layer, 'the reference model is the wider one');
  assert.equal(configs[2]!.tokens, 4 * configs[1]!.tokens!);
  for (const c of configs) {
    assert.deepEqual(c.optimizer, configs[0]!.optimizer);
    assert.equal(c.data.repeats, configs[0]!.data.repeats);
    assert.equal(c.context, configs[0]!.context);
  }
  // The demo takes more, smaller steps; the reference keeps the batch it was measured with.
  assert.equal(configs[0]!.batch_size, 16);
  assert.equal(configs[1]!.batch_size, 32);
  assert.equal(configs[2]!.batch_size, 32);
  // The bigger corpora hold more natural text; their runs draw each kind as the quick corpus holds it.
  const [, full, long] = configs;
  assert.deepEqual(full!.data.schedule, long!.data.schedule);
  assert.equal(full!.data.schedule.kind, 'mix');
  const tokens = configs.map((c) => c.tokens!);
  assert.ok(tokens[0]! < tokens[1]! && tokens[1]! < tokens[2]!, `tokens ${tokens.join(' < ')}`);
});
