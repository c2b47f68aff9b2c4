/**
 * `slurry report RUN [RUN2 ...]`: RUN/report/index.html with its charts as SVG and PNG
 * files beside it (the page itself embeds the SVGs, so it is self-contained). Each run's
 * analysis.json is used when it is newer than the run's metrics, probes and interp records;
 * otherwise the run is analysed first (which writes analysis.json).
 */
import { existsSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import { analyzeRun, type AnalyzeOptions } from '../analysis/analyze-run.js';
import { compareRuns } from '../analysis/compare.js';
import type { SeedsAnalysis } from '../analysis/seeds.js';
import { readJsonlStrict } from '../util/jsonl.js';
import { sampleRecordSchema } from '../run/schemas.js';
import { ANALYSIS_VERSION, type Analysis } from '../analysis/types.js';
import { capabilityOf, EXPOSURE_SUITES } from '../run/capabilities.js';
import { runPaths } from '../run/layout.js';
import type { SampleRecord } from '../run/records.js';
import { SlurryError } from '../util/errors.js';
import { writeFileAtomic } from '../util/fs.js';
import { jsonObject, readJsonFile } from '../util/json.js';
import * as charts from './charts.js';
import { ckaToFinalChart, headScoresChart, interpFeatureRows, probeHeatmap, saeMetricsChart } from './interp-charts.js';
import type { InterpData } from '../run/interp-records.js';
import { reportHtml, type ChartFigure, type RunSection } from './html.js';
import { loadInterp } from '../analysis/interp.js';
import { chartWriter } from './render.js';

export interface ReportOptions {
  /** Where index.html and charts/ go (default: the first run's report/ directory). */
  outDir?: string;
  /** Share of the ceiling for the runs' time-to-target comparison (default 0.5). */
  target?: number;
  /** Options for runs that must be (re)analysed first. */
  analyze?: AnalyzeOptions;
  /** Re-analyse every run even when its analysis.json is current. */
  reanalyze?: boolean;
  /**
   * The runs are seeds of one config: the page opens with their verdicts and midpoints
   * side by side and across seeds (analysis/seeds.ts) instead of a time-to-target comparison.
   */
  seeds?: SeedsAnalysis;
}

export interface ReportResult {
  index: string;
  /** Chart files written (SVG and PNG). */
  files: string[];
  /** Which runs were analysed afresh. */
  analysed: string[];
  /** Warnings from the chart renderer (empty when every chart rendered cleanly). */
  warnings: string[];
}

export async function writeReport(runDirs: string[], opts: ReportOptions = {}): Promise<ReportResult> {
  if (runDirs.length === 0) throw new SlurryError('report: name at least one run directory');
  const outDir = opts.outDir ?? runPaths(runDirs[0]).reportDir;
  const labels = runLabels(runDirs);
  const analysed: string[] = [];
  const warnings: string[] = [];
  const files: string[] = [];
  const several = runDirs.length > 1;

  const loaded = runDirs.map((run) => {
    const { analysis, fresh } = loadOrAnalyze(run, opts);
    if (fresh) analysed.push(run);
    return analysis;
  });
  // The comparison is computed before rendering so a bad --target fails fast.
  const comparison =
    several && !opts.seeds
      ? compareRuns(
          labels.map((label, i) => ({ label, analysis: loaded[i] })),
          opts.target ?? 0.5,
        )
      : null;

  const render = chartWriter(outDir, { files, warnings });

  const sections: RunSection[] = [];
  for (let i = 0; i < runDirs.length; i++) {
    const a = loaded[i];
    const prefix = several ? `run${i + 1}-` : '';
    const figures: ChartFigure[] = [];
    for (const c of chartList(a)) if (c.spec) figures.push(await render(prefix + c.id, c.spec, c.caption));
    const waves = wavesFigure(a);
    const lead = waves.spec ? await render(prefix + 'waves', waves.spec, waves.caption) : null;
    const interp = loadInterp(runDirs[i]);
    let interpPanels: RunSection['interp'] = null;
    if (interp && interp.records.length > 0) {
      const panels: ChartFigure[] = [];
      for (const c of interpChartList(a, interp))
        if (c.spec) panels.push(await render(prefix + c.id, c.spec, c.caption));
      interpPanels = { charts: panels, features: interpFeatureRows(interp) };
    }
    sections.push({
      label: labels[i],
      analysis: a,
      samples: readSamples(runDirs[i]),
      config: readConfig(runDirs[i]),
      lead,
      charts: figures,
      interp: interpPanels,
    });
  }

  let comparisonModel = null;
  if (comparison) {
    const rows = comparison.capabilities.flatMap((c) =>
      c.times.flatMap((t, r) =>
        t.tokens === null
          ? []
          : [{ run: comparison.runs[r], capability: c.name, tokens: t.tokens, lo: t.lo, hi: t.hi }],
      ),
    );
    const spec = charts.timeToTargetChart(rows, comparison.target, comparison.runs);
    const chart = spec
      ? await render(
          'time-to-target',
          spec,
          `Tokens each run needed to bring each capability to ${Math.round(comparison.target * 100)}% of its ceiling (discrete metrics).`,
        )
      : null;
    const across: ChartFigure[] = [];
    const runs = labels.map((label, i) => ({ label, analysis: loaded[i] }));
    for (const name of comparison.capabilities.map((c) => c.name)) {
      const acrossSpec = charts.capabilityAcrossRunsChart(runs, name, comparison.metric);
      if (acrossSpec)
        across.push(
          await render(
            `across-${slug(name)}`,
            acrossSpec,
            `${name} in every run on one token axis (${comparison.metric === 'd' ? 'discrete' : 'continuous'} metric), normalised between chance (0) and ceiling (1), with each run's logistic fit; the dotted line is ${Math.round(100 * loaded[0].definitions.midpointLevel)}% of the range. ${step0Note(loaded[0])}`,
          ),
        );
    }
    comparisonModel = { comparison, chart, across };
  }

  const index = join(outDir, 'index.html');
  writeFileAtomic(index, reportHtml({ runs: sections, comparison: comparisonModel, seeds: opts.seeds ?? null }));
  return { index, files, analysed, warnings };
}

const step0Note = (a: Analysis) =>
  `The step-0 checkpoint (0 tokens) is the diamond ${a.definitions.step0PlotOffsetDecades} decades left of the first checkpoint.`;

/** The chart each run's section leads with. */
function wavesFigure(a: Analysis): { spec: TopLevelSpec | null; caption: string } {
  const metricWord = a.verdict.metric === 'd' ? 'discrete' : 'continuous';
  const half = `${Math.round(100 * a.definitions.midpointLevel)}%`;
  return {
    spec: charts.wavesChart(a, a.verdict.metric),
    caption:
      `The waves: every capability's ${metricWord} curve normalised between chance (0) and ceiling (1) against tokens (log scale), ` +
      `with its logistic fit. The dotted line is ${half} of the range; a triangle marks where a capability crosses it (its midpoint), ` +
      `the bar its 95% interval. Dashed, faint curves never crossed it inside the run (their status and last level in the legend) ` +
      `and stay out of the verdict. ${step0Note(a)}`,
  };
}

function chartList(a: Analysis): { id: string; spec: TopLevelSpec | null; caption: string }[] {
  const metricWord = a.verdict.metric === 'd' ? 'discrete' : 'continuous';
  const step0 = step0Note(a);
  const list = [
    {
      id: 'loss',
      spec: charts.lossChart(a),
      caption: `Training loss averaged in bins of ${a.definitions.lossBinDecades} decades of tokens, and validation loss; dashed lines are reference losses reported by the tokens probe.`,
    },
    {
      id: 'timeline',
      spec: charts.timelineChart(a),
      caption: `Stage timeline: each capability's learning window from onset (10% of its own rise) to saturation (90%); the tick is the midpoint (where it crosses half of its chance-to-ceiling range), the whisker its 95% bootstrap interval. Capabilities that did not cross it inside the run are left out (see the summary).`,
    },
    { id: 'sources', spec: charts.sourcesChart(a), caption: 'Loss per corpus source against tokens seen.' },
    ...a.exposure.map((e) => ({
      id: e.suite,
      spec: charts.factsChart(a, e.suite),
      caption: `${capabilityOf(e.suite)?.exposure?.caption ?? e.suite}, by how often they occur in the training corpus (exposure bucket), normalised. ${step0}`,
    })),
    {
      id: 'metrics',
      spec: charts.metricsChart(a),
      caption:
        'Each capability under its discrete metric (red) and its continuous metric (blue) on the same items: a step in red over a gradual blue curve is emergence made by the metric.',
    },
    ...a.groups
      .filter((g) => !EXPOSURE_SUITES.includes(g.suite))
      .map((g) => ({
        id: `groups-${slug(g.suite)}`,
        spec: charts.groupsChart(a, g.suite),
        caption:
          `Groups of the ${g.suite} suite, fitted apart (${metricWord} metric)` +
          (g.groups.length > charts.MAX_GROUPS_CHARTED
            ? `; the ${charts.MAX_GROUPS_CHARTED} with most items of ${g.groups.length} (all are in the groups table)`
            : '') +
          `. ${step0}`,
      })),
  ];
  return list;
}

function interpChartList(a: Analysis, d: InterpData): { id: string; spec: TopLevelSpec | null; caption: string }[] {
  const axis = { x0: charts.firstNonzeroTokens(a), offset: a.definitions.step0PlotOffsetDecades };
  const step0 = step0Note(a);
  return [
    {
      id: 'interp-curves',
      spec: charts.interpCurvesChart(a),
      caption: `The internal measures fitted like the capabilities (analysis.json's interp curves), each normalised between its chance or starting level (0) and its ceiling (1). ${step0}`,
    },
    {
      id: 'interp-probes',
      spec: probeHeatmap(d),
      caption:
        'Held-out accuracy of a linear probe on the residual stream at each layer (rows) and checkpoint (columns), for part-of-speech tags and for the source of each token.',
    },
    {
      id: 'interp-cka',
      spec: ckaToFinalChart(d, axis),
      caption: `Linear CKA of each layer's representation with the same layer at the final checkpoint (1 = the same up to rotation and scale). ${step0}`,
    },
    {
      id: 'interp-heads',
      spec: headScoresChart(d, axis),
      caption: `The best head of each attention score on repeated random sequences, and (dashed) the score uniform causal attention gets on the same queries. ${step0}`,
    },
    {
      id: 'interp-sae',
      spec: saeMetricsChart(d, axis),
      caption: `The sparse autoencoder trained on each checkpoint: active latents per token, dead latents, the variance it leaves unexplained and the share of the loss it recovers when it replaces the activation (missing while ablating the site costs almost nothing). ${step0}`,
    },
  ];
}

const slug = (s: string) => s.replace(/[^A-Za-z0-9_-]+/g, '_');

function runLabels(runs: string[]): string[] {
  const names = runs.map((r) => basename(resolve(r)));
  return names.map((n, i) => (names.indexOf(n) !== i || names.lastIndexOf(n) !== i ? `${n} (${i + 1})` : n));
}

function loadOrAnalyze(run: string, opts: ReportOptions): { analysis: Analysis; fresh: boolean } {
  const p = runPaths(run);
  if (!opts.reanalyze && existsSync(p.analysis)) {
    const mtime = statSync(p.analysis).mtimeMs;
    const inputsNewer = [p.metrics, p.probes, p.interp, p.interpAcross].some(
      (f) => existsSync(f) && statSync(f).mtimeMs > mtime,
    );
    if (!inputsNewer) {
      const stored = readJsonFile(p.analysis, jsonObject, `run \`slurry analyze ${run}\` again`);
      // A current version is this program's own output, read as written.
      if (stored.version === ANALYSIS_VERSION) return { analysis: stored as unknown as Analysis, fresh: false };
    }
  }
  return { analysis: analyzeRun(run, opts.analyze), fresh: true };
}

function readSamples(run: string): SampleRecord[] {
  const file = runPaths(run).samples;
  if (!existsSync(file)) return [];
  const byStep = new Map<number, SampleRecord>();
  for (const r of readJsonlStrict(file, sampleRecordSchema)) byStep.set(r.step, r);
  return [...byStep.values()].sort((a, b) => a.step - b.step);
}

function readConfig(run: string): Record<string, unknown> | null {
  const file = runPaths(run).config;
  return existsSync(file) ? readJsonFile(file, jsonObject) : null;
}
