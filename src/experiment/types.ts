/**
 * What an experiment is: a question from the seed conversation, a design (what varies, what
 * is held equal), the arms that realise it (each a training config over the scale's base,
 * on one of the experiment's corpora), and a pure `answer` that reads the measured runs and
 * says, in one sentence, what they show (see compare.ts for the honesty rule).
 *
 * The runner (runner.ts) trains every arm under every seed as sweep cells, so an experiment
 * module holds no I/O.
 */
import type { Analysis } from '../analysis/types.js';
import type { SampleRecord } from '../run/records.js';
import type { BuildConfig } from '../data/config.js';
import type { CorpusInfo } from '../sweep/plan.js';

/**
 * tiny: seconds, for tests (hidden from --help); quick: the one-command demo, each
 * experiment within about 30 minutes on 2 cores with 2 seeds; full: the presets' own budgets.
 */
export const SCALES = ['tiny', 'quick', 'full'] as const;
export type Scale = (typeof SCALES)[number];

type Json = Record<string, unknown>;

/** What an arm's config may depend on. */
export interface ArmContext {
  scale: Scale;
  seed: number;
  /** Sources (name, kind, training tokens) of the arm's corpus. */
  corpus: CorpusInfo;
  /** For an arm with `from`: the last checkpoint directory of that arm's cell at this seed. */
  fromCheckpoint: string | null;
}

export interface Arm {
  /** Short name: [a-z0-9-]+, shown in tables. */
  name: string;
  /** Which of the experiment's corpora it trains on (default: the first). */
  corpus?: string;
  /** Trains after this arm's cells (at the same seed) are done, from their last checkpoint. */
  from?: string;
  /** Training config keys over the scale's base (the seed is set by the runner). */
  config(ctx: ArmContext): Json;
}

export interface Design {
  varies: string;
  heldEqual: string;
  /** What is measured, and how it is read. */
  measure: string;
}

/** One trained, probed and analysed cell. */
export interface MeasuredRun {
  arm: string;
  seed: number;
  /** The run directory. */
  dir: string;
  analysis: Analysis;
  /** RUN/samples.jsonl (empty when the samples suite did not run). */
  samples: SampleRecord[];
}

/** A table the report prints: a header and rows of cells already formatted. */
export interface Table {
  title: string;
  header: string[];
  rows: string[][];
}

export interface Answer {
  /** The answer in one sentence (a few clauses at most): the report's first paragraph. */
  sentence: string;
  /** The numbers behind it. */
  tables: Table[];
  /** Structured findings for experiment.json. */
  findings: unknown;
}

export interface Experiment {
  name: string;
  question: string;
  design: Design;
  /** Corpus build configs by name, per scale; arms pick one (default: the first). */
  corpora(scale: Scale): Record<string, BuildConfig>;
  /** Training config every arm starts from (a preset name and/or keys), per scale. */
  base(scale: Scale): Json;
  arms(scale: Scale): Arm[];
  /** Probe suites (built-in names); empty: every built-in. */
  suites(scale: Scale): string[];
  /** Seeds when --seeds is not given. */
  defaultSeeds: number;
  /** Pure: the measured runs of every arm and seed in, the answer out. */
  answer(runs: readonly MeasuredRun[]): Answer;
}
