/**
 * The charts of grokking runs as Vega-Lite specs (data included), so any Vega-Lite renderer
 * draws them: curves on a log-step axis, the embedding's Fourier spectrum over time, and
 * the comparisons between runs.
 *
 * Steps use a symlog scale: logarithmic for steps >= 1 and still able to show step 0.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { GrokEvalRecord, GrokProgressRecord, GrokSummary, GrokTrainRecord } from './records.js';

export type VegaLiteSpec = TopLevelSpec;
/** A view inside a layer or a vertical concatenation. */
type LayerPart = Extract<TopLevelSpec, { layer: unknown }>['layer'][number];

export interface GrokRunData {
  name: string;
  summary: GrokSummary;
  train: GrokTrainRecord[];
  evals: GrokEvalRecord[];
  progress: GrokProgressRecord[];
}

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
const WIDTH = 640;
const HEIGHT = 260;
const LEGEND = { orient: 'bottom', direction: 'vertical', labelLimit: 600 } as const;

const stepAxis = (title = 'step (log scale)') => ({
  field: 'step',
  type: 'quantitative' as const,
  title,
  scale: { type: 'symlog' as const, constant: 1 },
  axis: { values: [0, 1, 10, 100, 1000, 10000, 100000], format: ',d' },
});

/** Dashed vertical rules at the memorisation and grokking steps of a run. */
function eventRules(summary: GrokSummary): LayerPart | null {
  const values: { step: number; event: string }[] = [];
  if (summary.memorised_step !== null)
    values.push({ step: summary.memorised_step, event: `memorised (${summary.memorised_step})` });
  if (summary.grokked_step !== null)
    values.push({ step: summary.grokked_step, event: `grokked (${summary.grokked_step})` });
  if (!values.length) return null;
  return {
    data: { values },
    mark: { type: 'rule', strokeDash: [4, 4] },
    encoding: { x: stepAxis(), color: { value: '#666' }, tooltip: [{ field: 'event' }] },
  };
}

function layered(title: string, summary: GrokSummary | null, lines: LayerPart): VegaLiteSpec {
  const rules = summary && eventRules(summary);
  return { $schema: SCHEMA, title, width: WIDTH, height: HEIGHT, layer: rules ? [lines, rules] : [lines] };
}

function seriesLines(
  values: { step: number; series: string; value: number }[],
  y: { title: string; scale?: { type?: 'log'; domain?: number[] } },
): LayerPart {
  return {
    data: { values },
    mark: { type: 'line', point: false, interpolate: 'linear' },
    encoding: {
      x: stepAxis(),
      y: { field: 'value', type: 'quantitative', ...y },
      color: { field: 'series', type: 'nominal', title: null, legend: LEGEND },
    },
  };
}

/** Train/test loss, and restricted/excluded loss with the final key frequencies. */
export function lossChart(run: GrokRunData): VegaLiteSpec {
  const values: { step: number; series: string; value: number }[] = [];
  for (const r of trainPoints(run)) values.push({ step: r.step, series: 'train loss', value: r.train_loss });
  for (const r of run.evals) values.push({ step: r.step, series: 'test loss', value: r.test_loss });
  for (const r of run.progress) {
    if (r.restricted_loss !== null) values.push({ step: r.step, series: 'restricted loss', value: r.restricted_loss });
    if (r.excluded_loss !== null) values.push({ step: r.step, series: 'excluded loss', value: r.excluded_loss });
  }
  return layered(
    'Loss (restricted and excluded: key frequencies of the final model, at checkpoints)',
    run.summary,
    seriesLines(positive(values), { title: 'cross-entropy (log scale)', scale: { type: 'log' } }),
  );
}

export function accuracyChart(run: GrokRunData): VegaLiteSpec {
  const values = [
    ...trainPoints(run).map((r) => ({ step: r.step, series: 'train accuracy', value: r.train_acc })),
    ...run.evals.map((r) => ({ step: r.step, series: 'test accuracy', value: r.test_acc })),
  ];
  return layered('Accuracy', run.summary, seriesLines(values, { title: 'accuracy', scale: { domain: [0, 1] } }));
}

/** Weight norm, Gini of the embedding's frequency norms, share of the final key frequencies. */
export function structureChart(run: GrokRunData): VegaLiteSpec {
  const norm = run.evals.map((r) => ({ step: r.step, series: 'total weight norm', value: r.weight_norm }));
  const shares = [
    ...run.evals.map((r) => ({ step: r.step, series: 'Gini of embedding frequency norms', value: r.gini })),
    ...run.progress.map((r) => ({
      step: r.step,
      series: `embedding norm share of final key frequencies [${r.key_frequencies.join(', ')}]`,
      value: r.key_share,
    })),
    // Runs written before the neuron measure existed have no such field.
    ...run.progress.flatMap((r) =>
      r.neuron_key_share === null || r.neuron_key_share === undefined
        ? []
        : [{ step: r.step, series: 'MLP neurons: variance share in those frequencies', value: r.neuron_key_share }],
    ),
  ];
  return {
    $schema: SCHEMA,
    title: 'Weight norm and Fourier sparsity of the embedding and the MLP neurons',
    vconcat: [
      { width: WIDTH, height: 160, ...seriesLines(norm, { title: 'L2 norm of all parameters' }) },
      { width: WIDTH, height: 160, ...seriesLines(shares, { title: 'share / Gini', scale: { domain: [0, 1] } }) },
    ],
    resolve: { scale: { color: 'independent' } },
  };
}

