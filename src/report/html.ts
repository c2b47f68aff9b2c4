/**
 * The report page: one self-contained HTML file (charts as SVG data URIs, styles inline,
 * no script, nothing fetched). Pure: a model in, a string out.
 */
import type { RunComparison } from '../analysis/compare.js';
import type { SeedsAnalysis } from '../analysis/seeds.js';
import { formatLog10, formatTokens } from '../analysis/format.js';
import type { Analysis, CurveAnalysis, Estimate, Position } from '../analysis/types.js';
import type { SampleRecord } from '../run/records.js';
import type { FeatureRow } from './interp-charts.js';
import { definitionsList, summaryParagraphs, VERDICT_LABEL, wavesAnswer } from './summary.js';

export interface ChartFigure {
  id: string;
  svg: string;
  caption: string;
  /** Paths of the chart's files, relative to the page. */
  pngFile: string;
  svgFile: string;
}

export interface RunSection {
  label: string;
  analysis: Analysis;
  samples: SampleRecord[];
  config: Record<string, unknown> | null;
  /** The chart the run's section leads with (the waves), before the summary. */
  lead: ChartFigure | null;
  charts: ChartFigure[];
  /** The panels of `slurry interp`, when the run has interp records. */
  interp: { charts: ChartFigure[]; features: FeatureRow[] } | null;
}

export interface ReportModel {
  runs: RunSection[];
  comparison: { comparison: RunComparison; chart: ChartFigure | null; across: ChartFigure[] } | null;
  /** The runs are seeds of one config: verdicts and midpoints across seeds. */
  seeds: SeedsAnalysis | null;
}

export function escapeHtml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const e = escapeHtml;

/** The page style of slurry's reports (shared by the grokking report). */
export const STYLE = `
body{font-family:'DejaVu Sans',Helvetica,Arial,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}
h1{font-size:1.6em;margin-bottom:.2em}h2{border-bottom:1px solid #ddd;padding-bottom:.2em;margin-top:2em}
.verdict{font-size:1.25em;padding:.6em .9em;background:#f4f6fa;border-left:5px solid #4c78a8}.answer{font-size:1.05em}
figure{margin:1.5em 0}figure img{max-width:100%;height:auto;border:1px solid #eee}
figcaption{font-size:.9em;color:#555}table{border-collapse:collapse;font-size:.88em;margin:1em 0}
td,th{border:1px solid #ddd;padding:.25em .5em;vertical-align:top;text-align:left}th{background:#f4f4f4}
td.num{text-align:right;font-variant-numeric:tabular-nums}.muted{color:#777}.samples td{max-width:320px;white-space:pre-wrap;font-family:'DejaVu Sans Mono',monospace;font-size:.85em}
details pre{white-space:pre-wrap;font-size:.8em;background:#f8f8f8;padding:.6em}
`;

export function reportHtml(model: ReportModel): string {
  const title =
    model.runs.length === 1
      ? `slurry report: ${model.runs[0].label}`
      : `slurry report: ${model.runs.map((r) => r.label).join(' vs ')}`;
  const body: string[] = [`<h1>${e(title)}</h1>`];
  if (model.seeds) body.push(seedsSection(model.seeds));
  if (model.comparison)
    body.push(comparisonSection(model.comparison.comparison, model.comparison.chart, model.comparison.across));
  for (const run of model.runs) body.push(runSection(run, model.runs.length > 1));
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(title)}</title><style>${STYLE}</style></head>
<body>
${body.join('\n')}
</body></html>
`;
}

/** A chart as an inline SVG image with its caption and links to the PNG and SVG files. */
export function figure(c: ChartFigure): string {
  const src = `data:image/svg+xml;base64,${Buffer.from(c.svg).toString('base64')}`;
  return `<figure id="${e(c.id)}"><img src="${src}" alt="${e(c.caption)}">
