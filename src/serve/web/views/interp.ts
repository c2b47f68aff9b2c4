/**
 * Interpretability results written by `slurry interp`: the per-checkpoint measures of
 * RUN/interp.jsonl as curves over training (interp-curves.ts), then every numeric matrix of
 * RUN/interp/*.json (e.g. checkpoint x layer CKA to the final checkpoint) as a heatmap.
 */
import { LiveRun } from '../api.js';
import { errorPanel, h } from '../dom.js';
import { heatmap } from './heatmap.js';
import { interpCurves } from './interp-curves.js';
import { runHeader } from './run-header.js';

function matrices(v: unknown, path: string, out: [string, number[][]][]): void {
  if (
    Array.isArray(v) &&
    v.length > 0 &&
    v.every((r) => Array.isArray(r) && r.every((x) => typeof x === 'number' || x === null))
  ) {
    out.push([path, (v as (number | null)[][]).map((r) => r.map((x) => (x === null ? NaN : x)))]);
  } else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) if (out.length < 40) matrices(x, path ? `${path}.${k}` : k, out);
  }
}

/**
 * What the rows and columns of a matrix in RUN/interp/across.json are (interp-records.ts):
 * [checkpoint][layer], or [feature][checkpoint] for the SAE features' presence.
 */
function axesOf(key: string): [string, string] {
  if (key.endsWith('features.items')) return ['final SAE feature', 'checkpoint (in step order)'];
  if (key.startsWith('cka_final')) return ['checkpoint (in step order)', 'layer (0 = embeddings)'];
  return ['rows', 'columns'];
}

export function interpView(app: HTMLElement, q: URLSearchParams): () => void {
  const run = q.get('run') ?? '';
  const header = h('div');
  const body = h('div');
  const curves = interpCurves(true);
  const curvesSection = h(
    'section',
    {},
    h('h3', {}, 'Over training'),
    h('div', { class: 'grid' }, ...curves.charts.map((c) => c.el)),
  );
  const live = new LiveRun(run, () => redraw());
  app.append(header, curvesSection, body);
  function redraw(): void {
    const m = live.meta;
    if (!m) return;
    header.replaceChildren(runHeader(m, 'interp'));
    curvesSection.hidden = m.interp_points.length === 0;
    curves.update(m.interp_points);
    if (m.interp.length === 0 && m.interp_points.length === 0) {
      body.replaceChildren(
        h('p', { class: 'muted' }, 'No interpretability results in this run (`slurry interp` writes RUN/interp/).'),
      );
      return;
    }
    body.replaceChildren(
      ...m.interp.map((r) => {
        const found: [string, number[][]][] = [];
        matrices(r.value, '', found);
        return h(
          'section',
          {},
          h('h3', {}, r.name),
          ...(found.length
            ? found.map(([k, rows]) => heatmap(`${r.name}: ${k}`, rows, ...axesOf(k)))
            : [h('p', { class: 'muted' }, 'no numeric matrix in this file')]),
        );
      }),
    );
  }
  live.open().then(redraw, (err) => body.replaceChildren(errorPanel([String(err)])!));
  return () => {
    live.close();
    for (const c of curves.charts) c.destroy();
  };
}
