/**
 * The report page of a grokking run (RUN/report/index.html) and of a comparison
 * (DIR/report/index.html): the numbers that matter (memorisation and grokking steps, their
 * ratio, wall time), the charts, and the definitions of every measure. Charts are Vega-Lite
 * specs drawn by the report renderer (src/report/render.ts) and saved under report/charts/
 * as spec, SVG and PNG; the page embeds the SVGs and is self-contained, styled like
 * `slurry report`'s pages.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { runPaths } from '../run/layout.js';
import { SlurryError } from '../util/errors.js';
import { writeFileAtomic, writeJsonAtomic } from '../util/fs.js';
import { jsonObject, readJsonFile } from '../util/json.js';
import { readJsonlStrict } from '../util/jsonl.js';
import { escapeHtml, figure, STYLE } from '../report/html.js';
import { renderSvg, svgToPng } from '../report/render.js';
import {
  accuracyChart,
  comparisonChart,
  comparisonLossChart,
  finalSpectrumChart,
  lossChart,
  spectrumChart,
  structureChart,
  type GrokRunData,
  type VegaLiteSpec,
} from './charts.js';
import { grokConfigSchema, type GrokConfig } from './config.js';
import { KEY_FREQUENCY_FACTOR } from './fourier.js';
import type { GrokRecord, GrokSummary } from './records.js';
import { GROKKED_ACC } from './train.js';

export interface GrokReport {
  index: string;
  /** Warnings of the chart renderer (empty when every chart rendered cleanly). */
  warnings: string[];
}

const grokRecordType = z.looseObject({ type: z.enum(['grok_train', 'grok_eval', 'grok_progress']) });

/** Reads a finished run directory. */
export function readGrokRun(run: string, name = run): GrokRunData & { config: GrokConfig } {
  const paths = runPaths(run);
  for (const path of [paths.config, paths.metrics, paths.summary]) {
    if (!existsSync(path)) throw new SlurryError(`${path}: missing (is ${run} a finished grok run?)`);
  }
  const data: GrokRunData & { config: GrokConfig } = {
    name,
    config: readJsonFile(paths.config, grokConfigSchema),
    // Fields read by name below; written by trainGrok in this program.
    summary: readJsonFile(paths.summary, jsonObject) as unknown as GrokSummary,
    train: [],
    evals: [],
    progress: [],
  };
  for (const r of readJsonlStrict(paths.metrics, grokRecordType) as unknown as GrokRecord[]) {
    if (r.type === 'grok_train') data.train.push(r);
    else if (r.type === 'grok_eval') data.evals.push(r);
    else data.progress.push(r);
  }
  return data;
}

const esc = (s: unknown) => escapeHtml(String(s));
const fmt = (x: number | null | undefined, digits = 3) =>
  x === null || x === undefined || Number.isNaN(x) ? '-' : Number(x.toPrecision(digits)).toLocaleString('en-US');

/** Renders each chart into dir/charts/ (spec, SVG, PNG) and returns the page's figures. */
async function figures(dir: string, charts: [string, VegaLiteSpec, string][], warnings: string[]): Promise<string> {
  const parts: string[] = [];
  for (const [id, spec, caption] of charts) {
    const svg = await renderSvg(spec, warnings);
    const [specFile, svgFile, pngFile] = ['vl.json', 'svg', 'png'].map((ext) => join('charts', `${id}.${ext}`));
    writeJsonAtomic(join(dir, specFile), spec);
    writeFileAtomic(join(dir, svgFile), svg);
    writeFileAtomic(join(dir, pngFile), svgToPng(svg));
    parts.push(figure({ id, svg, caption, svgFile, pngFile }));
  }
  return parts.join('\n');
}

