/**
 * `slurry report DIR` on a sweep directory: DIR/report/index.html with the curves across
 * seeds, capability against compute (discrete and continuous side by side), tokens to a
 * target across groups with intervals across seeds, and a table of every cell. Reads each
 * done cell's analysis.json (analysing a done cell that lacks one); cells not done yet are
 * listed with their status.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import { analyzeRun } from '../analysis/analyze-run.js';
import { formatTokens } from '../analysis/format.js';
import type { Analysis } from '../analysis/types.js';
import { timeToTargetChart } from '../report/charts.js';
import { escapeHtml as e, figure, STYLE, type ChartFigure } from '../report/html.js';
import { chartWriter } from '../report/render.js';
import { runPaths } from '../run/layout.js';
import { SlurryError } from '../util/errors.js';
import { writeFileAtomic } from '../util/fs.js';
import { summarizeSweep, type CellInput, type SweepSummary, type TargetRow } from './aggregate.js';
import { cellStatus, readCellRecord, type CellStatus } from './cell-state.js';
import { computeChart, seedCurvesChart } from './charts.js';
import { readSweepManifest, type SweepManifest } from './manifest.js';

export interface SweepReportResult {
  index: string;
  files: string[];
  warnings: string[];
}

interface CellRow {
  hash: string;
  label: string;
  status: CellStatus;
  parameters: number;
  tokens: number;
  seconds: number | null;
  trainLoss: number | null;
  valLoss: number | null;
  finals: Record<string, number>;
  error: string | null;
}

export async function writeSweepReport(
  dir: string,
  opts: { outDir?: string; target?: number } = {},
): Promise<SweepReportResult> {
  const manifest = readSweepManifest(dir);
  const outDir = opts.outDir ?? join(dir, 'report');
  const target = opts.target ?? 0.5;
  const inputs: CellInput[] = [];
  const rows: CellRow[] = [];
  for (const cell of manifest.cells) {
    const run = resolve(dir, cell.dir);
    const status = cellStatus(run);
    const analysis = status === 'done' ? readAnalysis(run) : null;
    inputs.push({ hash: cell.hash, values: cell.values, parameters: cell.parameters, analysis });
    rows.push(cellRow(run, cell, status, analysis));
  }
  const summary = summarizeSweep(inputs, target);
  if (!summary.groups.some((g) => g.done > 0))
    throw new SlurryError(`${dir}: no cell is done yet; run the sweep first (slurry sweep ... --out ${dir})`);

  const files: string[] = [];
  const warnings: string[] = [];
  const write = chartWriter(outDir, { files, warnings });
  const render = (id: string, spec: TopLevelSpec | null, caption: string) => (spec ? write(id, spec, caption) : null);

  const targetRows = summary.targets
    .filter((t) => t.metric === 'd' && t.tokens !== null)
    .map((t) => ({ run: t.group, capability: t.capability, tokens: t.tokens!, lo: t.lo, hi: t.hi }));
  const figures = [
    await render(
      'seeds-discrete',
      seedCurvesChart(summary.curves, 'd'),
      'Each capability under its discrete metric across the seeds of each group: mean and 95% Student-t interval at every checkpoint.',
    ),
    await render(
      'seeds-continuous',
      seedCurvesChart(summary.curves, 'c'),
      'The same under the continuous metric (log-probabilities, margins) on the same items.',
    ),
    await render(
      'compute',
      computeChart(summary.curves),
      'Capability against training compute 6 N D (N: non-embedding parameters, D: tokens seen at each checkpoint), one line per group. A jump in the discrete column over a smooth continuous column is emergence made by the metric (Schaeffer et al. 2023); a jump in both is a real one (Wei et al. 2022).',
    ),
    await render(
      'tokens-to-target',
      timeToTargetChart(
        targetRows,
        target,
        summary.groups.map((g) => g.label),
      ),
      `Tokens to ${Math.round(target * 100)}% of the ceiling (discrete metric): geometric mean over the seeds that reached it, whiskers a 95% t interval across them.`,
    ),
  ].filter((f): f is ChartFigure => f !== null);

  const index = join(outDir, 'index.html');
  writeFileAtomic(index, sweepHtml(manifest, summary, rows, figures, target));
  return { index, files, warnings };
}

function readAnalysis(run: string): Analysis {
  const path = runPaths(run).analysis;
  if (!existsSync(path)) return analyzeRun(run);
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Analysis;
  } catch (err) {
    throw new SlurryError(`${path}: not valid JSON (${(err as Error).message}); run \`slurry analyze ${run}\` again`);
  }
}

function cellRow(
  run: string,
  cell: SweepManifest['cells'][number],
  status: CellStatus,
  analysis: Analysis | null,
): CellRow {
  const record = readCellRecord(run);
  const last = lastLosses(run);
  const finals = Object.fromEntries(
    (analysis?.capabilities ?? []).flatMap((c) => {
      const p = c.discrete.points[c.discrete.points.length - 1];
      return p ? [[c.name, p.normalized]] : [];
    }),
  );
  return {
    hash: cell.hash,
    label: cell.label,
    status,
    parameters: cell.parameters,
    tokens: cell.tokens,
    seconds: record?.seconds ?? null,
    ...last,
    finals,
    error: record?.error ?? null,
  };
}

/** The last training loss and the last validation loss in RUN/metrics.jsonl. */
function lastLosses(run: string): { trainLoss: number | null; valLoss: number | null } {
  const path = runPaths(run).metrics;
  if (!existsSync(path)) return { trainLoss: null, valLoss: null };
  let trainLoss: number | null = null;
  let valLoss: number | null = null;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      const r = JSON.parse(line) as { type?: string; loss?: number };
      if (r.type === 'train' && typeof r.loss === 'number') trainLoss = r.loss;
      if (r.type === 'val' && typeof r.loss === 'number') valLoss = r.loss;
    } catch {
      // A torn last line (a crash mid-write) carries nothing the table needs.
    }
  }
  return { trainLoss, valLoss };
}

