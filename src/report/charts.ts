/**
 * The report's charts as Vega-Lite specs, built from analysis.json alone (pure functions).
 * Every token axis is log-scaled; the step-0 checkpoint (0 tokens, no logarithm) is drawn
 * as a diamond STEP0_PLOT_OFFSET_DECADES to the left of the first checkpoint.
 */
import type { TopLevelSpec } from 'vega-lite';
import { logisticAt } from '../analysis/logistic.js';
import type { Analysis, CurveAnalysis } from '../analysis/types.js';
import { capabilityOf } from '../run/capabilities.js';

const FONT = 'DejaVu Sans, Helvetica, Arial, sans-serif';
export const WIDTH = 640;
export const HEIGHT = 300;

export const base = {
  $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
  background: 'white',
  config: { font: FONT, title: { fontSize: 14, anchor: 'start' as const }, legend: { labelLimit: 220 } },
};

export const tokensAxis = (title = 'tokens seen (log scale)') => ({
  title,
  labelExpr: "replace(format(datum.value, '~s'), 'G', 'B')",
  labelOverlap: 'greedy' as const,
  grid: true,
});

const shareAxis = { title: 'share of the way from chance to ceiling' };

/** Where a checkpoint is drawn on a log axis: step 0 goes left of the first checkpoint. */
export function plotTokens(tokens: number, firstNonzero: number, offsetDecades: number): number {
  return tokens > 0 ? tokens : firstNonzero / 10 ** offsetDecades;
}

export function firstNonzeroTokens(a: Analysis): number {
  const t = a.checkpoints.find((c) => c.tokens > 0)?.tokens;
  return t ?? 1;
}

interface CurveRow {
  series: string;
  tokens: number;
  share: number;
  step0: boolean;
  [facet: string]: string | number | boolean;
}

/** Data points and fitted line (for curves with a fit and a visible rise) of one curve. */
function curveRows(
  series: string,
  c: CurveAnalysis,
  x0: number,
  offset: number,
  extra: Record<string, string> = {},
): { points: CurveRow[]; fit: CurveRow[] } {
  const points = c.points
    .filter((p) => Number.isFinite(p.normalized))
    .map((p) => ({
      series,
      tokens: plotTokens(p.tokens, x0, offset),
      share: p.normalized,
      step0: p.tokens === 0,
      ...extra,
    }));
  const fit: CurveRow[] = [];
  if (c.fit && c.onset !== null) {
    const finite = c.points.filter((p) => p.tokens > 0).map((p) => Math.log10(p.tokens));
    const lo = Math.log10(x0) - (c.points.some((p) => p.tokens === 0) ? offset : 0);
    const hi = Math.max(...finite);
    for (let k = 0; k <= 80; k++) {
      const x = lo + ((hi - lo) * k) / 80;
      fit.push({ series, tokens: 10 ** x, share: logisticAt(c.fit, x), step0: false, ...extra });
    }
  }
  return { points, fit };
}

function curvesLayers(
  points: CurveRow[],
  fit: CurveRow[],
  color: { title: string; domain: string[] },
  yDomain: [number, number],
) {
  const x = { field: 'tokens', type: 'quantitative' as const, scale: { type: 'log' as const }, axis: tokensAxis() };
  const y = { field: 'share', type: 'quantitative' as const, scale: { domain: yDomain, clamp: true }, axis: shareAxis };
  const colorEnc = { field: 'series', type: 'nominal' as const, title: color.title, scale: { domain: color.domain } };
  // No fitted curve (every series flat or unfitted): leave the line layer out, since an
  // empty layer gives the shared log scale an empty extent.
  const lines = fit.length
    ? [{ data: { values: fit }, mark: { type: 'line' as const, strokeWidth: 2 }, encoding: { x, y, color: colorEnc } }]
    : [];
  return [
    ...lines,
    {
      data: { values: points },
      mark: { type: 'point' as const, filled: true, size: 28, opacity: 0.75 },
      encoding: {
        x,
        y,
        color: colorEnc,
        shape: {
          field: 'step0',
          type: 'nominal' as const,
          title: 'checkpoint',
          scale: { domain: [false, true], range: ['circle', 'diamond'] },
          legend: { labelExpr: "datum.value ? 'step 0 (0 tokens)' : 'probed'" },
        },
      },
    },
  ];
}

