/**
 * The waves: capability curves as probes arrive (live), and from analysis.json the
 * report's charts (capability curves with their logistic fits, the timeline of learning
 * windows) and the verdict with its reasons.
 */
import { LiveRun, runQuery, type RunMeta } from '../api.js';
import { LineChart, PALETTE } from '../chart.js';
import { errorPanel, h } from '../dom.js';
import { chartToolbar } from '../export.js';
import { axisChoice, axisControls } from './curves.js';
import { runHeader } from './run-header.js';

const CHARTS: [string, string][] = [
  ['waves_d', 'Capabilities (discrete metric) with logistic fits'],
  ['waves_c', 'Capabilities (continuous metric) with logistic fits'],
  ['timeline', 'Learning windows: onset, midpoint, saturation'],
];

function svgFigure(run: string, name: string, title: string): HTMLElement {
  const url = `/api/chart?${runQuery(run)}&name=${name}`;
  const img = h('img', { src: url, alt: title });
  const fig = h('figure', { class: 'chart' }, h('figcaption', {}, title));
  fig.append(
    chartToolbar(() => ({ svg: async () => (await fetch(url)).text() }), title),
    img,
  );
  img.addEventListener('error', () =>
    fig.replaceChildren(
      h('figcaption', {}, title),
      h('p', { class: 'muted' }, 'not drawn: no analysis.json yet (`slurry analyze RUN`), or nothing to draw'),
    ),
  );
  return fig;
}

export function wavesView(app: HTMLElement, q: URLSearchParams): () => void {
  const run = q.get('run') ?? '';
  const axis = axisChoice(q);
  const header = h('div');
  const errors = h('div');
  const verdict = h('section', { class: 'verdict' });
  const figs = h('div', { class: 'grid' });
  const liveChart = new LineChart({
    title: 'Capabilities so far (share of items right, per suite)',
    xLabel: 'tokens',
    yLabel: 'discrete metric',
    logX: axis.logX,
    smoothing: 0,
    yRange: [0, 1],
  });
  let analysisSeen: unknown = undefined;
  const live = new LiveRun(run, (what) => what === 'meta' && redraw());
  app.append(
    header,
    errors,
    verdict,
    axisControls(axis, (a) => liveChart.setOptions({ logX: a.logX })),
    h('div', { class: 'grid' }, liveChart.el),
    figs,
  );

  function redraw(): void {
    const m = live.meta;
    if (!m) return;
    header.replaceChildren(runHeader(m, 'waves'));
    errors.replaceChildren(errorPanel(m.errors) ?? '');
    drawProbes(m);
    if (
      JSON.stringify(m.analysis?.verdict ?? null) !== JSON.stringify(analysisSeen ?? null) ||
      analysisSeen === undefined
    ) {
      analysisSeen = m.analysis?.verdict ?? null;
      const text = m.verdict_text;
      verdict.replaceChildren(
        h('h3', {}, 'Verdict'),
        ...(text.length
          ? text.map((p) => h('p', {}, p))
          : [
              h(
                'p',
                { class: 'muted' },
                'No analysis yet: `slurry analyze RUN` fits the curves and writes the verdict.',
              ),
            ]),
      );
      figs.replaceChildren(...(m.analysis ? CHARTS.map(([name, title]) => svgFigure(run, name, title)) : []));
    }
  }

  function drawProbes(m: RunMeta): void {
    const suites = [...new Set(m.probes.map((p) => p.suite))].sort();
    liveChart.setData(
      suites.map((s, i) => {
        const rows = m.probes.filter((p) => p.suite === s).sort((a, b) => a.tokens - b.tokens);
        return {
          label: s,
          x: rows.map((r) => r.tokens),
          y: rows.map((r) => r.metrics[r.discrete]),
          color: PALETTE[i % PALETTE.length],
          points: false,
        };
      }),
    );
    app.dataset.probes = String(m.probes.length);
  }

  live.open().then(redraw, (err) => errors.replaceChildren(errorPanel([String(err)])!));
  return () => {
    live.close();
    liveChart.destroy();
  };
}
