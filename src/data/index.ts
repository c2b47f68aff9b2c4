/**
 * slurry's corpus: the public surface for training, probes and tools.
 *
 * Training:
 *   const corpus = openCorpus(dir);                  // SlurryError naming the file if anything is off
 *   corpus.sources                                   // [{ name, index, kind, trainTokens, tokenFraction, ... }]
 *   corpus.tokenizer                                 // encode, decode, vocabSize, eotId
 *   corpus.batch({ seed, step, weights, batchSize, context })
 *     -> { inputs: Int32Array[B*T], targets: Int32Array[B*T], sources: Uint8Array[B*T], rows }
 *   corpus.validationBatches({ batchSize, context, batchesPerSource })
 *   corpus.naturalWeights()                          // each source's share of training tokens
 *
 * Probes:
 *   readProbeItems(dir, 'facts' | 'twohop' | 'arithmetic' | 'code')
 *   readFactRecords(dir), readLexicon(dir)
 *   corpus.sentenceSeenInTraining(sentence), corpus.documents(source, 'train')
 *
 * Building: buildCorpus({ config: presetConfig('quick'), out }) or `slurry data build`.
 */
export { buildCorpus, type BuildOptions } from './build.js';
export { type BuildConfig, presetConfig, PRESETS } from './config.js';
export { type Corpus, type CorpusSource, openCorpus, type OpenOptions, type ValidationBatch } from './corpus.js';
export type { Manifest, SourceEntry } from './manifest.js';
export {
  ArithmeticProbe,
  CodeProbe,
  EXPOSURE_BUCKETS,
  type ExposureBucket,
  FactProbe,
  FactRecord,
  Lexicon,
  type ProbeFileName,
  readFactRecords,
  readLexicon,
  readProbeItems,
  TwoHopProbe,
} from './probe-files.js';
export {
  type Batch,
  type BatchRequest,
  type BatchRow,
  mixtureProbabilities,
  type SampledBatch,
  sampleBatch,
} from './sampler.js';
export { SOURCE_KINDS, type SourceKind } from './sources/types.js';
export { EOT_TEXT, type Tokenizer } from './tokenizer/tokenizer.js';
