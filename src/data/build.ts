/**
 * `slurry data build`: sources -> extract -> sample -> normalise and filter -> dedup ->
 * split -> tokenizer -> shards, probes, knowledge files, sentence index -> manifest.
 *
 * The corpus is written into a temporary sibling directory and renamed into place at the
 * end, so a failed or interrupted build never leaves a half-written corpus at the output
 * path (a stale temporary directory from a killed build is removed by the next build).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { SlurryError } from '../util/errors.js';
import { writeFileAtomic } from '../util/fs.js';
import { startProgress, type ProgressMode } from '../util/progress.js';
import { normalizeText, qualityRejection, FILTER_RULES } from './clean.js';
import type { BuildConfig } from './config.js';
import { Deduplicator } from './dedup.js';
import { memorisationProbes, planDuplicates, type DuplicateOptions } from './duplicates.js';
import { countExposure } from './knowledge/exposure.js';
import { loadKnowledgeBase, type KnowledgeBase } from './knowledge/kb.js';
import {
  type FileEntry,
  MANIFEST_FORMAT,
  MANIFEST_VERSION,
  type Manifest,
  type ShardEntry,
  type SourceEntry,
} from './manifest.js';
import { packageInfo } from './packages.js';
import { FactRecord, KNOWLEDGE_FILES, Lexicon, type MemorisationProbe, PROBE_FILES } from './probe-files.js';
import { Rng } from './random.js';
import { SentenceIndex, SentenceIndexBuilder, sentenceIndexBytes } from './sentence-index.js';
import { sha256Hex, shardBytes, TokenBuffer } from './shards.js';
import { SOURCES } from './sources/index.js';
import type { Artifact, Document, Source, SourceContext } from './sources/types.js';
import { splitDocuments } from './split.js';
import { trainBpe } from './tokenizer/bpe-train.js';
import { pretokenize } from './tokenizer/pretokenize.js';
import { BpeTokenizer, EOT_TEXT } from './tokenizer/tokenizer.js';
import { parseWith } from '../util/schema.js';
import { onInterrupt } from '../util/interrupt.js';

export interface BuildOptions {
  config: BuildConfig;
  /** The corpus directory to create. */
  out: string;
  /** Replace an existing corpus at `out`. */
  force?: boolean;
  progress?: ProgressMode;
  /** Receives one line per stage summary (the CLI prints them to stderr). */
  log?: (line: string) => void;
  /** The source registry to draw from (default: sources/index.ts); tests pass their own. */
  registry?: readonly Source<any>[];
}

interface SourceState {
  source: Source<unknown>;
  options: unknown;
  entry: Omit<SourceEntry, 'tokens' | 'token_fraction' | 'shards'>;
  docs: Document[];
  train: Document[];
  val: Document[];
}