function yDomainOf(rows: CurveRow[]): [number, number] {
  let lo = -0.05;
  let hi = 1.05;
  for (const r of rows) {
    lo = Math.min(lo, r.share);
    hi = Math.max(hi, r.share);
  }
  return [Math.max(lo, -0.5), Math.min(hi, 1.5)];
}

/**
 * The waves, the report's lead chart: every capability's curve under one metric, normalised,
 * against log tokens, with its logistic fit, the line at half of the chance-to-ceiling range
 * and each verdict capability's midpoint (where it crosses that line) with its interval.
 * Capabilities outside the verdict (still rising, flat...) are drawn dashed and faint, their
 * status and last level in the legend.
 */
export function wavesChart(a: Analysis, metric: 'd' | 'c'): TopLevelSpec | null {
  const x0 = firstNonzeroTokens(a);
  const off = a.definitions.step0PlotOffsetDecades;
  const curveOf = (c: Analysis['capabilities'][number]) => (metric === 'd' ? c.discrete : c.continuous);
  const caps = a.capabilities.filter((c) => curveOf(c).points.length > 0);
  if (caps.length === 0) return null;
  const verdict = a.verdict.metric === metric ? a.verdict : a.verdictOtherMetric;
  const label = (name: string) => {
    const out = verdict.excluded.find((x) => x.name === name);
    if (!out) return name;
    const last = out.last ? `, ${Math.round(100 * out.last.normalized) + 0}% at the end` : '';
    return `${name} (${out.status.replace(/_/g, ' ')}${last})`;
  };
  const inVerdict = new Set(verdict.order.map((o) => o.name));
  const rows = caps.map((c) =>
    curveRows(label(c.name), curveOf(c), x0, off, {
      placed: inVerdict.has(c.name) ? 'midpoint in the run' : 'no midpoint',
    }),
  );
  const points = rows.flatMap((r) => r.points);
  const fit = rows.flatMap((r) => r.fit);
  const level = a.definitions.midpointLevel;
  const finite = a.checkpoints.filter((c) => c.tokens > 0).map((c) => c.tokens);
  const [first, last] = [Math.min(...finite), Math.max(...finite)];
  const mids = verdict.order.map((o) => ({
    series: o.name,
    tokens: o.midpoint.tokens,
    lo: o.midpoint.lo === null ? first : 10 ** o.midpoint.lo,
    hi: o.midpoint.hi === null ? last : 10 ** o.midpoint.hi,
    share: level,
  }));
  const x = { field: 'tokens', type: 'quantitative' as const, scale: { type: 'log' as const }, axis: tokensAxis() };
  const y = {
    field: 'share',
    type: 'quantitative' as const,
    scale: { domain: yDomainOf(points), clamp: true },
    axis: shareAxis,
  };
  const domain = caps.map((c) => label(c.name));
  const color = {
    field: 'series',
    type: 'nominal' as const,
    title: 'capability',
    scale: { domain },
    legend: { labelLimit: 400 },
  };
  const dash = {
    field: 'placed',
    type: 'nominal' as const,
    title: 'verdict',
    scale: {
      domain: ['midpoint in the run', 'no midpoint'],
      range: [
        [1, 0],
        [5, 4],
      ],
    },
  };
  const layer: object[] = [
    {
      data: { values: [{ share: level }] },
      mark: { type: 'rule', color: '#888', strokeDash: [2, 3] },
      encoding: { y: { field: 'share', type: 'quantitative' } },
    },
  ];
  if (fit.length)
    layer.push({
      data: { values: fit },
      mark: { type: 'line', strokeWidth: 2 },
      encoding: { x, y, color, strokeDash: dash },
    });
  const shape = {
    field: 'step0',
    type: 'nominal',
    title: 'checkpoint',
    scale: { domain: [false, true], range: ['circle', 'diamond'] },
    legend: { labelExpr: "datum.value ? 'step 0 (0 tokens)' : 'probed'" },
  };
  for (const [placed, opacity] of [
    ['midpoint in the run', 0.85],
    ['no midpoint', 0.35],
  ] as const) {
    const values = points.filter((p) => p.placed === placed);
    if (values.length)
      layer.push({
        data: { values },
        mark: { type: 'point', filled: true, size: 28, opacity },
        encoding: { x, y, color, shape },
      });
  }
  if (mids.length) {
    // The midpoints' series are the verdict capabilities' own names, which the domain holds.
    layer.push(
      {
        data: { values: mids },
        mark: { type: 'rule', strokeWidth: 2 },
        encoding: { x: { ...x, field: 'lo' }, x2: { field: 'hi' }, y, color },
      },
      {
        data: { values: mids },
        mark: { type: 'point', shape: 'triangle-up', filled: true, size: 90, stroke: 'black', strokeWidth: 0.5 },
        encoding: { x, y, color },
      },
    );
  }
  return {
    ...base,
    title: `The waves (${metric === 'd' ? 'discrete' : 'continuous'} metrics): capability against tokens, lines logistic fits, triangles midpoints`,
    width: WIDTH,
    height: HEIGHT + 60,
    layer,
  } as TopLevelSpec;
}