<figcaption>${e(c.caption)} <a href="${e(c.pngFile)}">PNG</a> · <a href="${e(c.svgFile)}">SVG</a></figcaption></figure>`;
}

function runSection(run: RunSection, several: boolean): string {
  const a = run.analysis;
  const h = several ? `<h2>Run ${e(run.label)}</h2>` : '';
  const parts: string[] = [h];
  parts.push(
    `<p class="verdict" id="${several ? `verdict-${e(run.label)}` : 'verdict'}">Verdict: <strong>${e(VERDICT_LABEL[a.verdict.verdict])}</strong> <span class="muted">(${a.verdict.metric === 'd' ? 'discrete' : 'continuous'} metrics; ${a.capabilities.length} capabilities probed at ${a.checkpoints.length} checkpoints)</span></p>`,
  );
  if (run.lead) parts.push(figure(run.lead));
  parts.push(`<p class="answer">${e(wavesAnswer(a))}</p>`);
  parts.push(
    `<section class="summary"><h2>Summary</h2>${summaryParagraphs(a)
      .map((p) => `<p>${e(p)}</p>`)
      .join('\n')}</section>`,
  );
  parts.push(`<h2>Charts</h2>`, ...run.charts.map(figure));
  parts.push(
    `<h2>Capabilities</h2>`,
    capabilityTable(a),
    `<h3>Adjacent pairs in midpoint order</h3>`,
    pairsTable(a),
    `<h3>Time to a share of the ceiling</h3>`,
    timeToTargetTable(a),
  );
  if (a.groups.length > 0) parts.push(`<h3>Groups</h3>`, groupsTable(a));
  parts.push(`<h2>Transitions</h2>`, transitionsTable(a));
  if (run.interp) parts.push(interpSection(a, run.interp.charts, run.interp.features));
  parts.push(`<h2>Samples per checkpoint</h2>`, samplesTable(run.samples));
  if (a.problems.length + a.warnings.length > 0) {
    parts.push(
      `<h2>Problems and warnings</h2><ul>${a.problems.map((p) => `<li>${e(`${p.subject}: ${p.what}. To get it: ${p.fix}.`)}</li>`).join('')}${a.warnings.map((w) => `<li class="muted">${e(w)}</li>`).join('')}</ul>`,
    );
  }
  parts.push(
    `<h2>Definitions</h2><ul>${definitionsList(a.definitions)
      .map((d) => `<li>${e(d)}</li>`)
      .join('')}</ul>`,
  );
  parts.push(
    `<p class="muted">Analysis: seed ${a.settings.seed}, ${a.settings.resamples} bootstrap resamples, every number above from ${e(a.run)}/analysis.json.</p>`,
  );
  if (run.config)
    parts.push(`<details><summary>Run config</summary><pre>${e(JSON.stringify(run.config, null, 2))}</pre></details>`);
  return `<section class="run">${parts.join('\n')}</section>`;
}

const ci = (x: Estimate | Position | null, fmt: (v: number) => string): string => {
  if (!x) return '';
  const lo = x.lo === null ? 'open' : fmt(x.lo);
  const hi = x.hi === null ? 'open' : fmt(x.hi);
  return `${fmt(x.value)} <span class="muted">[${lo}, ${hi}]</span>`;
};
const pos = (p: Position | null) => ci(p, formatLog10);
const dec = (x: Estimate | null) => ci(x, (v) => v.toFixed(2));

function curveCells(c: CurveAnalysis): string {
  return [
    `<td>${e(c.metricName)}</td>`,
    `<td title="${e(c.message ?? '')}">${e(c.status.replace(/_/g, ' '))}${c.flags.poorFit ? ' (poor fit)' : ''}</td>`,
    `<td class="num">${pos(c.onset)}</td>`,
    `<td class="num">${pos(c.midpoint)}</td>`,
    `<td class="num">${pos(c.shapeMidpoint)}</td>`,
    `<td class="num">${pos(c.saturation)}</td>`,
    `<td class="num">${dec(c.width)}</td>`,
    `<td class="num">${c.fit?.r2 === null || c.fit === null ? '' : c.fit.r2.toFixed(3)}</td>`,
    `<td class="num">${c.lastLevel === null ? '' : c.lastLevel.toFixed(2)}</td>`,
    `<td class="num">${ceilingText(c)}</td>`,
  ].join('');
}

/** The metric's ceiling, or "best" when none is defined (scaled to the run's best mean). */
function ceilingText(c: CurveAnalysis): string {
  const v = Math.abs(c.ceiling) >= 100 ? c.ceiling.toFixed(0) : String(Number(c.ceiling.toPrecision(3)));
  return c.ceilingKind === 'defined' ? e(v) : `<span class="muted">none (best ${e(v)})</span>`;
}

function capabilityTable(a: Analysis): string {
  const rows = a.capabilities.flatMap((c) => [
    `<tr><td rowspan="2">${e(c.name)}</td><td rowspan="2" class="num">${c.items}</td>${curveCells(c.discrete)}<td rowspan="2" class="num">${dec(c.metricComparison.widthRatio)}</td><td rowspan="2">${e(c.metricComparison.finding.replace(/_/g, ' '))}</td></tr>`,
    `<tr>${curveCells(c.continuous)}</tr>`,
  ]);
  return `<table><tr><th>capability</th><th>items</th><th>metric</th><th>status</th><th>onset (tokens)</th><th>midpoint (50% of range)</th><th>shape midpoint</th><th>saturation</th><th>width (decades)</th><th>R²</th><th>last level</th><th>ceiling</th><th>width ratio d/c</th><th>metric check</th></tr>${rows.join('')}</table>