const SLURRY_VERSION = (
  JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/** Stage yields let a signal handler run (and remove the temporary directory). */
const yieldToEventLoop = () => new Promise<void>((r) => setImmediate(r));

function utf8Bytes(docs: readonly Document[]): number {
  let n = 0;
  for (const d of docs) n += Buffer.byteLength(d.text);
  return n;
}

/**
 * A seeded sample of whole documents of at most `maxBytes` (documents visited in a seeded
 * order, each taken if it still fits), in their original order. Never empty: if no
 * document fits, the smallest is taken.
 */
export function sampleToBudget<D extends { text: string }>(docs: readonly D[], maxBytes: number, rng: Rng): D[] {
  const sizes = docs.map((d) => Buffer.byteLength(d.text));
  const keep = new Set<number>();
  let bytes = 0;
  for (const i of rng.shuffle(docs.map((_, i) => i))) {
    if (bytes + sizes[i]! > maxBytes) continue;
    keep.add(i);
    bytes += sizes[i]!;
  }
  if (keep.size === 0 && docs.length > 0) keep.add(sizes.indexOf(Math.min(...sizes)));
  return docs.filter((_, i) => keep.has(i));
}

function resolveSources(config: BuildConfig, registry: readonly Source<any>[]): SourceState[] {
  const known = new Set(registry.map((s) => s.name));
  for (const name of Object.keys(config.sources))
    if (!known.has(name))
      throw new SlurryError(
        `build config: field "sources.${name}": unknown source; known sources: ${[...known].join(', ')}`,
      );
  const chosen = registry.filter((s) => s.name in config.sources);
  if (chosen.length === 0) throw new SlurryError('build config: field "sources": no sources to build');
  if (config.duplicates) {
    const copied = chosen.find((s) => s.name === config.duplicates!.source);
    if (!copied)
      throw new SlurryError(
        `build config: field "duplicates.source": "${config.duplicates.source}" is not a source of this corpus (${chosen.map((s) => s.name).join(', ')})`,
      );
    if (!copied.dedup)
      throw new SlurryError(
        `build config: field "duplicates.source": "${copied.name}" is generated and never deduplicated; choose a natural-text source`,
      );
  }
  if (chosen.length > 255)
    throw new SlurryError('build config: field "sources": at most 255 sources (source ids are uint8)');
  return chosen.map((source, index) => {
    const { maxBytes: _maxBytes, ...rest } = config.sources[source.name]!;
    const options = parseWith(source.options, rest, `build config: sources.${source.name}`);
    const packages = [...new Set(source.packages)].map(packageInfo);
    return {
      source,
      options,
      docs: [],
      train: [],
      val: [],
      entry: {
        name: source.name,
        index,
        kind: source.kind,
        description: source.description,
        filter: source.filter,
        dedup: source.dedup,
        packages,
        license_note: source.licenseNote,
        documents: { extracted: 0, sampled: 0, filtered: 0, deduplicated: 0, train: 0, val: 0 },
        bytes: { extracted: 0, sampled: 0, train: 0, val: 0 },
        normalized: 0,
        filtered: Object.fromEntries(FILTER_RULES[source.filter].map((r) => [r, 0])),
        duplicates: { exact: 0, near: 0 },
      },
    };
  });
}

/** The BPE training sample: each source contributes in proportion to its training bytes. */
function tokenizerSample(states: readonly SourceState[], sampleBytes: number, seed: number): string[] {
  const total = states.reduce((n, s) => n + s.entry.bytes.train, 0);
  const texts: string[] = [];
  for (const s of states) {
    const budget = Math.ceil((sampleBytes * s.entry.bytes.train) / Math.max(1, total));
    for (const d of sampleToBudget(s.train, budget, Rng.derive(seed, `tokenizer/${s.source.name}`))) texts.push(d.text);
  }
  return texts;
}

function artifactBytes(a: Artifact): Uint8Array {
  const text =
    'jsonl' in a.content
      ? a.content.jsonl.map((r) => JSON.stringify(r)).join('\n') + '\n'
      : JSON.stringify(a.content.json, null, 1) + '\n';
  return Buffer.from(text);
}

/** Schema of a file a source writes, by path (every artifact must have one). */
function artifactSchema(path: string): z.ZodType {
  for (const p of Object.values(PROBE_FILES)) if (p.path === path) return z.array(p.schema);
  if (path === KNOWLEDGE_FILES.facts) return z.array(FactRecord);
  if (path === KNOWLEDGE_FILES.lexicon) return Lexicon;
  throw new Error(`no schema for artifact ${path}`);
}

/**
 * Removes probe items whose full text (prompt + answer, or a pair's good sentence) occurs
 * as a training sentence — possible only by coincidence with natural text (a short sum like
 * "3 4 7" in a code line, a common sentence in two Brown samples); the count is reported.
 */
function dropSeenItems(a: Artifact, index: SentenceIndex): { artifact: Artifact; removed: number } {
  const heldOut = Object.values(PROBE_FILES).some((p) => p.path === a.path && p.heldOut);
  if (!heldOut || !('jsonl' in a.content)) return { artifact: a, removed: 0 };
  const kept = a.content.jsonl.filter((r) => {
    const item = r as { prompt?: unknown; answer?: unknown; sentence_good?: unknown };
    if (typeof item.sentence_good === 'string') return !index.has(item.sentence_good);
    return !(
      typeof item.prompt === 'string' &&
      typeof item.answer === 'string' &&
      index.has(item.prompt + item.answer)
    );
  });
  return { artifact: { path: a.path, content: { jsonl: kept } }, removed: a.content.jsonl.length - kept.length };
}

/** Removes temporary directories of earlier builds of `out` whose process is gone. */
function removeStaleTemps(out: string): void {
  const dir = dirname(out);
  if (!existsSync(dir)) return;
  const prefix = `.${basename(out)}.building-`;
  for (const name of readdirSync(dir)) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(name.slice(prefix.length));
    let alive = false;
    try {
      process.kill(pid, 0);
      alive = true;
    } catch {
      alive = false;
    }
    if (!alive) rmSync(join(dir, name), { recursive: true, force: true });
  }
}