function page(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title><style>${STYLE}</style></head>
<body>
${body}
</body></html>
`;
}

function summaryRows(s: GrokSummary): string {
  const rows: [string, string][] = [
    [
      'task',
      `${esc(s.op)} mod ${s.p}, ${s.n_train} training / ${s.n_test} test pairs (train fraction ${s.train_frac})`,
    ],
    ['weight decay', String(s.weight_decay)],
    ['memorised (train accuracy 100%) at step', fmt(s.memorised_step, 6)],
    [`grokked (test accuracy >= ${100 * GROKKED_ACC}%) at step`, fmt(s.grokked_step, 6)],
    ['ratio grokked / memorised', fmt(s.ratio)],
    [
      'wall time to memorise / to grok / total (s)',
      `${fmt(s.wall_s_to_memorise)} / ${fmt(s.wall_s_to_grok)} / ${fmt(s.wall_s_total)}`,
    ],
    ['median step time (s)', `${fmt(s.step_s_median)} (${esc(s.backend)}, ${s.threads} threads)`],
    ['steps run', `${s.steps_done} (${esc(s.stop_reason)})`],
    ['final train / test accuracy', `${fmt(s.final.train_acc, 4)} / ${fmt(s.final.test_acc, 4)}`],
    ['final train / test loss', `${fmt(s.final.train_loss)} / ${fmt(s.final.test_loss)}`],
    ['final key frequencies', `[${s.final_key_frequencies.join(', ')}]`],
    ['parameters / seed', `${s.n_params.toLocaleString('en-US')} / ${s.seed}`],
  ];
  return `<table>${rows.map(([k, v]) => `<tr><th>${k}</th><td>${v}</td></tr>`).join('')}</table>`;
}

const DEFINITIONS = `<h2>Definitions</h2>
<ul>
<li><b>step s</b>: the parameters after s full-batch AdamW updates (step 0 is the initialisation). Train accuracy is measured at every step, so the memorisation step is exact; test measures at the evaluation steps (0, 1, 2, 4, ... then every <code>eval_every</code>), so the grokking step has that resolution.</li>
<li><b>loss</b>: mean cross-entropy of the logits at the '=' position (all p + 1 output tokens) against the answer.</li>
<li><b>total weight norm</b>: the L2 norm of all parameters together.</li>
<li><b>spectrum</b>: the p residue rows of the token embedding written in the orthonormal Fourier basis of Z_p; the share of the squared norm in cos(w_k x) and sin(w_k x), w_k = 2&pi;k/p, for each frequency k.</li>
<li><b>key frequencies</b>: frequencies holding at least ${KEY_FREQUENCY_FACTOR}&times; the mean power of the non-constant frequencies. <b>Gini</b>: Gini coefficient of the per-frequency norms (0 = spread evenly, towards 1 = concentrated).</li>
<li><b>restricted loss</b> (Nanda et al. 2023): the logits L[a, b, c] (c &lt; p) projected, for each class c, onto cos(w_k y) and sin(w_k y) of the key frequencies, y = a &plusmn; b the answer, plus each class's mean logit; cross-entropy over all p&sup2; pairs. <b>excluded loss</b>: the same components removed from the logits; cross-entropy over the training pairs. On the report they use the key frequencies of the final model, computed at every checkpoint after training; defined for add and sub only.</li>
</ul>`;

/** Writes RUN/report/index.html and its charts. */
export async function writeGrokReport(run: string): Promise<GrokReport> {
  const data = readGrokRun(run);
  const dir = runPaths(run).reportDir;
  const s = data.summary;
  const charts: [string, VegaLiteSpec, string][] = [
    [
      'accuracy',
      accuracyChart(data),
      'Train and test accuracy on a log-step axis; dashed rules mark memorisation (train 100%) and grokking (test >= 95%).',
    ],
    [
      'loss',
      lossChart(data),
      'Train and test loss at every evaluation; restricted and excluded loss (key frequencies of the final model) at every checkpoint.',
    ],
    [
      'structure',
      structureChart(data),
      "Total weight norm; Gini coefficient of the embedding's frequency norms; share of the embedding's squared norm in the final key frequencies.",
    ],
    [
      'spectrum',
      spectrumChart(data),
      "The embedding's Fourier spectrum over training: one column per evaluation, one row per frequency.",
    ],
    [
      'final-spectrum',
      finalSpectrumChart(data),
      "The embedding's Fourier spectrum at the last step; key frequencies in red.",
    ],
  ];
  const warnings: string[] = [];
  const body = `<h1>Grokking: ${esc(s.op)} mod ${s.p}</h1>
${summaryRows(s)}
${await figures(dir, charts, warnings)}
${DEFINITIONS}
<h2>Config</h2><pre>${esc(JSON.stringify(data.config, null, 2))}</pre>`;
  const index = join(dir, 'index.html');
  writeFileAtomic(index, page(`Grokking ${s.op} mod ${s.p}`, body));
  return { index, warnings };
}

export interface ComparisonGroup {
  title: string;
  runs: { label: string; dir: string }[];
}

/** Writes DIR/report/index.html comparing finished runs, group by group. */
export async function writeComparisonReport(out: string, groups: ComparisonGroup[]): Promise<GrokReport> {
  const dir = join(out, 'report');
  const warnings: string[] = [];
  const sections: string[] = [];
  for (const [i, group] of groups.entries()) {
    const runs = group.runs.map(({ label, dir: runDir }) => ({ label, dir: runDir, run: readGrokRun(runDir, label) }));
    const table = `<table><tr><th>run</th><th>train pairs</th><th>memorised at</th><th>grokked at</th><th>ratio</th><th>final test acc</th><th>wall to grok (s)</th><th>key frequencies</th><th>page</th></tr>${runs
      .map(
        ({ label, dir: runDir, run: { summary: s } }) =>
          `<tr><td>${esc(label)}</td><td>${s.n_train}</td><td>${fmt(s.memorised_step, 6)}</td><td>${fmt(s.grokked_step, 6)}</td><td>${fmt(s.ratio)}</td><td>${fmt(s.final.test_acc, 4)}</td><td>${fmt(s.wall_s_to_grok)}</td><td>[${s.final_key_frequencies.join(', ')}]</td><td><a href="../${esc(relativeRun(out, runDir))}/report/index.html">run</a></td></tr>`,
      )
      .join('')}</table>`;
    const charts: [string, VegaLiteSpec, string][] = [
      [
        `group${i}-accuracy`,
        comparisonChart(`${group.title}: accuracy`, runs),
        'Test accuracy (solid) and train accuracy (dashed) of each run on a log-step axis.',
      ],
      [`group${i}-test-loss`, comparisonLossChart(`${group.title}: test loss`, runs), 'Test loss of each run.'],
    ];
    sections.push(`<h2>${esc(group.title)}</h2>${table}${await figures(dir, charts, warnings)}`);
  }
  const body = `<h1>Grokking comparisons</h1>\n${sections.join('\n')}\n${DEFINITIONS}`;
  const index = join(dir, 'index.html');
  writeFileAtomic(index, page('Grokking comparisons', body));
  return { index, warnings };
}

function relativeRun(out: string, runDir: string): string {
  return runDir.startsWith(out) ? runDir.slice(out.length).replace(/^\/+/, '') : runDir;
}
