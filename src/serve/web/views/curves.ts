/** A training run's curves: losses (train, validation, per source), learning rate, gradient norm, mixture weights. */
import { LiveRun, type Columns } from '../api.js';
import { LineChart, PALETTE, type SeriesInput } from '../chart.js';
import { controls, errorPanel, h, select, setParams } from '../dom.js';
import { runHeader } from './run-header.js';

export interface AxisChoice {
  x: 'tokens' | 'step';
  logX: boolean;
  smoothing: number;
}

export function axisChoice(q: URLSearchParams): AxisChoice {
  const smoothing = Number(q.get('smooth') ?? '0.9');
  return {
    x: q.get('x') === 'step' ? 'step' : 'tokens',
    logX: q.get('scale') !== 'linear',
    smoothing: Number.isFinite(smoothing) && smoothing >= 0 && smoothing < 1 ? smoothing : 0.9,
  };
}

/** The x, scale and smoothing controls; `apply` redraws with the new choice. */
export function axisControls(a: AxisChoice, apply: (a: AxisChoice) => void): HTMLElement {
  return controls(
    select(
      'x',
      a.x,
      [
        ['tokens', 'tokens'],
        ['step', 'steps'],
      ],
      (v) => {
        a.x = v as AxisChoice['x'];
        setParams({ x: v });
        apply(a);
      },
    ),
    select(
      'scale',
      a.logX ? 'log' : 'linear',
      [
        ['log', 'log x'],
        ['linear', 'linear x'],
      ],
      (v) => {
        a.logX = v === 'log';
        setParams({ scale: v });
        apply(a);
      },
    ),
    select(
      'smoothing',
      String(a.smoothing),
      ['0', '0.6', '0.8', '0.9', '0.95', '0.99'].map((v) => [v, v === '0' ? 'off' : v]),
      (v) => {
        a.smoothing = Number(v);
        setParams({ smooth: v });
        apply(a);
      },
    ),
  );
}

/** Columns named PREFIX/NAME in a table: NAME -> column name. */
export function family(t: Columns | undefined, prefix: string): string[] {
  return t
    ? [...t.cols.keys()]
        .filter((k) => k.startsWith(prefix + '/'))
        .map((k) => k.slice(prefix.length + 1))
        .sort()
    : [];
}

export function curvesView(app: HTMLElement, q: URLSearchParams): () => void {
  const run = q.get('run') ?? '';
  const axis = axisChoice(q);
  const errors = h('div');
  const header = h('div');
  const grid = h('div', { class: 'grid' });
  const xl = () => (axis.x === 'tokens' ? 'tokens' : 'step');
  const mk = (title: string, y: string, extra: Partial<ConstructorParameters<typeof LineChart>[0]> = {}) =>
    new LineChart({ title, xLabel: xl(), yLabel: y, logX: axis.logX, smoothing: axis.smoothing, ...extra });
  const charts = {
    loss: mk('Loss', 'nats/token'),
    sources: mk('Training loss per source', 'nats/token'),
    valSources: mk('Validation loss per source', 'nats/token'),
    lr: mk('Learning rate', 'lr'),
    grad: mk('Gradient norm (before clipping)', 'L2 norm', { logY: true }),
    weights: mk('Mixture weights', 'share of batch'),
    speed: mk('Throughput', 'tokens/s'),
  };
  const live = new LiveRun(run, () => redraw());
  app.append(
    header,
    errors,
    axisControls(axis, (a) => {
      for (const c of Object.values(charts)) c.setOptions({ logX: a.logX, smoothing: a.smoothing, xLabel: xl() });
      redraw();
    }),
    grid,
  );
  for (const c of Object.values(charts)) grid.append(c.el);

  function redraw(): void {
    if (!live.meta) return;
    header.replaceChildren(runHeader(live.meta, 'curves'));
    errors.replaceChildren(errorPanel(live.meta.errors) ?? '');
    const train = live.tables.get('train');
    const val = live.tables.get('val');
    if (!train) return;
    const tx = train.col(axis.x);
    const lossSeries: SeriesInput[] = [
      { label: 'train', x: tx, y: train.col('loss'), color: PALETTE[0], smooth: true },
    ];
    if (val)
      lossSeries.push({ label: 'validation', x: val.col(axis.x), y: val.col('loss'), color: PALETTE[1], points: true });
    charts.loss.setData(lossSeries);
    // The loss is the chart people open a run for: it is drawn (and painted) first, the rest a frame later.
    if (rest === 0) rest = requestAnimationFrame(drawRest);
  }

  let rest = 0;
  function drawRest(): void {
    rest = 0;
    const train = live.tables.get('train');
    const val = live.tables.get('val');
    if (!train) return;
    const line = (
      t: Columns,
      col: string,
      label: string,
      color: string,
      more: Partial<SeriesInput> = {},
    ): SeriesInput => ({
      label,
      x: t.col(axis.x),
      y: t.col(col),
      color,
      ...more,
    });
    charts.sources.setData(
      family(train, 'loss_by_source').map((s, i) =>
        line(train, `loss_by_source/${s}`, s, PALETTE[i % PALETTE.length], { smooth: true }),
      ),
    );
    charts.valSources.setData(
      family(val, 'loss_by_source').map((s, i) =>
        line(val!, `loss_by_source/${s}`, s, PALETTE[i % PALETTE.length], { points: true }),
      ),
    );
    charts.lr.setData([line(train, 'lr', 'learning rate', PALETTE[2])]);
    charts.grad.setData([line(train, 'grad_norm', 'gradient norm', PALETTE[4], { smooth: true })]);
    charts.weights.setData(
      family(train, 'weights').map((s, i) => line(train, `weights/${s}`, s, PALETTE[i % PALETTE.length])),
    );
    charts.speed.setData([line(train, 'tokens_per_s', 'tokens/s', PALETTE[5], { smooth: true })]);
    app.dataset.rows = String(train.n);
  }

  live.open().then(redraw, (err) => errors.replaceChildren(errorPanel([String(err)])!));
  const onResize = () => Object.values(charts).forEach((c) => c.resize());
  window.addEventListener('resize', onResize);
  return () => {
    cancelAnimationFrame(rest);
    live.close();
    window.removeEventListener('resize', onResize);
    Object.values(charts).forEach((c) => c.destroy());
  };
}