/**
 * One capability's normalised curve from each of several runs on one token axis, with each
 * run's logistic fit and the line at half of the chance-to-ceiling range: how far the same
 * capability gets at each length (or under each config). Step-0 points sit the usual
 * offset left of the earliest checkpoint of any run. Null when no run probed it.
 */
export function capabilityAcrossRunsChart(
  runs: { label: string; analysis: Analysis }[],
  capability: string,
  metric: 'd' | 'c',
): TopLevelSpec | null {
  const withCurve = runs.flatMap(({ label, analysis }) => {
    const cap = analysis.capabilities.find((c) => c.name === capability);
    const curve = cap && (metric === 'd' ? cap.discrete : cap.continuous);
    return curve && curve.points.length > 0 ? [{ label, analysis, curve }] : [];
  });
  if (withCurve.length === 0) return null;
  const x0 = Math.min(...withCurve.map((r) => firstNonzeroTokens(r.analysis)));
  const off = withCurve[0].analysis.definitions.step0PlotOffsetDecades;
  const level = withCurve[0].analysis.definitions.midpointLevel;
  const rows = withCurve.map((r) => curveRows(r.label, r.curve, x0, off));
  const points = rows.flatMap((r) => r.points);
  const fit = rows.flatMap((r) => r.fit);
  const layer = [
    {
      data: { values: [{ share: level }] },
      mark: { type: 'rule', color: '#888', strokeDash: [2, 3] },
      encoding: { y: { field: 'share', type: 'quantitative' } },
    },
    ...curvesLayers(points, fit, { title: 'run', domain: withCurve.map((r) => r.label) }, yDomainOf(points)),
  ];
  const title = capabilityOf(capability)?.capability ?? capability;
  return {
    ...base,
    title: `${title} (${capability}, ${metric === 'd' ? 'discrete' : 'continuous'}) in each run: normalised level against tokens`,
    width: WIDTH,
    height: HEIGHT,
    layer,
  } as TopLevelSpec;
}

