/**
 * A run of fresh (untrained) models at checkpoints 0, 5 and 10 over the probe corpus, for
 * `slurry interp` and what reads its records; and measure options small enough for tests.
 */
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openCorpus } from '../../../src/data/corpus.js';
import { DEFAULT_SAE, type MeasureOptions } from '../../../src/interp/measure.js';
import { saveModel } from '../../../src/model/checkpoint.js';
import { parseGPTConfig } from '../../../src/model/config.js';
import { GPT } from '../../../src/model/gpt.js';
import { checkpointDirName } from '../../../src/run/layout.js';
import { probeCorpus } from '../../probes/support/probe-corpus.js';

export const STEPS = [0, 5, 10];

export async function freshModelsRun(): Promise<{ run: string; corpus: string }> {
  const corpus = await probeCorpus();
  const vocabSize = openCorpus(corpus, { verify: 'size' }).tokenizer.vocabSize;
  const run = join(mkdtempSync(join(tmpdir(), 'slurry-interp-run-')), 'run');
  const config = parseGPTConfig({ vocab_size: vocabSize, n_layer: 2, n_head: 2, n_embd: 16, n_positions: 32 });
  for (const step of STEPS) {
    const dir = join(run, 'checkpoints', checkpointDirName(step));
    mkdirSync(dir, { recursive: true });
    saveModel(dir, GPT.init(config, step + 1), { slurry: { step, tokens: step * 100 } });
    copyFileSync(join(corpus, 'tokenizer.json'), join(dir, 'tokenizer.json'));
  }
  const index = { checkpoints: STEPS.map((step) => ({ step, tokens: step * 100, dir: checkpointDirName(step) })) };
  writeFileSync(join(run, 'checkpoints', 'index.json'), JSON.stringify(index));
  writeFileSync(join(run, 'config.json'), JSON.stringify({ corpus }));
  return { run, corpus };
}

export const interpOptions: MeasureOptions = {
  sae: { ...DEFAULT_SAE, latents: 64 },
  memoryLimit: 2 ** 30,
  headSequences: 8,
  ckaRows: 256,
  seed: 0,
};
