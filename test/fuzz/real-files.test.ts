/**
 * The mutation fuzzer over real files: a checkpoint written by a real training run and a
 * corpus built by the real pipeline, each file in turn corrupted (bytes flipped, cut short,
 * grown, replaced) in a scratch copy, then read by every reader that meets it in use:
 * verification, the unverified Hugging Face style load, the training state, the optimizer
 * state, resume's search for the newest good checkpoint, the corpus with size-only and full
 * verification, its shards, tokenizer and probe files. Each reader returns or refuses with
 * the one-line SlurryError naming the file; nothing else, within memory. The mutations come
 * from fast-check (support.ts), seeded and replayable with SLURRY_FUZZ_SEED.
 */
import assert from 'node:assert/strict';
import { cpSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import fc from 'fast-check';
import { openCorpus } from '../../src/data/corpus.js';
import { PROBE_FILES, readProbeItems, type ProbeFileName } from '../../src/data/probe-files.js';
import { loadModel } from '../../src/model/checkpoint.js';
import { listCheckpointSteps, verifyCheckpoint } from '../../src/run/checkpoint.js';
import { checkpointDir } from '../../src/run/layout.js';
import {
  newestGoodCheckpoint,
  readCheckpointModel,
  readTrainingState,
  restoreOptimizer,
} from '../../src/train/checkpoint-io.js';
import { parseTrainConfig } from '../../src/train/config.js';
import { makeOptimizer } from '../../src/train/optimizer.js';
import { train } from '../../src/train/trainer.js';
import { miniCorpus } from '../train/support/mini-corpus.js';
import { quiet, tinyConfig } from '../train/support/runs.js';
import { fuzz, fuzzDir, loadsOrRefuses, mutatedBytes } from './support.js';

/** Every regular file under `dir`, relative to it. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => statSync(join(dir, f)).isFile())
    .sort();
}

/** A mutated copy of one of `dir`'s files (named relative to `dir`), with its original bytes. */
function mutation(dir: string, files: readonly string[]): fc.Arbitrary<{ file: string; bytes: Uint8Array }> {
  return fc
    .constantFrom(...files)
    .chain((file) => mutatedBytes(readFileSync(join(dir, file))).map((bytes) => ({ file, bytes })));
}

/** Writes `bytes` over `file` in `dir`, runs `body` (told whether the bytes changed), then puts the original back. */
function withMutation(dir: string, file: string, bytes: Uint8Array, body: (changed: boolean) => void): void {
  const path = join(dir, file);
  const original = readFileSync(path);
  writeFileSync(path, bytes);
  try {
    body(!original.equals(bytes));
  } finally {
    writeFileSync(path, original);
  }
}

const corpusReady = miniCorpus();

test('a real checkpoint, mutated file by file: every reader loads it or refuses it in one line', async (t) => {
  const corpus = await corpusReady;
  const root = fuzzDir('checkpoint');
  const run = join(root, 'run');
  const config = { ...tinyConfig, corpus, steps: 4, checkpoints: { log_until: 4, every: 4 } };
  await train(config, { out: run, log: quiet });
  const steps = listCheckpointSteps(run);
  const dir = checkpointDir(run, steps.at(-1)!);
  const files = filesUnder(dir);
  assert.ok(files.includes('model.safetensors') && files.includes('state.json') && files.includes('manifest.json'));
  const optimizerConfig = parseTrainConfig(config, 'the fuzz run').optimizer;
  let refused = 0;
  let loaded = 0;

  fuzz(
    t,
    fc.property(mutation(dir, files), ({ file, bytes }) => {
      withMutation(dir, file, bytes, (changed) => {
        const verified = loadsOrRefuses(() => readCheckpointModel(dir), dir, bytes.length);
        // A changed file fails verification (the manifest itself may change in ways that do not matter).
        if (changed && file !== 'manifest.json') assert.ok(verified.error, `${file} changed and still verified`);
        verified.error ? refused++ : loaded++;
        loadsOrRefuses(() => verifyCheckpoint(dir), dir, bytes.length);
        // Readers that run without the manifest (a Hugging Face directory has none).
        const model = loadsOrRefuses(() => loadModel(dir), dir, bytes.length).value;
        loadsOrRefuses(() => readTrainingState(dir), dir, bytes.length);
        if (model)
          loadsOrRefuses(() => restoreOptimizer(dir, makeOptimizer(model, optimizerConfig)), dir, bytes.length);
        // Resume's search passes over a bad checkpoint to an older one, naming why.
        const { good, skipped } = newestGoodCheckpoint(run, steps);
        if (verified.error) {
          assert.notEqual(good?.dir, dir);
          assert.ok(skipped.some((s) => s.reason.includes(dir)));
        }
      });
    }),
  );
  t.diagnostic(`checkpoint files: ${files.join(', ')}; refused ${refused}, loaded ${loaded}`);
  assert.ok(refused > 0);
});

test('a real corpus, mutated file by file: opening it, its shards, tokenizer and probe files load or refuse in one line', async (t) => {
  const built = await corpusReady;
  const dir = join(fuzzDir('corpus'), 'corpus');
  cpSync(built, dir, { recursive: true });
  const files = filesUnder(dir);
  const probeFiles = (Object.keys(PROBE_FILES) as ProbeFileName[]).filter((p) =>
    existsSync(join(dir, PROBE_FILES[p].path)),
  );
  assert.ok(probeFiles.length >= 2, 'the mini corpus has probe files');
  let refused = 0;

  fuzz(
    t,
    fc.property(mutation(dir, files), ({ file, bytes }) => {
      withMutation(dir, file, bytes, (changed) => {
        const full = loadsOrRefuses(() => openCorpus(dir), dir, bytes.length);
        if (changed && file !== 'manifest.json') assert.ok(full.error, `${file} changed and the corpus still verified`);
        if (full.error) refused++;
        // Size-only verification (sweep planning) lets equal-length corruption through to the readers.
        const corpus = loadsOrRefuses(() => openCorpus(dir, { verify: 'size' }), dir, bytes.length).value;
        if (corpus) {
          for (const s of corpus.sources)
            for (const split of ['train', 'val'] as const)
              loadsOrRefuses(() => corpus.tokens(s.name, split), dir, bytes.length);
          loadsOrRefuses(() => corpus.tokenizer.decode(corpus.tokenizer.encode('The whale, 12 + 7 = 19.')), dir, 0);
        }
        for (const p of probeFiles) loadsOrRefuses(() => readProbeItems(dir, p), dir, bytes.length);
      });
    }),
  );
  t.diagnostic(`corpus files: ${files.length}; refused ${refused}`);
  assert.ok(refused > 0);
});
