/**
 * The trainer's view of a corpus built by `slurry data build` (src/data/corpus.ts): its
 * sources in manifest order, its tokenizer, the mixture sampler and the fixed validation
 * batches. The fingerprint is the manifest's hash, which covers every shard's hash.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { openCorpus, type Corpus } from '../data/corpus.js';
import type { Batch } from '../data/sampler.js';
import type { TrainingData } from './training-data.js';

export function openCorpusData(dir: string): TrainingData {
  return corpusTrainingData(openCorpus(dir));
}

export function corpusTrainingData(corpus: Corpus): TrainingData {
  corpus.sources.forEach((s, i) => {
    if (s.index !== i) throw new Error(`corpus ${corpus.dir}: source ${s.name} has index ${s.index} at position ${i}`);
  });
  const names = corpus.sources.map((s) => s.name);
  // One weights object, refilled each step (the sampler reads it by name).
  const weightsByName: Record<string, number> = Object.fromEntries(names.map((n) => [n, 0]));
  const validation = new Map<string, Map<number, Batch[]>>();
  return {
    dir: corpus.dir,
    sources: corpus.sources.map((s) => ({ name: s.name, kind: s.kind, tokens: s.trainTokens })),
    tokenizer: corpus.tokenizer,
    tokenizerJson: readFileSync(join(corpus.dir, corpus.manifest.tokenizer.file.path), 'utf8'),
    fingerprint: createHash('sha256')
      .update(readFileSync(join(corpus.dir, 'manifest.json')))
      .digest('hex'),
    batch(seed, k, weights, B, T, repeats = 0) {
      for (let i = 0; i < names.length; i++) weightsByName[names[i]] = weights[i];
      return corpus.batch({ seed, step: k, weights: weightsByName, batchSize: B, context: T, repeats });
    },
    validation(source, count, B, T) {
      const key = `${count}/${B}/${T}`;
      let bySource = validation.get(key);
      if (!bySource) {
        bySource = new Map();
        for (const { source: name, batch } of corpus.validationBatches({
          batchSize: B,
          context: T,
          batchesPerSource: count,
        })) {
          const i = names.indexOf(name);
          bySource.set(i, [...(bySource.get(i) ?? []), batch]);
        }
        validation.set(key, bySource);
      }
      return bySource.get(source) ?? [];
    },
  };
}
