/**
 * Opening a built corpus: the one entry point for training, probes and tools.
 *
 *   const corpus = openCorpus('corpora/quick');          // validates, or a SlurryError naming the file
 *   corpus.sources                                       // [{ name, index, kind, ... }]
 *   corpus.tokenizer.encode('text'), .decode(ids), .vocabSize, .eotId
 *   corpus.batch({ seed, step, weights, batchSize, context })   // pure; see sampler.ts
 *   corpus.validationBatches({ batchSize, context, batchesPerSource })
 *   corpus.sentenceSeenInTraining('The dogs runs.')      // false unless that sentence is in training
 *   for (const text of corpus.documents('brown', 'train')) ...
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { SlurryError } from '../util/errors.js';
import { readJsonFile } from '../util/json.js';
import { type FileEntry, Manifest, type ShardEntry } from './manifest.js';
import { type BatchRequest, fixedBatches, type SampledBatch, sampleBatch, type SamplerShards } from './sampler.js';
import { type SentenceIndex, sentenceIndexFromBytes } from './sentence-index.js';
import { checkFileSize, readShard, sha256Hex } from './shards.js';
import type { SourceKind } from './sources/types.js';
import { BpeTokenizer, type Tokenizer } from './tokenizer/tokenizer.js';

export interface CorpusSource {
  name: string;
  /** The id used in batches' `sources` arrays. */
  index: number;
  kind: SourceKind;
  description: string;
  trainTokens: number;
  valTokens: number;
  /** Share of all training tokens. */
  tokenFraction: number;
}

export interface ValidationBatch {
  source: string;
  batch: SampledBatch;
}

export interface OpenOptions {
  /**
   * "hash" (default) checks every file's SHA-256 against the manifest (a fraction of a
   * second for these corpora); "size" checks only presence and byte lengths.
   */
  verify?: 'hash' | 'size';
}

export interface Corpus {
  readonly dir: string;
  readonly manifest: Manifest;
  readonly sources: readonly CorpusSource[];
  readonly tokenizer: Tokenizer;
  /** The source's index; a SlurryError naming `field` for an unknown name. */
  sourceIndex(name: string, field?: string): number;
  /** Training / validation token ids of a source (loaded on first use). */
  tokens(source: string, split: 'train' | 'val'): Uint16Array;
  /** Each source's share of training tokens: the "natural" mixture. */
  naturalWeights(): Record<string, number>;
  /** Batch `req.step` of the mixture (pure; a few milliseconds at most for B*T = 4096). */
  batch(req: BatchRequest): SampledBatch;
  /** Fixed batches from each source's validation split (every source with validation tokens). */
  validationBatches(opts: { batchSize: number; context: number; batchesPerSource: number }): ValidationBatch[];
  /** Whether `sentence` occurs as a sentence of the training text (see sentence-index.ts). */
  sentenceSeenInTraining(sentence: string): boolean;
  /** The decoded documents of a source's split, in shard order. */
  documents(source: string, split: 'train' | 'val'): Generator<string>;
  /** Recomputes every file's SHA-256 against the manifest; a SlurryError names the first mismatch. */
  verify(): void;
}

function readManifest(dir: string): Manifest {
  const file = join(dir, 'manifest.json');
  if (!existsSync(dir))
    throw new SlurryError(`${dir}: no such corpus directory (build one with \`slurry data build --out ${dir}\`)`);
  if (!existsSync(file))
    throw new SlurryError(`${file}: missing (not a corpus directory, or its build did not finish)`);
  return readJsonFile(file, Manifest);
}

function allFiles(m: Manifest): { entry: FileEntry; what: string }[] {
  return [
    { entry: m.tokenizer.file, what: 'tokenizer' },
    ...m.sources.flatMap((s) => [
      { entry: s.shards.train as FileEntry, what: 'shard' },
      { entry: s.shards.val as FileEntry, what: 'shard' },
    ]),
    ...m.files.map((entry) => ({ entry, what: 'file' })),
  ];
}

function checkHash(dir: string, entry: FileEntry): void {
  const file = join(dir, entry.path);
  const actual = sha256Hex(readFileSync(file));
  if (actual !== entry.sha256)
    throw new SlurryError(
      `${file}: SHA-256 ${actual} does not match the manifest's ${entry.sha256} (the file changed since the build; rebuild the corpus)`,
    );
}