const num = (x: number | null, digits = 3) => (x === null || !Number.isFinite(x) ? '–' : x.toFixed(digits));

function sweepHtml(m: SweepManifest, s: SweepSummary, rows: CellRow[], figures: ChartFigure[], target: number): string {
  const title = `slurry sweep: ${m.where}`;
  const done = rows.filter((r) => r.status === 'done').length;
  const capabilities = [...new Set(rows.flatMap((r) => Object.keys(r.finals)))];
  const groups = `<table><tr><th>group</th><th>non-embedding parameters</th><th>cells</th><th>done</th></tr>${s.groups
    .map(
      (g) =>
        `<tr><td>${e(g.label)}</td><td class="num">${g.parameters.toLocaleString('en-US')}</td><td class="num">${g.cells}</td><td class="num">${g.done}</td></tr>`,
    )
    .join('')}</table>`;
  const cells = `<table><tr><th>cell</th><th>axes</th><th>status</th><th>N</th><th>tokens</th><th>train loss</th><th>val loss</th><th>seconds</th>${capabilities
    .map((c) => `<th>${e(c)}</th>`)
    .join('')}</tr>${rows
    .map(
      (r) =>
        `<tr><td><a href="../${e(join('cells', r.hash))}">${e(r.hash)}</a></td><td>${e(r.label)}</td><td${r.error ? ` title="${e(r.error)}"` : ''}>${r.status}</td>` +
        `<td class="num">${r.parameters.toLocaleString('en-US')}</td><td class="num">${formatTokens(r.tokens)}</td><td class="num">${num(r.trainLoss)}</td>` +
        `<td class="num">${num(r.valLoss)}</td><td class="num">${num(r.seconds, 1)}</td>${capabilities.map((c) => `<td class="num">${num(r.finals[c] ?? null, 2)}</td>`).join('')}</tr>`,
    )
    .join('')}</table>`;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(title)}</title><style>${STYLE}</style></head>
<body>
<h1>${e(title)}</h1>
<p>${rows.length} cells over ${m.axes.map((a) => `<code>${e(a)}</code>`).join(', ')}; ${done} done. Cells that differ only in <code>seed</code> or <code>data.seed</code> form a group; intervals are 95% Student-t intervals across a group's seeds (none with one seed).</p>
<h2>Groups</h2>${groups}
<h2>Charts</h2>${figures.map(figure).join('\n')}
<h2>Tokens to ${Math.round(target * 100)}% of the ceiling</h2>${targetTable(s.targets)}
<h2>Every cell</h2><p class="muted">Capability columns: the last checkpoint's discrete metric, normalised (0 chance, 1 ceiling).</p>${cells}
</body></html>
`;
}

function targetTable(targets: TargetRow[]): string {
  const cell = (t: TargetRow | undefined) =>
    !t
      ? '–'
      : t.tokens === null
        ? `not reached (0/${t.seeds})`
        : `${formatTokens(t.tokens)}${t.lo !== null ? ` [${formatTokens(t.lo)}, ${formatTokens(t.hi!)}]` : ''} (${t.reached}/${t.seeds})`;
  const groups = [...new Set(targets.map((t) => t.group))];
  const capabilities = [...new Set(targets.map((t) => t.capability))];
  const head = `<tr><th>group</th>${capabilities.map((c) => `<th>${e(c)} (discrete)</th><th>${e(c)} (continuous)</th>`).join('')}</tr>`;
  const body = groups
    .map(
      (g) =>
        `<tr><td>${e(g)}</td>${capabilities
          .map((c) =>
            ['d', 'c']
              .map(
                (m) =>
                  `<td class="num">${e(cell(targets.find((t) => t.group === g && t.capability === c && t.metric === m)))}</td>`,
              )
              .join(''),
          )
          .join('')}</tr>`,
    )
    .join('');
  return `<p class="muted">Geometric mean over the seeds that reached the target, [95% interval], (seeds reached / seeds).</p><table>${head}${body}</table>`;
}
