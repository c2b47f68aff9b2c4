/**
 * Interpretability results (RUN/interp/*.json, written by `slurry interp`): every numeric
 * matrix found in them (e.g. layer x checkpoint) drawn as a heatmap under its key.
 */
import { LiveRun } from '../api.js';
import { errorPanel, h } from '../dom.js';
import { heatmap } from './heatmap.js';
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

export function interpView(app: HTMLElement, q: URLSearchParams): () => void {
  const run = q.get('run') ?? '';
  const header = h('div');
  const body = h('div');
  const live = new LiveRun(run, () => redraw());
  app.append(header, body);
  function redraw(): void {
    const m = live.meta;
    if (!m) return;
    header.replaceChildren(runHeader(m, 'interp'));
    if (m.interp.length === 0) {
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
            ? found.map(([k, rows]) => heatmap(`${r.name}: ${k}`, rows, 'rows', 'columns'))
            : [h('p', { class: 'muted' }, 'no numeric matrix in this file')]),
        );
      }),
    );
  }
  live.open().then(redraw, (err) => body.replaceChildren(errorPanel([String(err)])!));
  return () => live.close();
}
