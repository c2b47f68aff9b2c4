/**
 * The report's panels of `slurry interp` (RUN/interp.jsonl and RUN/interp/across.json) as
 * Vega-Lite specs, pure functions of the records: linear-probe accuracy by layer and
 * checkpoint (a heatmap per family), CKA of each layer to the final checkpoint, the best
 * attention head of each score against uniform attention, and the SAE's metrics, all on
 * the capabilities' token axis (step 0 drawn left of the first checkpoint, as there).
 * interpFeatureRows picks the top SAE features shown as a table beside them.
 */
import type { TopLevelSpec } from 'vega-lite';
import { bestHead, type InterpData, type InterpRecord } from '../run/interp-records.js';
import { base, HEIGHT, plotTokens, tokensAxis, WIDTH } from './charts.js';

/** Where step 0 goes: the first nonzero token count, and the offset left of it in decades. */
interface Axis {
  x0: number;
  offset: number;
}

const x = { field: 'tokens', type: 'quantitative' as const, scale: { type: 'log' as const }, axis: tokensAxis() };

const byStep = (records: InterpRecord[]) => [...records].sort((a, b) => a.step - b.step);

/** Probe accuracy per layer (rows) and checkpoint (columns), one heatmap per probe family. */
export function probeHeatmap(d: InterpData): TopLevelSpec | null {
  const families = [
    ['pos', 'part of speech'],
    ['source', 'token source'],
  ] as const;
  const values = byStep(d.records).flatMap((r) =>
    families.flatMap(([key, family]) =>
      (r.probes[key]?.accuracy ?? []).map((accuracy, layer) => ({ family, step: r.step, layer, accuracy })),
    ),
  );
  if (values.length === 0) return null;
  return {
    ...base,
    title: 'Linear probes: held-out accuracy by layer and checkpoint (layer 0 is the embedding)',
    data: { values },
    facet: { row: { field: 'family', type: 'nominal', title: null } },
    spec: {
      width: WIDTH,
      height: 120,
      mark: { type: 'rect' },
      encoding: {
        x: { field: 'step', type: 'ordinal', title: 'checkpoint (training step)' },
        y: { field: 'layer', type: 'ordinal', sort: 'descending', title: 'layer' },
        color: {
          field: 'accuracy',
          type: 'quantitative',
          title: 'accuracy',
          scale: { scheme: 'viridis', domain: [0, 1] },
        },
      },
    },
    resolve: { scale: { y: 'independent' } },
  } as TopLevelSpec;
}

/** Linear CKA of each layer with the same layer of the final checkpoint, against tokens. */
export function ckaToFinalChart(d: InterpData, axis: Axis): TopLevelSpec | null {
  const a = d.across;
  if (!a || a.steps.length === 0) return null;
  const values = a.cka_final.flatMap((layers, i) =>
    layers.map((cka, layer) => ({
      layer: `layer ${layer}`,
      tokens: plotTokens(a.tokens[i], axis.x0, axis.offset),
      cka,
    })),
  );
  return {
    ...base,
    title: 'Representations settling: CKA of each layer with the final checkpoint',
    width: WIDTH,
    height: HEIGHT,
    data: { values },
    mark: { type: 'line', point: true },
    encoding: {
      x,
      y: { field: 'cka', type: 'quantitative', title: 'linear CKA to the final checkpoint', scale: { domain: [0, 1] } },
      color: { field: 'layer', type: 'nominal', title: null },
    },
  } as TopLevelSpec;
}

const HEAD_SCORES = [
  ['previous_token', 'previous token'],
  ['duplicate_token', 'duplicate token'],
  ['prefix_matching', 'prefix matching (induction)'],
] as const;

/** The best head of each attention score per checkpoint, with uniform attention's score dashed. */
export function headScoresChart(d: InterpData, axis: Axis): TopLevelSpec | null {
  const records = byStep(d.records);
  if (records.length === 0) return null;
  const rows = records.flatMap((r) =>
    HEAD_SCORES.map(([key, score]) => {
      const { max, chance } = bestHead(r.heads[key]);
      return { score, tokens: plotTokens(r.tokens, axis.x0, axis.offset), best: max, chance };
    }),
  );
  const color = {
    field: 'score',
    type: 'nominal' as const,
    title: null,
    scale: { domain: HEAD_SCORES.map((s) => s[1]) },
  };
  return {
    ...base,
    title: 'Attention heads: the best head of each score; dashed, the same score under uniform attention',
    width: WIDTH,
    height: HEIGHT,
    data: { values: rows },
    layer: [
      {
        mark: { type: 'line', point: true },
        encoding: { x, y: { field: 'best', type: 'quantitative', title: 'score of the best head' }, color },
      },
      {
        mark: { type: 'line', strokeDash: [4, 4], opacity: 0.7 },
        encoding: { x, y: { field: 'chance', type: 'quantitative' }, color },
      },
    ],
  } as TopLevelSpec;
}

/** The SAE of each checkpoint: L0, dead latents, unexplained variance and loss recovered. */
export function saeMetricsChart(d: InterpData, axis: Axis): TopLevelSpec | null {
  const records = byStep(d.records);
  if (records.length === 0) return null;
  const metrics = [
    ['active latents per token (L0)', (r: InterpRecord) => r.sae.l0],
    ['share of dead latents', (r: InterpRecord) => r.sae.dead],
    ['fraction of variance unexplained', (r: InterpRecord) => r.sae.fvu],
    ['loss recovered', (r: InterpRecord) => r.sae.loss_recovered],
  ] as const;
  const values = records.flatMap((r) =>
    metrics.flatMap(([metric, of]) => {
      const value = of(r);
      return value === null ? [] : [{ metric, tokens: plotTokens(r.tokens, axis.x0, axis.offset), value }];
    }),
  );
  return {
    ...base,
    title: `Sparse autoencoder on ${records[0].sae.site} (${records[0].sae.latents} latents, k = ${records[0].sae.k}), per checkpoint`,
    data: { values },
    facet: { field: 'metric', type: 'nominal', title: null, sort: metrics.map((m) => m[0]) },
    columns: 2,
    spec: {
      width: WIDTH / 2 - 20,
      height: 150,
      mark: { type: 'line', point: true },
      encoding: {
        x,
        y: { field: 'value', type: 'quantitative', title: null, scale: { zero: false }, axis: { format: '~g' } },
      },
    },
    resolve: { scale: { y: 'independent' } },
  } as TopLevelSpec;
}

export interface FeatureRow {
  step: number;
  tokens: number;
  feature: number;
  density: number;
  contexts: { text: string; token: string; activation: number }[];
}

/**
 * The top SAE features of up to `checkpoints` checkpoints spread over the run (the first,
 * the last and evenly between), `perCheckpoint` features each with their contexts.
 */
export function interpFeatureRows(d: InterpData, checkpoints = 3, perCheckpoint = 3): FeatureRow[] {
  const records = byStep(d.records).filter((r) => r.sae.top_features.length > 0);
  if (records.length === 0) return [];
  const n = Math.min(checkpoints, records.length);
  const picks = [
    ...new Set(Array.from({ length: n }, (_, i) => Math.round((i * (records.length - 1)) / Math.max(1, n - 1)))),
  ];
  return picks.flatMap((i) =>
    records[i].sae.top_features.slice(0, perCheckpoint).map((f) => ({
      step: records[i].step,
      tokens: records[i].tokens,
      feature: f.feature,
      density: f.density,
      contexts: f.contexts,
    })),
  );
}
