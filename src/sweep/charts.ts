/**
 * The sweep report's charts as Vega-Lite specs (pure): capability curves across seeds
 * (mean line, 95% band), capability against training compute under the discrete and the
 * continuous metric side by side (Wei et al. 2022 read the first, Schaeffer et al. 2023
 * the second), and tokens to a target share of the ceiling per group.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { CurveRow } from './aggregate.js';

const base = {
  $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
  background: 'white',
  config: {
    font: 'DejaVu Sans, Helvetica, Arial, sans-serif',
    title: { fontSize: 14, anchor: 'start' as const },
    legend: { labelLimit: 260 },
  },
};

const logAxis = (title: string) => ({
  title,
  labelExpr: "replace(format(datum.value, '~s'), 'G', 'B')",
  labelOverlap: 'greedy' as const,
  grid: true,
});
const share = { title: 'share from chance to ceiling' };

/** Bands need both ends: a single seed's band collapses onto its mean. */
const banded = (rows: CurveRow[]) =>
  rows.filter((r) => r.tokens > 0).map((r) => ({ ...r, lo: r.lo ?? r.mean, hi: r.hi ?? r.mean }));

function groupColor(rows: CurveRow[]) {
  // Groups ordered by size, so a sweep over sizes reads small to large.
  const order = [...new Map(rows.map((r) => [r.group, r.parameters])).entries()]
    .sort((a, b) => a[1] - b[1])
    .map(([g]) => g);
  return {
    field: 'group',
    type: 'nominal' as const,
    title: null,
    scale: { domain: order },
    legend: { orient: 'bottom' as const, columns: 2 },
  };
}

/** Each capability's curve against tokens: mean across seeds with its 95% band, per group. */
export function seedCurvesChart(rows: CurveRow[], metric: 'd' | 'c'): TopLevelSpec | null {
  const values = banded(rows.filter((r) => r.metric === metric));
  if (values.length === 0) return null;
  const x = {
    field: 'tokens',
    type: 'quantitative' as const,
    scale: { type: 'log' as const },
    axis: logAxis('tokens seen'),
  };
  const color = groupColor(values);
  return {
    ...base,
    title: `Capabilities across seeds, ${metric === 'd' ? 'discrete' : 'continuous'} metric (line: mean; band: 95% interval across seeds)`,
    data: { values },
    facet: { field: 'capability', type: 'nominal', title: null },
    columns: 3,
    spec: {
      width: 220,
      height: 150,
      layer: [
        {
          mark: { type: 'area', opacity: 0.2 },
          encoding: { x, y: { field: 'lo', type: 'quantitative', axis: share }, y2: { field: 'hi' }, color },
        },
        {
          mark: { type: 'line', point: { size: 12 } },
          encoding: { x, y: { field: 'mean', type: 'quantitative', axis: share }, color },
        },
      ],
    },
  } as TopLevelSpec;
}

/** Capability against training compute 6 N D, the discrete and the continuous metric side by side. */
export function computeChart(rows: CurveRow[]): TopLevelSpec | null {
  const values = banded(rows).map((r) => ({
    ...r,
    metricLabel: r.metric === 'd' ? 'discrete metric' : 'continuous metric',
  }));
  if (values.length === 0) return null;
  const x = {
    field: 'compute',
    type: 'quantitative' as const,
    scale: { type: 'log' as const },
    axis: logAxis('training compute, FLOPs (6 N D)'),
  };
  const color = groupColor(values);
  return {
    ...base,
    title: 'Capability against training compute: discrete (left) and continuous (right) metric on the same items',
    data: { values },
    facet: {
      row: { field: 'capability', type: 'nominal', title: null },
      column: { field: 'metricLabel', type: 'nominal', title: null, sort: ['discrete metric', 'continuous metric'] },
    },
    spec: {
      width: 300,
      height: 130,
      layer: [
        {
          mark: { type: 'area', opacity: 0.15 },
          encoding: { x, y: { field: 'lo', type: 'quantitative', axis: share }, y2: { field: 'hi' }, color },
        },
        {
          mark: { type: 'line', point: { size: 12 } },
          encoding: { x, y: { field: 'mean', type: 'quantitative', axis: share }, color },
        },
      ],
    },
  } as TopLevelSpec;
}