<p class="muted">Brackets: ${Math.round(a.definitions.ciLevel * 100)}% bootstrap intervals; open = beyond the probed checkpoints. Midpoint: where the curve crosses half of its chance-to-ceiling range; shape midpoint: the middle of its own fitted rise (secondary). Last level: the fitted curve at the last checkpoint, 0 = chance, 1 = ceiling.</p>`;
}

function pairsTable(a: Analysis): string {
  if (a.verdict.adjacent.length === 0) return `<p class="muted">Fewer than two capabilities enter the verdict.</p>`;
  const rows = a.verdict.adjacent.map(
    (p) =>
      `<tr><td>${e(p.earlier)} → ${e(p.later)}</td><td class="num">${dec(p.separation)}</td><td class="num">${p.overlap.toFixed(2)}</td><td>${p.checkpointBetween ? 'yes' : 'no'}</td><td>${p.orderResolved ? 'yes' : 'no'}</td><td>${e(p.relation)}</td></tr>`,
  );
  return `<table><tr><th>pair</th><th>separation (decades)</th><th>window overlap</th><th>checkpoint between</th><th>order resolved</th><th>relation</th></tr>${rows.join('')}</table>`;
}

function timeToTargetTable(a: Analysis): string {
  const targets = a.definitions.targets;
  const rows = a.capabilities.map((c) => {
    const cells = c.discrete.timeToTarget.map((t) =>
      t.status === 'reached'
        ? `<td class="num">${pos(t.at)}</td>`
        : `<td class="muted">${t.status === 'before_first' ? 'by the first checkpoint' : 'not reached'}</td>`,
    );
    return `<tr><td>${e(c.name)}</td>${cells.join('')}</tr>`;
  });
  return `<table><tr><th>capability (discrete)</th>${targets.map((t) => `<th>${Math.round(t * 100)}% of ceiling</th>`).join('')}</tr>${rows.join('')}</table>`;
}

function groupsTable(a: Analysis): string {
  const rows = a.groups.flatMap((g) =>
    g.groups.map(
      (x) =>
        `<tr><td>${e(g.suite)}</td><td>${e(x.group)}</td><td class="num">${x.curve.items}</td>${curveCells(x.curve)}</tr>`,
    ),
  );
  return `<table><tr><th>suite</th><th>group</th><th>items</th><th>metric</th><th>status</th><th>onset</th><th>midpoint</th><th>shape midpoint</th><th>saturation</th><th>width</th><th>R²</th><th>last level</th><th>ceiling</th></tr>${rows.join('')}</table>`;
}

function transitionsTable(a: Analysis): string {
  const rows = [
    ...a.transitions.capabilities.map(
      (t) =>
        `<tr><td>${e(t.subject)} (${e(t.metricName)})</td><td>${e(t.kind.replace('_', ' '))}</td><td class="num">${formatTokens(t.tokens)}</td><td class="num">${t.slopeBefore.toFixed(2)} → ${t.slopeAfter.toFixed(2)} per decade</td><td class="num">${t.z === null ? '' : t.z.toFixed(1)}</td></tr>`,
    ),
    ...a.transitions.loss.map(
      (t) =>
        `<tr><td>training loss</td><td>${e(t.kind.replace('_', ' '))}</td><td class="num">${formatTokens(t.tokens)}${t.peakTokens ? ` → ${formatTokens(t.peakTokens)}` : ''}</td><td class="num">${t.kind === 'bump' ? `+${t.size.toFixed(3)} nats` : `${Math.abs(t.size).toFixed(2)} nats per decade`}</td><td class="num">${t.z === null ? '' : t.z.toFixed(1)}</td></tr>`,
    ),
  ];
  if (rows.length === 0) return `<p class="muted">None found at the thresholds in the definitions.</p>`;
  return `<table><tr><th>where</th><th>kind</th><th>tokens</th><th>size</th><th>z</th></tr>${rows.join('')}</table>`;
}

/** `slurry interp`'s curves against behaviour in words, its panels, and the top SAE features. */
function interpSection(a: Analysis, charts: ChartFigure[], features: FeatureRow[]): string {
  const statements = a.interp?.statements ?? [];
  const parts = [
    `<h2 id="inside">Inside the model</h2>`,
    `<ul>${statements.map((s) => `<li>${e(s)}</li>`).join('')}</ul>`,
    ...charts.map(figure),
  ];
  if (features.length) {
    const rows = features.map(
      (f) =>
        `<tr><td class="num">${f.step}</td><td class="num">${e(formatTokens(f.tokens))}</td><td class="num">${f.feature}</td><td class="num">${f.density.toPrecision(2)}</td><td class="samples">${f.contexts
          .map((c) => `…${e(c.text)}<mark>${e(c.token)}</mark> <span class="muted">${c.activation.toFixed(2)}</span>`)
          .join('<br>')}</td></tr>`,
    );
    parts.push(
      `<h3>Top SAE features</h3><table><tr><th>step</th><th>tokens</th><th>feature</th><th>firing frequency</th><th>top-activating contexts (the highlighted token fires it; activation in grey)</th></tr>${rows.join('')}</table>`,
    );
  }
  return parts.join('\n');
}

function samplesTable(samples: SampleRecord[]): string {
  if (samples.length === 0) return `<p class="muted">No samples.jsonl in this run.</p>`;
  const prompts: string[] = [];
  for (const s of samples) for (const x of s.samples) if (!prompts.includes(x.prompt)) prompts.push(x.prompt);
  const head = `<tr><th>step</th><th>tokens</th>${prompts.map((p) => `<th>${e(p)}</th>`).join('')}</tr>`;
  const rows = samples.map((s) => {
    const cells = prompts.map((p) => {
      const x = s.samples.find((y) => y.prompt === p);
      return x ? `<td>${e(x.greedy)}<br><span class="muted">${e(x.sampled)}</span></td>` : '<td></td>';
    });
    return `<tr><td class="num">${s.step}</td><td class="num">${formatTokens(s.tokens)}</td>${cells.join('')}</tr>`;
  });
  return `<table class="samples">${head}${rows.join('')}</table><p class="muted">Each cell: greedy continuation, then a sampled one (grey).</p>`;
}

function comparisonSection(c: RunComparison, chart: ChartFigure | null, across: ChartFigure[]): string {
  const share = `${Math.round(c.target * 100)}%`;
  const cell = (t: RunComparison['capabilities'][number]['times'][number]) =>
    t.tokens === null
      ? `<td class="muted">${e(t.status.replace(/_/g, ' '))}</td>`
      : `<td class="num">${formatTokens(t.tokens)} <span class="muted">[${t.lo === null ? 'open' : formatTokens(t.lo)}, ${t.hi === null ? 'open' : formatTokens(t.hi)}]</span></td>`;
  const ratio = (r: RunComparison['capabilities'][number]['ratios'][number]) =>
    r === null
      ? '<td class="muted">n/a</td>'
      : `<td class="num">${r.value.toFixed(2)}× <span class="muted">[${r.lo === null ? 'open' : r.lo.toFixed(2)}, ${r.hi === null ? 'open' : r.hi.toFixed(2)}]</span></td>`;
  const head = `<tr><th>capability</th>${c.runs.map((r) => `<th>${e(r)}: tokens</th>`).join('')}${c.runs
    .slice(1)
    .map((r) => `<th>${e(r)} / ${e(c.runs[0])}</th>`)
    .join('')}</tr>`;
  const rows = c.capabilities.map(
    (x) => `<tr><td>${e(x.name)}</td>${x.times.map(cell).join('')}${x.ratios.slice(1).map(ratio).join('')}</tr>`,
  );
  return `<section class="comparison"><h2>Comparison: tokens to reach ${share} of the ceiling</h2>