/** Each capability's learning window (onset to saturation) as a bar, midpoint and its interval. */
export function timelineChart(a: Analysis): TopLevelSpec | null {
  const order = a.verdict.order;
  if (order.length === 0) return null;
  const finite = a.checkpoints.filter((c) => c.tokens > 0).map((c) => c.tokens);
  const [first, last] = [Math.min(...finite), Math.max(...finite)];
  const rows = order.map((o) => ({
    capability: o.name,
    onset: o.onset.tokens,
    saturation: o.saturation.tokens,
    midpoint: o.midpoint.tokens,
    lo: o.midpoint.lo === null ? first : 10 ** o.midpoint.lo,
    hi: o.midpoint.hi === null ? last : 10 ** o.midpoint.hi,
  }));
  const x = { field: 'onset', type: 'quantitative' as const, scale: { type: 'log' as const }, axis: tokensAxis() };
  const y = { field: 'capability', type: 'nominal' as const, sort: order.map((o) => o.name), title: null };
  return {
    ...base,
    title: `Learning windows (${a.verdict.metric === 'd' ? 'discrete' : 'continuous'}): onset (10%) to saturation (90%); tick = midpoint, whisker = its 95% interval`,
    width: WIDTH,
    height: Math.max(80, 34 * rows.length),
    data: { values: rows },
    layer: [
      {
        mark: { type: 'bar', height: 16, opacity: 0.55 },
        encoding: {
          x,
          x2: { field: 'saturation' },
          y,
          color: {
            field: 'capability',
            type: 'nominal',
            legend: null,
            scale: { domain: a.capabilities.map((c) => c.name) },
          },
        },
      },
      { mark: { type: 'rule', strokeWidth: 1.5 }, encoding: { x: { ...x, field: 'lo' }, x2: { field: 'hi' }, y } },
      {
        mark: { type: 'tick', thickness: 3, size: 22, color: 'black' },
        encoding: { x: { ...x, field: 'midpoint' }, y },
      },
    ],
  } as TopLevelSpec;
}

/** Training loss (binned) and validation loss against tokens, with reference losses. */
export function lossChart(a: Analysis): TopLevelSpec | null {
  const train = a.losses.train.map((p) => ({ series: 'training (binned)', tokens: p.tokens, loss: p.loss }));
  const val = a.losses.val
    .filter((p) => p.tokens > 0)
    .map((p) => ({ series: 'validation', tokens: p.tokens, loss: p.loss }));
  if (train.length + val.length === 0) return null;
  const x = { field: 'tokens', type: 'quantitative' as const, scale: { type: 'log' as const }, axis: tokensAxis() };
  const y = { field: 'loss', type: 'quantitative' as const, scale: { zero: false }, title: 'loss (nats per token)' };
  const color = {
    field: 'series',
    type: 'nominal' as const,
    title: null,
    scale: { domain: ['training (binned)', 'validation'], range: ['#4c78a8', '#f58518'] },
  };
  const layer: object[] = [
    { data: { values: [...train, ...val] }, mark: { type: 'line', strokeWidth: 1.5 }, encoding: { x, y, color } },
    { data: { values: val }, mark: { type: 'point', filled: true, size: 24 }, encoding: { x, y, color } },
  ];
  if (a.losses.references.length > 0) {
    const refs = a.losses.references.map((r) => ({ name: r.name, loss: r.loss }));
    layer.push(
      {
        data: { values: refs },
        mark: { type: 'rule', strokeDash: [4, 4], color: '#888' },
        encoding: { y: { field: 'loss', type: 'quantitative' } },
      },
      {
        data: { values: refs },
        mark: { type: 'text', align: 'left', dx: 4, dy: -6, color: '#555', x: 0 },
        encoding: { y: { field: 'loss', type: 'quantitative' }, text: { field: 'name' } },
      },
    );
  }
  return { ...base, title: 'Loss against tokens seen', width: WIDTH, height: HEIGHT, layer } as TopLevelSpec;
}

