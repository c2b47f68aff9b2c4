/**
 * What `slurry interp` writes into a run directory (paths in layout.ts):
 *
 *   RUN/interp.jsonl            one InterpRecord per checkpoint (append-only, like probes.jsonl)
 *   RUN/interp/across.json      InterpAcross: what depends on the whole set of checkpoints
 *                               (CKA to the final checkpoint, SAE feature births); rewritten
 *                               whenever a checkpoint is added
 *   RUN/interp/sample.json      the fixed held-out tokens and labels every checkpoint is measured on
 *   RUN/interp/acts/step-N.safetensors   residual-stream rows of that checkpoint (the CKA rows)
 *   RUN/interp/sae/step-N.safetensors    the checkpoint's SAE (encoder, decoder, biases)
 *
 * Layers are numbered by how many blocks the residual stream has passed: layer 0 is the
 * embedding (blocks.0.hook_resid_pre), layer l the output of block l - 1.
 * The schemas below are the contract: the dashboard and `slurry analyze` read through them.
 */
import { z } from 'zod';

const num = z.number();
const count = z.number().int().nonnegative();
const perLayer = z.array(num);

/** A linear probe family (POS tags or token source) at every layer, on held-out windows. */
export const interpProbeSchema = z.object({
  classes: z.array(z.string()),
  train_rows: count,
  test_rows: count,
  /** Accuracy of always answering the most frequent training label (task, control). */
  majority: z.object({ task: num, control: num }),
  accuracy: perLayer,
  control_accuracy: perLayer,
  /**
   * 'control': accuracy - control_accuracy (Hewitt and Liang 2019; POS, whose labels are a
   * function of the word). 'embedding': accuracy - accuracy at layer 0 (sources, which
   * depend on context: what a layer knows beyond the token's embedding; a control task per
   * type is memorised from the embedding better than a contextual label and would read
   * negative for a fresh model).
   */
  selectivity_basis: z.enum(['control', 'embedding']),
  selectivity: perLayer,
  /** Per held-out window: rows, and hits of the task and control probes per layer (bootstrap items). */
  items: z.array(z.object({ id: z.string(), n: count, hits: z.array(count), control_hits: z.array(count) })),
});

const headScore = z.object({
  /** Uniform causal attention's score on the same queries. */
  chance: num,
  /** [layer][head] mean over sequences. */
  mean: z.array(z.array(num)),
  /** [layer][head][sequence]: the bootstrap items. */
  items: z.array(z.array(z.array(num))),
});

const selectivitySummary = z.object({
  mean: num,
  mean_shuffled: num,
  selective: num,
  dead: num,
  top: z.array(z.object({ neuron: count, si: num, class: z.string() })),
});

export const interpRecordSchema = z.object({
  step: count,
  tokens: z.number().nonnegative(),
  /** Residual hook of each probed layer (layer 0 = embeddings). */
  layers: z.array(z.string()),
  probes: z.object({ pos: interpProbeSchema.nullable(), source: interpProbeSchema }),
  /** Linear CKA of each layer with the same layer at the previous measured checkpoint. */
  cka_prev: z.object({ step: count, layers: perLayer }).nullable(),
  heads: z.object({
    sequences: count,
    length: count,
    previous_token: headScore,
    duplicate_token: headScore,
    prefix_matching: headScore,
  }),
  /** Mean loss early in natural-text windows minus late (Olsson et al. 2022), per window as items. */
  icl: z.object({
    score: num,
    early: z.tuple([count, count]),
    late: z.tuple([count, count]),
    items: z.array(z.object({ id: z.string(), c: num })),
  }),
  /** Class selectivity index of MLP neurons (mlp.hook_post) per layer, for POS tags and sources. */
  neurons: z.object({
    index: z.literal('class_selectivity_morcos2018'),
    pos: z.array(selectivitySummary).nullable(),
    source: z.array(selectivitySummary),
  }),
  sae: z.object({
    site: z.string(),
    latents: count,
    k: count,
    train_tokens: count,
    /** Mean active latents per held-out token. */
    l0: num,
    /** Share of latents that never fire on the held-out tokens. */
    dead: num,
    fvu: num,
    loss: z.object({ clean: num, sae: num, mean_ablated: num }),
    /**
     * (mean_ablated - sae) / (mean_ablated - clean); null while ablating the site costs under
     * LOSS_RECOVERED_MIN_GAP nats (the ratio would divide noise by noise).
     */
    loss_recovered: num.nullable(),
    /** Latents per bin of log10(firing frequency) on held-out tokens; dead latents counted apart. */
    density: z.object({ edges: z.array(num), counts: z.array(count) }),
    top_features: z.array(
      z.object({
        feature: count,
        density: num,
        contexts: z.array(z.object({ text: z.string(), token: z.string(), activation: num })),
      }),
    ),
  }),
  /** Seconds spent per family on this checkpoint. */
  seconds: z.record(z.string(), num),
});

export type InterpRecord = z.infer<typeof interpRecordSchema>;
export type InterpProbe = z.infer<typeof interpProbeSchema>;

export const interpAcrossSchema = z.object({
  final_step: count,
  steps: z.array(count),
  tokens: z.array(z.number().nonnegative()),
  /** [checkpoint][layer] CKA with the final checkpoint's same layer. */
  cka_final: z.array(perLayer),
  /** [replicate][checkpoint][layer]: the same over bootstrap resamples of the rows. */
  cka_final_replicates: z.array(z.array(perLayer)),
  /** SAE features of the final checkpoint matched back by decoder cosine. */
  features: z.object({
    match_cosine: num,
    /** [checkpoint] share of final features present. */
    present: z.array(num),
    /** Birth step of each live final feature. */
    births: z.array(count),
    /** [feature][checkpoint] 1 when present: the bootstrap items of the `present` curve. */
    items: z.array(z.array(z.union([z.literal(0), z.literal(1)]))),
  }),
});

export type InterpAcross = z.infer<typeof interpAcrossSchema>;

/** What `slurry interp` left in a run: its records (one per checkpoint) and across.json, if written. */
export interface InterpData {
  records: InterpRecord[];
  across: InterpAcross | null;
}

/** The best head of one attention score (the largest mean over layers and heads), with uniform attention's score. */
export function bestHead(score: InterpRecord['heads']['previous_token']): { max: number; chance: number } {
  return { max: Math.max(...score.mean.flat()), chance: score.chance };
}
