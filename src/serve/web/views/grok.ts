/** A grokking run: train and test accuracy and loss, weight norm, and the embedding's Fourier spectrum over time. */
import { LiveRun } from '../api.js';
import { LineChart, PALETTE } from '../chart.js';
import { errorPanel, h } from '../dom.js';
import { axisChoice, axisControls } from './curves.js';
import { heatmap } from './heatmap.js';
import { runHeader } from './run-header.js';

export function grokView(app: HTMLElement, q: URLSearchParams): () => void {
  const run = q.get('run') ?? '';
  const axis = axisChoice(q);
  const header = h('div');
  const errors = h('div');
  const spectrum = h('div');
  const mk = (title: string, y: string, more = {}) =>
    new LineChart({ title, xLabel: 'step', yLabel: y, logX: axis.logX, smoothing: 0, ...more });
  const charts = {
    acc: mk('Accuracy', 'share right', { yRange: [0, 1] }),
    loss: mk('Loss', 'nats', { logY: true }),
    norm: mk('Weight norm', 'L2'),
    key: mk('Key frequencies', 'share / Gini'),
  };
  const live = new LiveRun(run, () => redraw());
  app.append(
    header,
    errors,
    axisControls(axis, (a) => Object.values(charts).forEach((c) => c.setOptions({ logX: a.logX }))),
    h('div', { class: 'grid' }, ...Object.values(charts).map((c) => c.el)),
    spectrum,
  );
  let spectrumRows = -1;

  function redraw(): void {
    const m = live.meta;
    if (!m) return;
    header.replaceChildren(runHeader(m, 'grok'));
    errors.replaceChildren(errorPanel(m.errors) ?? '');
    const tr = live.tables.get('grok_train');
    const ev = live.tables.get('grok_eval');
    if (!tr || !ev) return;
    charts.acc.setData([
      { label: 'train', x: tr.col('step'), y: tr.col('train_acc'), color: PALETTE[0] },
      { label: 'test', x: ev.col('step'), y: ev.col('test_acc'), color: PALETTE[1] },
    ]);
    charts.loss.setData([
      { label: 'train', x: tr.col('step'), y: tr.col('train_loss'), color: PALETTE[0] },
      { label: 'test', x: ev.col('step'), y: ev.col('test_loss'), color: PALETTE[1] },
    ]);
    charts.norm.setData([{ label: 'weight norm', x: ev.col('step'), y: ev.col('weight_norm'), color: PALETTE[2] }]);
    charts.key.setData([
      { label: 'key frequencies share', x: ev.col('step'), y: ev.col('key_share'), color: PALETTE[3] },
      { label: 'Gini', x: ev.col('step'), y: ev.col('gini'), color: PALETTE[4] },
    ]);
    const spec = ev.arrays.get('spectrum') ?? [];
    if (spec.length !== spectrumRows) {
      spectrumRows = spec.length;
      // Frequencies down, evaluations across: a grokking model concentrates on a few rows.
      const cols = spec.filter((r): r is number[] => Array.isArray(r));
      const k = Math.max(0, ...cols.map((c) => c.length));
      const rows = Array.from({ length: k }, (_, f) => cols.map((c) => c[f] ?? NaN));
      spectrum.replaceChildren(
        rows.length
          ? heatmap(
              'Fourier spectrum of the embedding over time',
              rows,
              'frequency k = 1 … p/2',
              `evaluations (${cols.length}, in step order)`,
            )
          : '',
      );
    }
  }

  live.open().then(redraw, (err) => errors.replaceChildren(errorPanel([String(err)])!));
  return () => {
    live.close();
    Object.values(charts).forEach((c) => c.destroy());
  };
}
