/**
 * The report page of a grokking run (RUN/report/index.html) and of a comparison
 * (DIR/report/index.html): the numbers that matter (memorisation and grokking steps, their
 * ratio, wall time), the charts (Vega-Lite specs, saved beside the page as *.vl.json and
 * drawn as inline SVG), and the definitions of every measure.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runPaths } from '../run/layout.js';
import { SlurryError } from '../util/errors.js';
import { writeFileAtomic, writeJsonAtomic } from '../util/fs.js';
import {
  accuracyChart, comparisonChart, comparisonLossChart, finalSpectrumChart, lossChart, spectrumChart, structureChart,
  type GrokRunData, type VegaLiteSpec,
} from './charts.js';
import type { GrokConfig } from './config.js';
import { KEY_FREQUENCY_FACTOR } from './fourier.js';
import type { GrokRecord, GrokSummary } from './records.js';
import { GROKKED_ACC } from './train.js';

/** Draws a Vega-Lite spec as SVG markup. */
export type ChartRenderer = (spec: VegaLiteSpec) => Promise<string>;

/** Reads a finished run directory. */
export function readGrokRun(run: string, name = run): GrokRunData & { config: GrokConfig } {
  const paths = runPaths(run);
  const summaryPath = join(run, 'summary.json');
  for (const path of [paths.config, paths.metrics, summaryPath]) {
    if (!existsSync(path)) throw new SlurryError(`${path}: missing (is ${run} a finished grok run?)`);
  }
  const data: GrokRunData & { config: GrokConfig } = {
    name,
    config: JSON.parse(readFileSync(paths.config, 'utf8')),
    summary: JSON.parse(readFileSync(summaryPath, 'utf8')) as GrokSummary,
    train: [],
    evals: [],
    progress: [],
  };
  readFileSync(paths.metrics, 'utf8').split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    let r: GrokRecord;
    try {
      r = JSON.parse(line);
    } catch (err) {
      throw new SlurryError(`${paths.metrics}:${i + 1}: not valid JSON (${(err as Error).message})`);
    }
    if (r.type === 'grok_train') data.train.push(r);
    else if (r.type === 'grok_eval') data.evals.push(r);
    else if (r.type === 'grok_progress') data.progress.push(r);
  });
  return data;
}

const esc = (s: unknown) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
const fmt = (x: number | null | undefined, digits = 3) => (x === null || x === undefined || Number.isNaN(x) ? '-' : Number(x.toPrecision(digits)).toLocaleString('en-US'));

/** Saves each spec beside the page and returns the HTML of the figures. */
async function figures(dir: string, charts: [string, VegaLiteSpec][], render: ChartRenderer | null): Promise<string> {
  const parts: string[] = [];
  for (const [name, spec] of charts) {
    writeJsonAtomic(join(dir, `${name}.vl.json`), spec);
    const body = render ? await render(spec) : `<p class="note">Vega-Lite spec <a href="${name}.vl.json">${name}.vl.json</a> (no renderer available in this build).</p>`;
    parts.push(`<figure id="${name}">${body}</figure>`);
  }
  return parts.join('\n');
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>
body { font: 15px/1.45 system-ui, sans-serif; max-width: 980px; margin: 2em auto; padding: 0 1em; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; } td, th { border-bottom: 1px solid #ddd; padding: 0.25em 0.8em; text-align: left; }
th { background: #f4f4f4; } figure { margin: 1.5em 0; } .note { color: #666; } code { background: #f4f4f4; padding: 0 0.2em; }
</style></head><body>
${body}
</body></html>
`;
}

function summaryRows(s: GrokSummary): string {
  const rows: [string, string][] = [
    ['task', `${esc(s.op)} mod ${s.p}, ${s.n_train} training / ${s.n_test} test pairs (train fraction ${s.train_frac})`],
    ['weight decay', String(s.weight_decay)],
    ['memorised (train accuracy 100%) at step', fmt(s.memorised_step, 6)],
    [`grokked (test accuracy >= ${100 * GROKKED_ACC}%) at step`, fmt(s.grokked_step, 6)],
    ['ratio grokked / memorised', fmt(s.ratio)],
    ['wall time to memorise / to grok / total (s)', `${fmt(s.wall_s_to_memorise)} / ${fmt(s.wall_s_to_grok)} / ${fmt(s.wall_s_total)}`],
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

/** Writes RUN/report/index.html (and the chart specs beside it); returns the page's path. */
export async function writeGrokReport(run: string, render: ChartRenderer | null = null): Promise<string> {
  const data = readGrokRun(run);
  const dir = runPaths(run).reportDir;
  const charts: [string, VegaLiteSpec][] = [
    ['accuracy', accuracyChart(data)],
    ['loss', lossChart(data)],
    ['structure', structureChart(data)],
    ['spectrum', spectrumChart(data)],
    ['final-spectrum', finalSpectrumChart(data)],
  ];
  const s = data.summary;
  const body = `<h1>Grokking: ${esc(s.op)} mod ${s.p}</h1>
${summaryRows(s)}
${await figures(dir, charts, render)}
${DEFINITIONS}
<h2>Config</h2><pre>${esc(JSON.stringify(data.config, null, 2))}</pre>`;
  const path = join(dir, 'index.html');
  writeFileAtomic(path, page(`Grokking ${s.op} mod ${s.p}`, body));
  return path;
}

export interface ComparisonGroup {
  title: string;
  runs: { label: string; dir: string }[];
}

/** Writes DIR/report/index.html comparing finished runs, group by group. */
export async function writeComparisonReport(out: string, groups: ComparisonGroup[], render: ChartRenderer | null = null): Promise<string> {
  const dir = join(out, 'report');
  const sections: string[] = [];
  for (const [i, group] of groups.entries()) {
    const runs = group.runs.map(({ label, dir: runDir }) => ({ label, dir: runDir, run: readGrokRun(runDir, label) }));
    const table = `<table><tr><th>run</th><th>train pairs</th><th>memorised at</th><th>grokked at</th><th>ratio</th><th>final test acc</th><th>wall to grok (s)</th><th>key frequencies</th><th>page</th></tr>${runs
      .map(({ label, dir: runDir, run: { summary: s } }) => `<tr><td>${esc(label)}</td><td>${s.n_train}</td><td>${fmt(s.memorised_step, 6)}</td><td>${fmt(s.grokked_step, 6)}</td><td>${fmt(s.ratio)}</td><td>${fmt(s.final.test_acc, 4)}</td><td>${fmt(s.wall_s_to_grok)}</td><td>[${s.final_key_frequencies.join(', ')}]</td><td><a href="../${esc(relativeRun(out, runDir))}/report/index.html">run</a></td></tr>`)
      .join('')}</table>`;
    const charts: [string, VegaLiteSpec][] = [
      [`group${i}-accuracy`, comparisonChart(`${group.title}: accuracy (solid test, dashed train)`, runs)],
      [`group${i}-test-loss`, comparisonLossChart(`${group.title}: test loss`, runs)],
    ];
    sections.push(`<h2>${esc(group.title)}</h2>${table}${await figures(dir, charts, render)}`);
  }
  const body = `<h1>Grokking comparisons</h1>\n${sections.join('\n')}\n${DEFINITIONS}`;
  const path = join(dir, 'index.html');
  writeFileAtomic(path, page('Grokking comparisons', body));
  return path;
}

function relativeRun(out: string, runDir: string): string {
  return runDir.startsWith(out) ? runDir.slice(out.length).replace(/^\/+/, '') : runDir;
}
