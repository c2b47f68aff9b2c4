/**
 * What the trainer needs from a corpus, and nothing more: its sources, its tokenizer, a
 * sampler where batch k is a pure function of (data seed, k, weights, B, T), and fixed
 * validation batches per source. The corpus built by `slurry data build` provides it
 * (see corpus-data.ts); tests pass small synthetic corpora through the same interface.
 *
 * Because batch k depends on nothing but its arguments, the data position of a run is its
 * step number: a resumed run asks for the same batches an uninterrupted one would.
 */
import type { Batch } from '../data/sampler.js';
import type { Tokenizer } from '../data/tokenizer/tokenizer.js';

export interface SourceInfo {
  /** Short name used in mixtures and logs. */
  name: string;
  /** What the text is (books, code, facts...): mixtures may be written by kind. */
  kind: string;
  /** Training tokens in this source (its natural share of the corpus). */
  tokens: number;
}

export interface TrainingData {
  /** Where the corpus lives (for messages and the run's config). */
  readonly dir: string;
  readonly sources: readonly SourceInfo[];
  readonly tokenizer: Tokenizer;
  /** The Hugging Face tokenizer.json text, copied into every checkpoint. */
  readonly tokenizerJson: string;
  /** Identifies the corpus content (e.g. its manifest's hash): a resume refuses another. */
  readonly fingerprint: string;
  /**
   * Training batch k for mixture `weights` (one per source, summing to 1), with a fraction
   * `repeats` of rows repeating a span (data/sampler.ts; one fraction, or one per source
   * name): a pure function of its arguments.
   */
  batch(
    seed: number,
    k: number,
    weights: ArrayLike<number>,
    B: number,
    T: number,
    repeats?: number | Readonly<Record<string, number>>,
  ): Batch;
  /**
   * The fixed validation batches of source `source` (held-out text): `count` batches of
   * [B, T], the same for every call with the same arguments.
   */
  validation(source: number, count: number, B: number, T: number): Batch[];
}
