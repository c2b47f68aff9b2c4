/**
 * What a grokking run writes into RUN/metrics.jsonl (one JSON object per line) and
 * RUN/summary.json. "step s" means the parameters after s optimizer updates: step 0 is the
 * initialisation, and every measure of step s is taken on the same parameters.
 */

/** Every step: the training forward pass that the update of step s + 1 differentiates. */
export interface GrokTrainRecord {
  type: 'grok_train';
  step: number;
  train_loss: number; // mean cross-entropy over the training pairs (all p + 1 logits)
  train_acc: number; // share of training pairs whose argmax is the answer
  lr: number; // learning rate of the update that follows
  time: number; // seconds since the start (wall clock; not part of determinism)
}

/** At each evaluation step (log-spaced early, then every eval_every). */
export interface GrokEvalRecord {
  type: 'grok_eval';
  step: number;
  train_loss: number;
  train_acc: number;
  test_loss: number;
  test_acc: number;
  /** sqrt of the sum of squares of every parameter. */
  weight_norm: number;
  /** Share of the embedding's squared norm (residue rows) in each frequency k = 1..floor(p/2). */
  spectrum: number[];
  /** Gini coefficient of the per-frequency embedding norms. */
  gini: number;
  /** Frequencies holding at least 3x the mean power in the embedding now. */
  key_frequencies: number[];
  /** Share of the embedding's squared norm they hold. */
  key_share: number;
  /** Restricted / excluded loss with the current key frequencies (add and sub; else null). */
  restricted_loss: number | null;
  excluded_loss: number | null;
  time: number;
}

/**
 * Written after training for every checkpoint: the measures of Nanda et al., which use the
 * key frequencies of the FINAL model (unknown while training runs).
 */
export interface GrokProgressRecord {
  type: 'grok_progress';
  step: number;
  key_frequencies: number[]; // the final model's
  key_share: number; // share of this checkpoint's embedding norm in them
  /**
   * Share of the last MLP layer's variance over the p x p grid in their 2D Fourier terms
   * (neuron-fourier.ts); null for operations without the Fourier circuit.
   */
  neuron_key_share: number | null;
  restricted_loss: number | null;
  excluded_loss: number | null;
  train_loss: number;
  test_loss: number;
}

export type GrokRecord = GrokTrainRecord | GrokEvalRecord | GrokProgressRecord;

/** RUN/summary.json */
export interface GrokSummary {
  op: string;
  p: number;
  train_frac: number;
  weight_decay: number;
  seed: number;
  n_train: number;
  n_test: number;
  n_params: number;
  backend: string;
  threads: number;
  steps_done: number;
  stop_reason: string;
  /** First step with 100% training accuracy (exact: measured every step), or null. */
  memorised_step: number | null;
  /** First evaluation step with test accuracy >= 95% (resolution: the eval schedule), or null. */
  grokked_step: number | null;
  /** grokked_step / memorised_step. */
  ratio: number | null;
  wall_s_to_memorise: number | null;
  wall_s_to_grok: number | null;
  wall_s_total: number;
  /** Median seconds of one update (forward, backward, AdamW on the full training set). */
  step_s_median: number | null;
  final: { train_loss: number; train_acc: number; test_loss: number; test_acc: number; weight_norm: number };
  final_key_frequencies: number[];
}
