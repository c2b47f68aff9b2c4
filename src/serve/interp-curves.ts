/**
 * One checkpoint of RUN/interp.jsonl cut to what the dashboard draws as curves over training:
 * per layer, the linear probes' accuracy and selectivity and CKA with the previous
 * checkpoint; per checkpoint, the best head of each attention score against its chance, the
 * in-context-learning score and the SAE's metrics. The per-item arrays (bootstrap items,
 * contexts) stay on disk: they would multiply the page's payload for nothing it draws.
 */
import { bestHead, interpRecordSchema, type InterpProbe } from '../run/interp-records.js';

export interface InterpPoint {
  step: number;
  tokens: number;
  /** Residual hook of each layer (layer 0 = embeddings). */
  layers: string[];
  probes: Record<'pos' | 'source', { accuracy: number[]; selectivity: number[] } | null>;
  /** CKA of each layer with the previous measured checkpoint's. */
  cka_prev: number[] | null;
  /** Best head per score, and the score of uniform causal attention on the same queries. */
  heads: Record<'previous_token' | 'duplicate_token' | 'prefix_matching', { max: number; chance: number }>;
  icl_score: number;
  sae: { l0: number; dead: number; fvu: number; loss_recovered: number | null };
}

const probe = (p: InterpProbe | null) => (p ? { accuracy: p.accuracy, selectivity: p.selectivity } : null);

/** The point of one interp.jsonl line, or an error naming what is wrong with it. */
export function interpPoint(value: unknown): { point: InterpPoint } | { error: string } {
  const parsed = interpRecordSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { error: `a record is not the shape \`slurry interp\` writes (${issue.path.join('.')}: ${issue.message})` };
  }
  const r = parsed.data;
  return {
    point: {
      step: r.step,
      tokens: r.tokens,
      layers: r.layers,
      probes: { pos: probe(r.probes.pos), source: probe(r.probes.source) },
      cka_prev: r.cka_prev?.layers ?? null,
      heads: {
        previous_token: bestHead(r.heads.previous_token),
        duplicate_token: bestHead(r.heads.duplicate_token),
        prefix_matching: bestHead(r.heads.prefix_matching),
      },
      icl_score: r.icl.score,
      sae: { l0: r.sae.l0, dead: r.sae.dead, fvu: r.sae.fvu, loss_recovered: r.sae.loss_recovered },
    },
  };
}