${chart ? figure(chart) : ''}
<table>${head}${rows.join('')}</table>
<p class="muted">Time to target from each run's fitted ${c.metric === 'd' ? 'discrete' : 'continuous'} curve; ratios are relative to ${e(c.runs[0])} (below 1: faster). Ratio intervals pair the outer ends of both runs' 95% intervals (conservative).</p>
${across.length ? `<h3>Each capability across runs</h3>\n${across.map(figure).join('\n')}` : ''}</section>`;
}

function seedsSection(s: SeedsAnalysis): string {
  const level = `${Math.round(s.ciLevel * 100)}%`;
  const head = `<tr><th>capability</th>${s.seeds.map((x) => `<th>${e(x.label)}</th>`).join('')}<th>across seeds</th><th>crossed in</th></tr>`;
  const rows = s.capabilities.map((c) => {
    const cells = c.perSeed.map((p) =>
      p.midpoint
        ? `<td class="num">${pos(p.midpoint)}</td>`
        : `<td class="muted">${e(p.status.replace(/_/g, ' '))}${p.lastLevel === null ? '' : `, ${Math.round(100 * p.lastLevel) + 0}% at the end`}</td>`,
    );
    const a = c.acrossSeeds;
    const across = a
      ? `<td class="num">${pos(a)} <span class="muted">range ${formatLog10(a.min)} to ${formatLog10(a.max)}</span></td>`
      : `<td class="muted">not every seed crossed</td>`;
    return `<tr><td>${e(c.name)}</td>${cells.join('')}${across}<td class="num">${c.crossed} of ${s.seeds.length}</td></tr>`;
  });
  const verdicts = s.seeds.map((x) => `${x.label} (seed ${x.seed}): ${VERDICT_LABEL[x.verdict]}`).join('; ');
  return `<section class="seeds"><h2>Across ${s.seeds.length} seeds</h2>
<p class="verdict" id="verdict-seeds">Verdict across seeds: <strong>${e(VERDICT_LABEL[s.verdict.verdict])}</strong> <span class="muted">(${e(s.verdict.reason)})</span></p>
<p>Per seed: ${e(verdicts)}.</p>
<table>${head}${rows.join('')}</table>
<p class="muted">Midpoints (where a capability crosses half of its chance-to-ceiling range, ${s.metric === 'd' ? 'discrete' : 'continuous'} metrics), in tokens. Per seed: brackets are ${level} bootstrap intervals over probe items. Across seeds: the mean of the seeds' midpoints in log tokens with a ${level} Student-t interval over seeds, and their range; given only when every seed crossed.</p></section>`;
}
