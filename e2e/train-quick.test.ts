/**
 * The quick preset end to end on the quick corpus: it must show real learning (validation
 * loss well below the untrained model's on every source). Minutes with the native backend;
 * hours on the reference backend, so it runs only where the native kernels load.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildCorpus } from '../src/data/build.js';
import { presetConfig } from '../src/data/config.js';
import { kernels } from '../src/engine/backend.js';
import type { ValRecord } from '../src/run/records.js';
import { trainPreset } from '../src/train/presets.js';
import { train } from '../src/train/trainer.js';
import { readMetrics } from '../test/train/support/runs.js';

const native = kernels().info().name === 'native';

test('the quick preset learns on the quick corpus', {
  skip: !native && 'needs the native backend (hours on the reference backend)',
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'slurry-e2e-quick-'));
  const corpus = join(dir, 'corpus');
  await buildCorpus({ config: presetConfig('quick'), out: corpus, progress: 'silent' });
  const run = join(dir, 'run');
  const started = performance.now();
  const result = await train({ ...trainPreset('quick'), corpus }, { out: run, log: () => {} });
  console.log(
    `# quick preset: ${result.steps} steps, ${result.tokens} tokens in ${((performance.now() - started) / 1000).toFixed(0)} s`,
  );
  const val = readMetrics(run).filter((r): r is ValRecord => r.type === 'val');
  const [first, last] = [val[0], val[val.length - 1]];
  console.log(
    `# validation loss ${first.loss.toFixed(3)} -> ${last.loss.toFixed(3)}: ${JSON.stringify(last.loss_by_source)}`,
  );
  assert.ok(last.loss < first.loss - 2, `validation loss fell by ${first.loss - last.loss}`);
  for (const [source, loss] of Object.entries(last.loss_by_source))
    assert.ok(loss < first.loss_by_source[source] - 1, `${source}: ${first.loss_by_source[source]} -> ${loss}`);
});