/** Validation loss per source (training loss per source where there is no validation). */
export function sourcesChart(a: Analysis): TopLevelSpec | null {
  const useVal = a.losses.sources.some((s) => s.val.length > 0);
  const rows = a.losses.sources.flatMap((s) =>
    (useVal ? s.val : s.train)
      .filter((p) => p.tokens > 0)
      .map((p) => ({ source: s.source, tokens: p.tokens, loss: p.loss })),
  );
  if (rows.length === 0) return null;
  const x = { field: 'tokens', type: 'quantitative' as const, scale: { type: 'log' as const }, axis: tokensAxis() };
  const y = {
    field: 'loss',
    type: 'quantitative' as const,
    scale: { zero: false },
    title: `${useVal ? 'validation' : 'training (binned)'} loss (nats per token)`,
  };
  const color = { field: 'source', type: 'nominal' as const, title: 'source' };
  return {
    ...base,
    title: `Loss per source (${useVal ? 'validation' : 'training, binned'})`,
    width: WIDTH,
    height: HEIGHT,
    data: { values: rows },
    layer: [
      { mark: { type: 'line', strokeWidth: 1.5 }, encoding: { x, y, color } },
      ...(useVal ? [{ mark: { type: 'point', filled: true, size: 20 }, encoding: { x, y, color } }] : []),
    ],
  } as TopLevelSpec;
}

/** Facts by exposure bucket (head, torso, tail, unseen), normalised, for one exposure suite. */
export function factsChart(a: Analysis, suite: string): TopLevelSpec | null {
  const facts = a.exposure.find((e) => e.suite === suite);
  if (!facts) return null;
  const x0 = firstNonzeroTokens(a);
  const off = a.definitions.step0PlotOffsetDecades;
  const rows = facts.buckets.map((b) => curveRows(b.bucket, b.curve, x0, off));
  const points = rows.flatMap((r) => r.points);
  return {
    ...base,
    title: `${capabilityOf(suite)?.exposure?.chart ?? suite} by exposure in the corpus (head = most frequent)`,
    width: WIDTH,
    height: HEIGHT,
    layer: curvesLayers(
      points,
      rows.flatMap((r) => r.fit),
      { title: 'exposure', domain: facts.buckets.map((b) => b.bucket) },
      yDomainOf(points),
    ),
  } as TopLevelSpec;
}

/** A chart of more groups than this shows the ones with most items (BLiMP has 67 paradigms). */
export const MAX_GROUPS_CHARTED = 12;

/** The groups of one suite (paradigms, digit counts...), normalised. */
export function groupsChart(a: Analysis, suite: string): TopLevelSpec | null {
  const g = a.groups.find((x) => x.suite === suite);
  if (!g || g.groups.length === 0) return null;
  const x0 = firstNonzeroTokens(a);
  const off = a.definitions.step0PlotOffsetDecades;
  const shown = [...g.groups].sort((p, q) => q.curve.items - p.curve.items).slice(0, MAX_GROUPS_CHARTED);
  const rows = shown.map((x) => curveRows(x.group, x.curve, x0, off));
  const points = rows.flatMap((r) => r.points);
  return {
    ...base,
    title: `Groups of ${suite}`,
    width: WIDTH,
    height: HEIGHT,
    layer: curvesLayers(
      points,
      rows.flatMap((r) => r.fit),
      { title: 'group', domain: shown.map((x) => x.group) },
      yDomainOf(points),
    ),
  } as TopLevelSpec;
}

