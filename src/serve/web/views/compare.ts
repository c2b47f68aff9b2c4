/**
 * Several runs on one axis (schedules, seeds, sizes): a metric per run, coloured by the
 * value of a config key (runs that share it share a colour, dashed apart), all live.
 */
import { LiveRun } from '../api.js';
import { LineChart, PALETTE, type SeriesInput } from '../chart.js';
import { controls, errorPanel, h, select, setParams } from '../dom.js';
import { axisChoice, axisControls } from './curves.js';

/** Config as dotted keys with scalar values: { 'data.schedule.kind': 'mix', seed: 0, ... }. */
export function flatConfig(c: unknown, prefix = '', out: Record<string, string> = {}): Record<string, string> {
  if (c && typeof c === 'object' && !Array.isArray(c)) {
    for (const [k, v] of Object.entries(c)) flatConfig(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (c !== undefined && prefix) {
    out[prefix] = typeof c === 'string' ? c : JSON.stringify(c);
  }
  return out;
}

const DASHES = [undefined, [6, 3], [2, 2], [8, 3, 2, 3]];

export function compareView(app: HTMLElement, q: URLSearchParams): () => void {
  const runs = q.getAll('run');
  const axis = axisChoice(q);
  let metric = q.get('metric') ?? 'loss';
  let group = q.get('group') ?? '';
  const errors = h('div');
  const opts = h('div');
  const chart = new LineChart({
    title: 'Comparison',
    xLabel: axis.x,
    yLabel: metric,
    logX: axis.logX,
    smoothing: axis.smoothing,
  });
  const lives = runs.map((r) => new LiveRun(r, () => redraw()));
  app.append(
    h('h2', {}, `Comparing ${runs.length} runs`),
    errors,
    opts,
    axisControls(axis, (a) => {
      chart.setOptions({ logX: a.logX, smoothing: a.smoothing, xLabel: a.x });
      redraw();
    }),
    h('div', { class: 'grid wide' }, chart.el),
  );
  if (runs.length < 2) errors.replaceChildren(errorPanel(['pick at least two runs on the runs list to compare them'])!);

  function redraw(): void {
    const metas = lives.map((l) => l.meta);
    const configs = metas.map((m) => flatConfig(m?.config ?? {}));
    const keys = [...new Set(configs.flatMap((c) => Object.keys(c)))]
      .filter((k) => new Set(configs.map((c) => c[k])).size > 1)
      .sort();
    const suites = [...new Set(metas.flatMap((m) => m?.probes.map((p) => p.suite) ?? []))].sort();
    opts.replaceChildren(
      controls(
        select(
          'metric',
          metric,
          [
            ['loss', 'training loss'],
            ['val', 'validation loss'],
            ...suites.map((s): [string, string] => [`probe:${s}`, `${s} (discrete)`]),
          ],
          (v) => {
            metric = v;
            setParams({ metric: v });
            chart.setOptions({ yLabel: v });
            redraw();
          },
        ),
        select('colour by', group, [['', 'run'], ...keys.map((k): [string, string] => [k, k])], (v) => {
          group = v;
          setParams({ group: v || null });
          redraw();
        }),
      ),
    );
    const values = [...new Set(configs.map((c) => c[group] ?? ''))];
    const seen = new Map<string, number>();
    const series: SeriesInput[] = [];
    lives.forEach((l, i) => {
      const m = l.meta;
      if (!m) return;
      const value = group ? (configs[i][group] ?? '') : m.run;
      const colour = PALETTE[(group ? values.indexOf(value) : i) % PALETTE.length];
      const k = seen.get(value) ?? 0;
      seen.set(value, k + 1);
      const label = group ? `${m.run} (${group}=${value})` : m.run;
      const dash = DASHES[k % DASHES.length];
      if (metric === 'loss' || metric === 'val') {
        const t = l.tables.get(metric === 'loss' ? 'train' : 'val') ?? l.tables.get('grok_train');
        if (!t) return;
        const y = t.cols.has('loss') ? 'loss' : 'train_loss';
        series.push({
          label,
          x: t.col(axis.x === 'tokens' && t.cols.has('tokens') ? 'tokens' : 'step'),
          y: t.col(y),
          color: colour,
          smooth: metric === 'loss',
          points: metric === 'val',
          dash,
        });
      } else {
        const suite = metric.slice('probe:'.length);
        const rows = m.probes.filter((p) => p.suite === suite).sort((a, b) => a.step - b.step);
        series.push({
          label,
          x: rows.map((r) => (axis.x === 'tokens' ? r.tokens : r.step)),
          y: rows.map((r) => r.metrics[r.discrete]),
          color: colour,
          dash,
        });
      }
    });
    chart.setData(series);
    app.dataset.series = String(series.length);
    const errs = metas.flatMap((m) => (m ? m.errors.map((e) => `${m.run}: ${e}`) : []));
    errors.replaceChildren(errorPanel(errs) ?? '');
  }

  Promise.all(lives.map((l) => l.open())).then(redraw, (err) => errors.replaceChildren(errorPanel([String(err)])!));
  return () => {
    lives.forEach((l) => l.close());
    chart.destroy();
  };
}