/**
 * Heatmap of the embedding's spectrum over time: one column per evaluation (at most
 * `maxColumns`, evenly thinned), one row per frequency, colour = share of the squared norm.
 */
export function spectrumChart(run: GrokRunData, maxColumns = 80): VegaLiteSpec {
  const evals = thin(run.evals, maxColumns);
  const values = evals.flatMap((r) => r.spectrum.map((share, i) => ({ step: r.step, freq: i + 1, share })));
  return {
    $schema: SCHEMA,
    title: 'Fourier spectrum of the embedding over training (share of squared norm per frequency)',
    width: WIDTH,
    height: Math.max(160, 3 * (evals[0]?.spectrum.length ?? 0)),
    data: { values },
    mark: 'rect',
    encoding: {
      x: {
        field: 'step',
        type: 'ordinal',
        title: 'evaluation step (log-spaced early, then linear)',
        axis: { labelOverlap: 'greedy', labelAngle: -45 },
      },
      y: { field: 'freq', type: 'ordinal', title: 'frequency k', sort: 'descending', axis: { labelOverlap: 'greedy' } },
      color: { field: 'share', type: 'quantitative', scale: { scheme: 'viridis', type: 'sqrt' }, title: 'share' },
      tooltip: [{ field: 'step' }, { field: 'freq' }, { field: 'share', format: '.3f' }],
    },
  };
}

/** Bar chart of the final spectrum. */
export function finalSpectrumChart(run: GrokRunData): VegaLiteSpec {
  const last = run.evals[run.evals.length - 1];
  const values = (last?.spectrum ?? []).map((share, i) => ({
    freq: i + 1,
    share,
    key: last.key_frequencies.includes(i + 1) ? 'key' : 'other',
  }));
  return {
    $schema: SCHEMA,
    title: `Embedding spectrum at step ${last?.step ?? '-'}`,
    width: WIDTH,
    height: 180,
    data: { values },
    mark: 'bar',
    encoding: {
      x: { field: 'freq', type: 'ordinal', title: 'frequency k', axis: { labelOverlap: 'greedy' } },
      y: { field: 'share', type: 'quantitative', title: 'share of squared norm' },
      color: {
        field: 'key',
        type: 'nominal',
        title: null,
        scale: { domain: ['key', 'other'], range: ['#d62728', '#9ecae1'] },
      },
    },
  };
}

/** Test (solid) and train (dashed) accuracy of several runs on one log-step axis. */
export function comparisonChart(title: string, runs: { label: string; run: GrokRunData }[]): VegaLiteSpec {
  const values = runs.flatMap(({ label, run }) => [
    ...run.evals.map((r) => ({ step: r.step, run: label, split: 'test', value: r.test_acc })),
    ...trainPoints(run).map((r) => ({ step: r.step, run: label, split: 'train', value: r.train_acc })),
  ]);
  return {
    $schema: SCHEMA,
    title,
    width: WIDTH,
    height: HEIGHT,
    data: { values },
    mark: { type: 'line' },
    encoding: {
      x: stepAxis(),
      y: { field: 'value', type: 'quantitative', title: 'accuracy', scale: { domain: [0, 1] } },
      color: { field: 'run', type: 'nominal', title: null, legend: LEGEND },
      strokeDash: {
        field: 'split',
        type: 'nominal',
        title: null,
        scale: {
          domain: ['test', 'train'],
          range: [
            [1, 0],
            [4, 3],
          ],
        },
      },
    },
  };
}

/** Test loss of several runs. */
export function comparisonLossChart(title: string, runs: { label: string; run: GrokRunData }[]): VegaLiteSpec {
  const values = runs.flatMap(({ label, run }) =>
    run.evals.map((r) => ({ step: r.step, run: label, value: r.test_loss })),
  );
  return {
    $schema: SCHEMA,
    title,
    width: WIDTH,
    height: HEIGHT,
    data: { values: positive(values) },
    mark: { type: 'line' },
    encoding: {
      x: stepAxis(),
      y: { field: 'value', type: 'quantitative', title: 'test loss (log scale)', scale: { type: 'log' } },
      color: { field: 'run', type: 'nominal', title: null, legend: LEGEND },
    },
  };
}

/**
 * Training measures are known at every step: every step below 256 (they matter on a log
 * axis), then about 1000 evenly spaced ones.
 */
function trainPoints(run: GrokRunData): GrokTrainRecord[] {
  const stride = Math.max(1, Math.floor(run.train.length / 1000));
  return run.train.filter((r, i) => r.step < 256 || i % stride === 0 || i === run.train.length - 1);
}

/** A log axis cannot show values <= 0 (a loss of exactly 0 in float32). */
function positive<T extends { value: number }>(values: T[]): T[] {
  return values.filter((v) => v.value > 0 && Number.isFinite(v.value));
}

function thin<T>(xs: T[], max: number): T[] {
  if (xs.length <= max) return xs;
  const out: T[] = [];
  for (let i = 0; i < max; i++) out.push(xs[Math.round((i * (xs.length - 1)) / (max - 1))]);
  return out;
}
