/**
 * The internal view over training (RUN/interp.jsonl, one point per measured checkpoint) as
 * line charts against tokens: linear-probe accuracy and selectivity per layer, CKA of each
 * layer with the previous checkpoint, the best head of each attention score beside uniform
 * attention's score, the in-context-learning score and the SAE's metrics.
 */
import { LineChart, PALETTE, type SeriesInput } from '../chart.js';
import type { InterpPoint } from '../../interp-curves.js';

interface Panel {
  title: string;
  yLabel: string;
  yRange?: [number, number];
  series: (points: InterpPoint[]) => SeriesInput[];
}

const colour = (i: number) => PALETTE[i % PALETTE.length]!;

/** One series per layer of a per-layer measure (null where a checkpoint lacks it). */
function perLayer(get: (p: InterpPoint) => number[] | null | undefined): Panel['series'] {
  return (points) => {
    const layers = Math.max(0, ...points.map((p) => get(p)?.length ?? 0));
    return Array.from({ length: layers }, (_, l) => ({
      label: l === 0 ? 'layer 0 (embeddings)' : `layer ${l}`,
      x: points.map((p) => p.tokens),
      y: points.map((p) => get(p)?.[l] ?? NaN),
      color: colour(l),
    }));
  };
}

const line = (
  label: string,
  points: InterpPoint[],
  y: (p: InterpPoint) => number | null,
  i: number,
  dash?: number[],
) => ({
  label,
  x: points.map((p) => p.tokens),
  y: points.map((p) => y(p) ?? NaN),
  color: colour(i),
  dash,
});

const HEADS = [
  ['previous_token', 'previous-token'],
  ['duplicate_token', 'duplicate-token'],
  ['prefix_matching', 'prefix-matching (induction)'],
] as const;

const PANELS: Panel[] = [
  {
    title: 'Linear probe for part of speech: held-out accuracy per layer',
    yLabel: 'accuracy',
    yRange: [0, 1],
    series: perLayer((p) => p.probes.pos?.accuracy),
  },
  {
    title: 'Part-of-speech probe selectivity per layer (accuracy minus the control task’s)',
    yLabel: 'selectivity',
    series: perLayer((p) => p.probes.pos?.selectivity),
  },
  {
    title: 'Linear probe for the token’s source: held-out accuracy per layer',
    yLabel: 'accuracy',
    yRange: [0, 1],
    series: perLayer((p) => p.probes.source?.accuracy),
  },
  {
    title: 'Source probe selectivity per layer (accuracy beyond layer 0’s)',
    yLabel: 'selectivity',
    series: perLayer((p) => p.probes.source?.selectivity),
  },
  {
    title: 'Linear CKA of each layer with the same layer at the previous checkpoint',
    yLabel: 'CKA',
    yRange: [0, 1],
    series: perLayer((p) => p.cka_prev),
  },
  {
    title: 'Attention heads: the best head of each score (dashed: uniform attention)',
    yLabel: 'attention to the target',
    yRange: [0, 1],
    series: (points) =>
      HEADS.flatMap(([key, name], i) => [
        line(`best ${name} head`, points, (p) => p.heads[key].max, i),
        line(`${name}: uniform`, points, (p) => p.heads[key].chance, i, [4, 4]),
      ]),
  },
  {
    title: 'In-context learning score: loss early in a window minus late (nats)',
    yLabel: 'nats',
    series: (points) => [line('ICL score', points, (p) => p.icl_score, 0)],
  },
  {
    title: 'Sparse autoencoder: fraction of variance unexplained, dead latents, loss recovered',
    yLabel: 'share',
    yRange: [0, 1],
    series: (points) => [
      line('FVU', points, (p) => p.sae.fvu, 0),
      line('dead latents', points, (p) => p.sae.dead, 1),
      line('loss recovered', points, (p) => p.sae.loss_recovered, 2),
    ],
  },
];

/** The charts (made once) and the function that redraws them from new points. */
export function interpCurves(logX: boolean): { charts: LineChart[]; update(points: InterpPoint[]): void } {
  const charts = PANELS.map(
    (p) => new LineChart({ title: p.title, xLabel: 'tokens', yLabel: p.yLabel, logX, smoothing: 0, yRange: p.yRange }),
  );
  return {
    charts,
    update(points) {
      PANELS.forEach((p, i) => charts[i]!.setData(p.series(points)));
    },
  };
}
