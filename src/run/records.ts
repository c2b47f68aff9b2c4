/**
 * The records slurry writes into a run directory, one JSON object per line. These types are
 * the contract between training, probes, analysis and report.
 */

/** A line of RUN/metrics.jsonl written after each optimizer step. */
export interface TrainRecord {
  type: 'train';
  step: number; // 1-based: the number of optimizer steps taken so far
  tokens: number; // training tokens seen after this step
  loss: number; // mean cross-entropy (nats/token) of this step's batch
  loss_by_source: Record<string, number>; // mean loss per source in this batch
  lr: number;
  grad_norm: number; // global L2 norm before clipping
  tokens_per_s: number;
  weights: Record<string, number>; // mixture weights used for this step's batch
  time: number; // seconds since the run started (wall clock, excluded from determinism)
}

/** A line of RUN/metrics.jsonl written at each validation. */
export interface ValRecord {
  type: 'val';
  step: number;
  tokens: number;
  loss: number; // mean over all validation tokens
  loss_by_source: Record<string, number>;
}

export type MetricsRecord = TrainRecord | ValRecord;

/** RUN/checkpoints/index.json */
export interface CheckpointIndex {
  checkpoints: CheckpointEntry[]; // sorted by step
}

export interface CheckpointEntry {
  step: number;
  tokens: number;
  dir: string; // relative to RUN/checkpoints, e.g. "step-0000128"
}

/**
 * One probe item's result. `d` is the discrete metric (1/0 for correct/incorrect, or exact
 * match), `c` the continuous one (log-prob margin, or probability/log-prob of the answer,
 * as the suite's `continuous` field names).
 */
export interface ProbeItemResult {
  id: string;
  group?: string; // paradigm, exposure bucket, digit count, ...
  d: number;
  c: number;
  /**
   * A control item, which the capability cannot be expected to learn (a fact never stated in
   * training): scored and charted with its group, left out of the capability's curve.
   */
  control?: boolean;
}

/** A line of RUN/probes.jsonl: one suite on one checkpoint. */
export interface ProbeRecord {
  step: number;
  tokens: number;
  suite: string; // 'tokens' | 'syntax' | 'facts' | 'reasoning' | 'icl' | external suite name
  discrete: string; // name of the discrete metric, e.g. 'accuracy'
  continuous: string; // name of the continuous metric, e.g. 'margin' or 'p_answer'
  /** Chance level of each metric (what a uniform or untrained model scores): the mean of the items' chance levels. */
  chance: { d: number; c: number };
  /**
   * Chance level per group, where items' chance levels differ (facts: the uniform model's score
   * on each item, which depends on the candidates; icl: induction accuracy vs. context
   * comparisons). Absent when all are equal.
   */
  chance_by_group?: Record<string, { d: number; c: number }>;
  /** Ceiling of each metric (a perfect model); null where the metric has none (a margin). */
  ceiling: { d: number; c: number | null };
  /** Summary metrics of the suite (means, per-group means, reference losses...). */
  metrics: Record<string, number>;
  items: ProbeItemResult[];
}

/** A line of RUN/samples.jsonl: fixed prompts continued by one checkpoint. */
export interface SampleRecord {
  step: number;
  tokens: number;
  samples: { prompt: string; greedy: string; sampled: string }[];
}

/**
 * A line of RUN/probe-failures.jsonl: a checkpoint (or one suite on it) that could not be
 * probed. Nothing is recorded in probes.jsonl for it, so `slurry probe RUN` probes it again.
 */
export interface ProbeFailureRecord {
  step: number;
  /** The suite that failed; absent when the checkpoint could not be probed at all. */
  suite?: string;
  message: string;
  /** When it failed (ISO 8601). */
  time: string;
}