export function openCorpus(dir: string, opts: OpenOptions = {}): Corpus {
  const manifest = readManifest(dir);
  const files = allFiles(manifest);
  for (const { entry, what } of files) checkFileSize(join(dir, entry.path), entry.bytes, what);
  for (const s of manifest.sources)
    for (const shard of [s.shards.train, s.shards.val])
      if (shard.bytes !== shard.tokens * 2)
        throw new SlurryError(
          `${join(dir, 'manifest.json')}: shard ${shard.path} records ${shard.bytes} bytes for ${shard.tokens} tokens`,
        );
  if ((opts.verify ?? 'hash') === 'hash') for (const { entry } of files) checkHash(dir, entry);

  const tokenizerFile = join(dir, manifest.tokenizer.file.path);
  const tokenizer = BpeTokenizer.fromHuggingFace(readJsonFile(tokenizerFile, z.unknown()), tokenizerFile);
  if (tokenizer.vocabSize !== manifest.tokenizer.vocab_size || tokenizer.eotId !== manifest.tokenizer.eot_id)
    throw new SlurryError(
      `${tokenizerFile}: vocabulary ${tokenizer.vocabSize} / end-of-text ${tokenizer.eotId} disagree with manifest.json`,
    );

  const sources: CorpusSource[] = manifest.sources.map((s) => ({
    name: s.name,
    index: s.index,
    kind: s.kind,
    description: s.description,
    trainTokens: s.tokens.train,
    valTokens: s.tokens.val,
    tokenFraction: s.token_fraction,
  }));
  const names = sources.map((s) => s.name);
  const loaded = new Map<string, Uint16Array>();
  const shardOf = (source: string, split: 'train' | 'val'): ShardEntry =>
    manifest.sources[corpus.sourceIndex(source)]!.shards[split];
  let samplerShards: SamplerShards | undefined;
  let sentenceIndex: SentenceIndex | undefined;

  const corpus: Corpus = {
    dir,
    manifest,
    sources,
    tokenizer,
    sourceIndex(name, field = 'source') {
      const i = names.indexOf(name);
      if (i < 0) throw new SlurryError(`field "${field}": unknown source "${name}"; sources are ${names.join(', ')}`);
      return i;
    },
    tokens(source, split) {
      const shard = shardOf(source, split);
      let t = loaded.get(shard.path);
      if (!t) {
        t = readShard(join(dir, shard.path), shard.tokens, tokenizer.vocabSize);
        loaded.set(shard.path, t);
      }
      return t;
    },
    naturalWeights() {
      return Object.fromEntries(sources.map((s) => [s.name, s.tokenFraction]));
    },
    batch(req) {
      samplerShards ??= { names, train: names.map((n) => corpus.tokens(n, 'train')) };
      return sampleBatch(samplerShards, req);
    },
    validationBatches({ batchSize, context, batchesPerSource }) {
      return sources
        .filter((s) => s.valTokens > 0)
        .flatMap((s) =>
          fixedBatches(corpus.tokens(s.name, 'val'), s.index, batchesPerSource, batchSize, context).map((batch) => ({
            source: s.name,
            batch,
          })),
        );
    },
    sentenceSeenInTraining(sentence) {
      if (!sentenceIndex) {
        const entry = manifest.files.find((f) => f.path === 'knowledge/sentences.bin');
        if (!entry) throw new SlurryError(`${join(dir, 'manifest.json')}: no knowledge/sentences.bin recorded`);
        sentenceIndex = sentenceIndexFromBytes(readFileSync(join(dir, entry.path)));
      }
      return sentenceIndex.has(sentence);
    },
    *documents(source, split) {
      const t = corpus.tokens(source, split);
      let start = 0;
      for (let i = 0; i < t.length; i++) {
        if (t[i] === tokenizer.eotId) {
          yield tokenizer.decode(t.subarray(start, i));
          start = i + 1;
        }
      }
      if (start < t.length) yield tokenizer.decode(t.subarray(start));
    },
    verify() {
      for (const { entry } of files) checkHash(dir, entry);
    },
  };
  return corpus;
}