/**
 * Adds the near copies of `opts.passages` passages to the source's training split, each
 * offered to the deduplicator first (`offer`: the duplicate kind, or null to keep it).
 */
function injectDuplicates(
  s: SourceState,
  opts: DuplicateOptions,
  rng: Rng,
  offer: (text: string) => 'exact' | 'near' | null,
): { probes: MemorisationProbe[]; summary: NonNullable<Manifest['duplicates']> } {
  const plan = planDuplicates(s.train, opts, rng);
  const kept = new Array<number>(opts.passages).fill(0);
  for (const { passage, ...copy } of plan.copies) {
    const dup = offer(copy.text);
    if (dup) s.entry.duplicates[dup]++;
    else {
      kept[passage]++;
      s.train.push(copy);
    }
  }
  s.entry.documents.train = s.train.length;
  s.entry.bytes.train = utf8Bytes(s.train);
  const summary = {
    source: opts.source,
    passages: opts.passages,
    injected: plan.copies.length,
    kept: kept.reduce((a, b) => a + b, 0),
  };
  return { probes: memorisationProbes(plan, kept), summary };
}

export async function buildCorpus(opts: BuildOptions): Promise<Manifest> {
  const out = resolve(opts.out);
  if (existsSync(out) && !opts.force)
    throw new SlurryError(`${out}: already exists; choose another --out or pass --force to replace it`);
  removeStaleTemps(out);
  mkdirSync(dirname(out), { recursive: true });
  const tmp = join(dirname(out), `.${basename(out)}.building-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const cleanup = () => rmSync(tmp, { recursive: true, force: true });
  const unregister = onInterrupt(cleanup);
  try {
    const manifest = await buildInto(tmp, opts);
    if (existsSync(out)) {
      const old = join(dirname(out), `.${basename(out)}.replaced-${process.pid}`);
      renameSync(out, old);
      renameSync(tmp, out);
      rmSync(old, { recursive: true, force: true });
    } else renameSync(tmp, out);
    return manifest;
  } catch (err) {
    cleanup();
    throw err;
  } finally {
    unregister();
  }
}

async function buildInto(dir: string, opts: BuildOptions): Promise<Manifest> {
  const { config } = opts;
  const log = opts.log ?? (() => {});
  const progressMode = opts.progress ?? 'auto';
  const started = performance.now();
  const stages: Record<string, number> = {};
  let stageStart = performance.now();
  const endStage = (name: string) => {
    const now = performance.now();
    stages[name] = Number(((now - stageStart) / 1000).toFixed(3));
    stageStart = now;
  };

  let kb: KnowledgeBase | undefined;
  const ctx: SourceContext = { seed: config.seed, knowledge: () => (kb ??= loadKnowledgeBase(config.knowledge)) };
  const states = resolveSources(config, opts.registry ?? SOURCES);

  // Extract and sample.
  const extract = startProgress('extract', { total: states.length, unit: 'sources', mode: progressMode });
  for (const s of states) {
    const docs = s.source.documents(s.options, ctx);
    const ids = new Set<string>();
    for (const d of docs) {
      if (ids.has(d.id)) throw new Error(`source ${s.source.name}: duplicate document id "${d.id}"`);
      ids.add(d.id);
    }
    s.entry.documents.extracted = docs.length;
    s.entry.bytes.extracted = utf8Bytes(docs);
    const maxBytes = config.sources[s.source.name]!.maxBytes;
    s.docs =
      maxBytes === undefined
        ? docs
        : sampleToBudget(docs, maxBytes, Rng.derive(config.seed, `sample/${s.source.name}`));
    s.entry.documents.sampled = s.docs.length;
    s.entry.bytes.sampled = utf8Bytes(s.docs);
    extract.advance();
    await yieldToEventLoop();
  }
  extract.done();
  endStage('extract');

  // Normalise and filter.
  const filter = startProgress('clean', {
    total: states.reduce((n, s) => n + s.docs.length, 0),
    unit: 'docs',
    mode: progressMode,
  });
  for (const s of states) {
    const kept: Document[] = [];
    for (const d of s.docs) {
      const text = normalizeText(d.text);
      if (text !== d.text) s.entry.normalized++;
      const rule = config.filters.enabled ? qualityRejection(text, s.source.filter, config.filters) : null;
      if (rule) s.entry.filtered[rule] = (s.entry.filtered[rule] ?? 0) + 1;
      else kept.push({ ...d, text });
      filter.advance();
    }
    s.docs = kept;
    s.entry.documents.filtered = kept.length;
    await yieldToEventLoop();
  }
  filter.done();
  endStage('clean');

  // Deduplicate across sources, in source order.
  const deduplicated = (s: SourceState) => s.source.dedup && config.dedup.enabled;
  const dedupCount = states.filter(deduplicated).reduce((n, s) => n + s.docs.length, 0);
  const dedup = startProgress('dedup', { total: dedupCount, unit: 'docs', mode: progressMode });
  const deduplicator = new Deduplicator(config.dedup);
  for (const s of states) {
    if (deduplicated(s)) {
      s.docs = s.docs.filter((d) => {
        const dup = deduplicator.offer(d.text);
        if (dup) s.entry.duplicates[dup]++;
        dedup.advance();
        return dup === null;
      });
    }
    s.entry.documents.deduplicated = s.docs.length;
    await yieldToEventLoop();
  }
  dedup.done();
  endStage('dedup');

  // Split.
  for (const s of states) {
    const { train, val } = splitDocuments(s.docs, s.source.name, config.valFraction, config.seed);
    if (train.length === 0)
      throw new SlurryError(`source ${s.source.name}: no documents left for training after filtering and dedup`);
    s.train = train;
    s.val = val;
    s.entry.documents.train = train.length;
    s.entry.documents.val = val.length;
    s.entry.bytes.train = utf8Bytes(train);
    s.entry.bytes.val = utf8Bytes(val);
  }
  endStage('split');

  // Tokenizer.
  const vocabSize = config.tokenizer.vocabSize === 'byte' ? 257 : config.tokenizer.vocabSize;
  const sample = tokenizerSample(states, config.tokenizer.sampleBytes, config.seed);
  const sampleBytes = sample.reduce((n, t) => n + Buffer.byteLength(t), 0);
  const pieces = new Map<string, number>();
  if (vocabSize > 257) for (const t of sample) for (const p of pretokenize(t)) pieces.set(p, (pieces.get(p) ?? 0) + 1);
  const merging = startProgress('tokenizer', { total: vocabSize - 1, unit: 'tokens', mode: progressMode });
  const model = trainBpe(pieces, { tokens: vocabSize - 1, onMerge: (n) => merging.update(n) });
  const tokenizer = new BpeTokenizer(model);
  merging.done(`vocabulary ${tokenizer.vocabSize} (sample ${(sampleBytes / 1e6).toFixed(1)} MB)`);
  if (tokenizer.vocabSize < vocabSize)
    log(
      `note: the tokenizer sample had too few distinct pairs; vocabulary is ${tokenizer.vocabSize}, not ${vocabSize}`,
    );
  const tokenizerText = JSON.stringify(tokenizer.toHuggingFace());
  writeFileAtomic(join(dir, 'tokenizer.json'), tokenizerText);
  endStage('tokenizer');
  await yieldToEventLoop();

  // Injected near-duplicates, after the tokenizer so that it is the same with or without them.
  let injected: ReturnType<typeof injectDuplicates> | null = null;
  if (config.duplicates) {
    const s = states.find((x) => x.source.name === config.duplicates!.source)!;
    injected = injectDuplicates(s, config.duplicates, Rng.derive(config.seed, 'duplicates'), (text) =>
      deduplicated(s) ? deduplicator.offer(text) : null,
    );
    const d = injected.summary;
    log(
      `duplicates: ${d.injected} near copies of ${d.passages} ${d.source} passages, ${d.kept} kept after deduplication`,
    );
    endStage('duplicates');
  }

  // Encode into shards.
  const totalBytes = states.reduce((n, s) => n + s.entry.bytes.train + s.entry.bytes.val, 0);
  const encoding = startProgress('encode', { total: totalBytes, unit: 'MB', scale: 1e6, mode: progressMode });
  const shards = new Map<string, { train: ShardEntry; val: ShardEntry }>();
  for (const s of states) {
    const write = (split: 'train' | 'val', docs: readonly Document[]): ShardEntry => {
      const buf = new TokenBuffer();
      for (const d of docs) {
        tokenizer.encodeInto(d.text, buf);
        buf.push(tokenizer.eotId);
        encoding.advance(Buffer.byteLength(d.text));
      }
      const bytes = shardBytes(buf.view());
      const path = `shards/${s.source.name}.${split}.bin`;
      writeFileAtomic(join(dir, path), bytes);
      return { path, bytes: bytes.byteLength, sha256: sha256Hex(bytes), tokens: buf.length, documents: docs.length };
    };
    shards.set(s.source.name, { train: write('train', s.train), val: write('val', s.val) });
    await yieldToEventLoop();
  }
  encoding.done();
  endStage('encode');

  // Sentence index, then probe items and knowledge files.
  const sentences = new SentenceIndexBuilder();
  for (const s of states) for (const d of s.train) sentences.addText(d.text);
  const sorted = sentences.finish();
  const index = new SentenceIndex(sorted);
  const files: FileEntry[] = [];
  const writeFile = (path: string, bytes: Uint8Array) => {
    writeFileAtomic(join(dir, path), bytes);
    files.push({ path, bytes: bytes.byteLength, sha256: sha256Hex(bytes) });
  };
  writeFile('knowledge/sentences.bin', sentenceIndexBytes(sorted));
  const exposure = countExposure(states.flatMap((s) => s.train));
  let buckets: Record<string, number> | undefined;
  for (const s of states) {
    for (const raw of s.source.artifacts?.(s.options, { ...ctx, train: s.train, exposure }) ?? []) {
      const { artifact, removed } = dropSeenItems(raw, index);
      const value = 'jsonl' in artifact.content ? artifact.content.jsonl : artifact.content.json;
      parseWith(artifactSchema(artifact.path), value, `artifact ${artifact.path}`);
      if (removed > 0) log(`${artifact.path}: ${removed} items left out (their text occurs in training)`);
      writeFile(artifact.path, artifactBytes(artifact));
      if (artifact.path === KNOWLEDGE_FILES.facts) {
        buckets = {};
        for (const f of value as FactRecord[]) buckets[f.bucket] = (buckets[f.bucket] ?? 0) + 1;
      }
    }
  }
  if (injected) {
    const artifact: Artifact = { path: PROBE_FILES.memorisation.path, content: { jsonl: injected.probes } };
    parseWith(artifactSchema(artifact.path), injected.probes, `artifact ${artifact.path}`);
    writeFile(artifact.path, artifactBytes(artifact));
  }
  endStage('artifacts');

  // Manifest.
  const trainTokens = [...shards.values()].reduce((n, s) => n + s.train.tokens, 0);
  const sources: SourceEntry[] = states.map((s) => {
    const sh = shards.get(s.source.name)!;
    return {
      ...s.entry,
      tokens: { train: sh.train.tokens, val: sh.val.tokens },
      token_fraction: trainTokens > 0 ? sh.train.tokens / trainTokens : 0,
      shards: sh,
    };
  });
  const tokenizerBytes = Buffer.from(tokenizerText);
  const manifest: Manifest = {
    format: MANIFEST_FORMAT,
    version: MANIFEST_VERSION,
    config,
    tokenizer: {
      file: { path: 'tokenizer.json', bytes: tokenizerBytes.byteLength, sha256: sha256Hex(tokenizerBytes) },
      vocab_size: tokenizer.vocabSize,
      eot_id: tokenizer.eotId,
      eot: EOT_TEXT,
      sample_bytes: sampleBytes,
    },
    shard_format: { dtype: 'uint16', endianness: 'little', separator: 'eot' },
    sources,
    totals: {
      documents: sources.reduce((n, s) => n + s.documents.train + s.documents.val, 0),
      bytes: sources.reduce((n, s) => n + s.bytes.train + s.bytes.val, 0),
      train_tokens: trainTokens,
      val_tokens: sources.reduce((n, s) => n + s.tokens.val, 0),
    },
    files,
    ...(buckets ? { exposure_buckets: buckets } : {}),
    ...(injected ? { duplicates: injected.summary } : {}),
    build: {
      slurry_version: SLURRY_VERSION,
      node: process.version,
      seconds: Number(((performance.now() - started) / 1000).toFixed(3)),
      stages,
    },
  };
  writeFileAtomic(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  log(
    `corpus: ${sources.length} sources, ${(manifest.totals.bytes / 1e6).toFixed(2)} MB, ${manifest.totals.train_tokens.toLocaleString('en-US')} train tokens, ` +
      `vocabulary ${tokenizer.vocabSize}, ${manifest.build.seconds.toFixed(1)}s`,
  );
  return manifest;
}
