/**
 * CORPUS/manifest.json: what a built corpus holds and how it was made. Its schema is the
 * contract `openCorpus` checks before anything reads a shard.
 *
 * Layout of a corpus directory:
 *   manifest.json                 this record
 *   tokenizer.json                Hugging Face tokenizers format (byte-level BPE)
 *   shards/SOURCE.train.bin       uint16 little-endian token ids, documents separated by
 *   shards/SOURCE.val.bin         end-of-text (nanoGPT's train.bin/val.bin layout, per source)
 *   probes/*.jsonl, knowledge/*   probe items and knowledge files (probe-files.ts)
 *   knowledge/sentences.bin       sorted hashes of the training text's sentences (sentence-index.ts)
 *
 * Everything except `build` is a pure function of the config and the pinned packages.
 */
import { isAbsolute } from 'node:path';
import { z } from 'zod';
import { BuildConfig } from './config.js';
import { SOURCE_KINDS } from './sources/types.js';

export const MANIFEST_FORMAT = 'slurry-corpus';
export const MANIFEST_VERSION = 1;

const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'expected a lowercase hex SHA-256');
const count = z.number().int().nonnegative();

export const FileEntry = z.strictObject({
  /** Path relative to the corpus directory, and inside it. */
  path: z
    .string()
    .min(1)
    .refine((p) => !isAbsolute(p) && !p.split(/[\\/]/).includes('..'), {
      message: 'expected a path inside the corpus directory (relative, without "..")',
    }),
  bytes: count,
  sha256,
});
export type FileEntry = z.infer<typeof FileEntry>;

export const ShardEntry = FileEntry.extend({ tokens: count, documents: count });
export type ShardEntry = z.infer<typeof ShardEntry>;

export const PackageEntry = z.strictObject({ name: z.string(), version: z.string(), license: z.string() });

export const SourceEntry = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9_]*$/),
  /** Position in sources[]; the id in batches' per-token source arrays. */
  index: count,
  kind: z.enum(SOURCE_KINDS),
  description: z.string(),
  filter: z.enum(['prose', 'code', 'generated']),
  dedup: z.boolean(),
  packages: z.array(PackageEntry),
  /** The licence or status of the text itself. */
  license_note: z.string(),
  /** Document counts after each stage. */
  documents: z.strictObject({
    extracted: count,
    sampled: count,
    filtered: count,
    deduplicated: count,
    train: count,
    val: count,
  }),
  /** UTF-8 bytes after each stage. */
  bytes: z.strictObject({ extracted: count, sampled: count, train: count, val: count }),
  /** Documents whose text normalisation changed something. */
  normalized: count,
  /** Documents removed by each quality rule. */
  filtered: z.record(z.string(), count),
  /** Documents removed as duplicates of an earlier document (any source). */
  duplicates: z.strictObject({ exact: count, near: count }),
  tokens: z.strictObject({ train: count, val: count }),
  /** This source's share of all training tokens. */
  token_fraction: z.number().min(0).max(1),
  shards: z.strictObject({ train: ShardEntry, val: ShardEntry }),
});
export type SourceEntry = z.infer<typeof SourceEntry>;

export const Manifest = z.strictObject({
  format: z.literal(MANIFEST_FORMAT),
  version: z.literal(MANIFEST_VERSION),
  config: BuildConfig,
  tokenizer: z.strictObject({
    file: FileEntry,
    vocab_size: z.number().int().min(257).max(65536),
    eot_id: count,
    eot: z.string(),
    /** Bytes of text the merges were learned on. */
    sample_bytes: count,
  }),
  shard_format: z.strictObject({
    dtype: z.literal('uint16'),
    endianness: z.literal('little'),
    /** Each document is followed by the end-of-text id. */
    separator: z.literal('eot'),
  }),
  sources: z.array(SourceEntry).min(1),
  totals: z.strictObject({ documents: count, bytes: count, train_tokens: count, val_tokens: count }),
  /** Probe items, knowledge files and the sentence index. */
  files: z.array(FileEntry),
  /** Facts per exposure bucket (from knowledge/facts.json), when the facts source is built. */
  exposure_buckets: z.record(z.string(), count).optional(),
  /** Injected near-duplicates (config.duplicates): copies written, and kept after deduplication. */
  duplicates: z.strictObject({ source: z.string(), passages: count, injected: count, kept: count }).optional(),
  build: z.strictObject({
    slurry_version: z.string(),
    node: z.string(),
    seconds: z.number().nonnegative(),
    /** Seconds per stage. */
    stages: z.record(z.string(), z.number().nonnegative()),
  }),
});
export type Manifest = z.infer<typeof Manifest>;