/** Each capability under its discrete and its continuous metric, side by side. */
export function metricsChart(a: Analysis): TopLevelSpec | null {
  const x0 = firstNonzeroTokens(a);
  const off = a.definitions.step0PlotOffsetDecades;
  const values: CurveRow[] = [];
  for (const c of a.capabilities) {
    for (const [label, curve] of [
      [`discrete (${c.discrete.metricName})`, c.discrete],
      [`continuous (${c.continuous.metricName})`, c.continuous],
    ] as const) {
      const r = curveRows(label.startsWith('discrete') ? 'discrete' : 'continuous', curve, x0, off, {
        capability: c.name,
        metric: label,
      });
      values.push(...r.points.map((p) => ({ ...p, kind: 'probe' })), ...r.fit.map((p) => ({ ...p, kind: 'fit' })));
    }
  }
  if (values.length === 0) return null;
  const x = {
    field: 'tokens',
    type: 'quantitative' as const,
    scale: { type: 'log' as const },
    axis: tokensAxis('tokens seen'),
  };
  const y = {
    field: 'share',
    type: 'quantitative' as const,
    scale: { domain: yDomainOf(values), clamp: true },
    axis: { title: 'share of chance to ceiling' },
  };
  const color = {
    field: 'series',
    type: 'nominal' as const,
    title: 'metric',
    scale: { domain: ['discrete', 'continuous'], range: ['#e45756', '#4c78a8'] },
  };
  return {
    ...base,
    title: 'Discrete against continuous metric on the same items (lines: fits)',
    data: { values },
    facet: { field: 'capability', type: 'nominal', title: null, sort: a.capabilities.map((c) => c.name) },
    columns: 3,
    spec: {
      width: 200,
      height: 150,
      layer: [
        {
          transform: [{ filter: "datum.kind === 'fit'" }],
          mark: { type: 'line', strokeWidth: 2 },
          encoding: { x, y, color },
        },
        {
          transform: [{ filter: "datum.kind === 'probe'" }],
          mark: { type: 'point', filled: true, size: 14, opacity: 0.7 },
          encoding: { x, y, color },
        },
      ],
    },
  } as TopLevelSpec;
}

export interface RunTimes {
  run: string;
  capability: string;
  tokens: number;
  lo: number | null;
  hi: number | null;
}

/** Tokens to reach the target share of the ceiling, per capability and run. */
export function timeToTargetChart(rows: RunTimes[], target: number, runs: string[]): TopLevelSpec | null {
  if (rows.length === 0) return null;
  const values = rows.map((r) => ({ ...r, lo: r.lo ?? r.tokens, hi: r.hi ?? r.tokens }));
  const y = {
    field: 'tokens',
    type: 'quantitative' as const,
    scale: { type: 'log' as const },
    axis: tokensAxis(`tokens to reach ${Math.round(target * 100)}% of the ceiling`),
  };
  const xEnc = {
    field: 'capability',
    type: 'nominal' as const,
    title: null,
    sort: [...new Set(rows.map((r) => r.capability))],
    axis: { labelAngle: 0 },
  };
  const color = { field: 'run', type: 'nominal' as const, scale: { domain: runs } };
  return {
    ...base,
    title: `Time to ${Math.round(target * 100)}% of the ceiling, per run (whiskers: 95% intervals)`,
    width: WIDTH,
    height: HEIGHT,
    data: { values },
    layer: [
      {
        mark: { type: 'rule', strokeWidth: 1.5 },
        encoding: { x: xEnc, xOffset: { field: 'run' }, y: { ...y, field: 'lo' }, y2: { field: 'hi' }, color },
      },
      { mark: { type: 'point', filled: true, size: 60 }, encoding: { x: xEnc, xOffset: { field: 'run' }, y, color } },
    ],
  } as TopLevelSpec;
}

/**
 * The internal view's fitted curves (analysis.interp: induction, probe selectivity, CKA to
 * the final checkpoint, ...) normalised like the capabilities, with their logistic fits, on
 * the capabilities' token axis. Null when the run has no interp records.
 */
export function interpCurvesChart(a: Analysis): TopLevelSpec | null {
  const curves = (a.interp?.curves ?? []).filter((c) => c.curve.points.length > 0);
  if (curves.length === 0) return null;
  const x0 = firstNonzeroTokens(a);
  const off = a.definitions.step0PlotOffsetDecades;
  const rows = curves.map((c) => curveRows(c.name, c.curve, x0, off));
  const points = rows.flatMap((r) => r.points);
  const fit = rows.flatMap((r) => r.fit);
  return {
    ...base,
    title:
      'Inside the model: each internal measure normalised from its start (0) to its ceiling (1), lines logistic fits',
    width: WIDTH,
    height: HEIGHT,
    layer: curvesLayers(points, fit, { title: 'measure', domain: curves.map((c) => c.name) }, yDomainOf(points)),
  } as TopLevelSpec;
}
