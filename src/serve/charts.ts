/**
 * The waves view's charts: the report's own Vega-Lite specs (src/report/charts.ts) drawn
 * from the run's analysis.json as SVG, cached until analysis.json changes.
 */
import type { Analysis } from '../analysis/types.js';
import { timelineChart, wavesChart } from '../report/charts.js';
import type { RunState } from './run-state.js';

export const CHART_NAMES = ['waves_d', 'waves_c', 'timeline'];

const cache = new WeakMap<object, Map<string, Promise<string | null>>>();

export function chartSvg(state: RunState, name: string): Promise<string | null> {
  const analysis = state.meta().analysis as Analysis | null;
  if (!analysis || typeof analysis !== 'object' || !Array.isArray((analysis as Analysis).checkpoints))
    return Promise.resolve(null);
  let byName = cache.get(analysis);
  if (!byName) cache.set(analysis, (byName = new Map()));
  let svg = byName.get(name);
  if (!svg) {
    const spec = name === 'timeline' ? timelineChart(analysis) : wavesChart(analysis, name === 'waves_d' ? 'd' : 'c');
    // vega and resvg load on the first chart, not at start-up.
    svg = spec ? import('../report/render.js').then((r) => r.renderSvg(spec, [])) : Promise.resolve(null);
    byName.set(name, svg);
  }
  return svg;
}
