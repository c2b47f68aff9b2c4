import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { setKernels } from '../../src/engine/backend.js';
import { referenceKernels } from '../../src/engine/reference/kernels.js';
import { compareGrok } from '../../src/grokking/compare.js';
import { GROK_PRESETS, parseGrokConfig } from '../../src/grokking/config.js';
import { readGrokRun, writeGrokReport } from '../../src/grokking/report.js';
import { trainGrok } from '../../src/grokking/train.js';

setKernels(referenceKernels);
const root = mkdtempSync(join(tmpdir(), 'slurry-grok-report-'));
after(() => rmSync(root, { recursive: true, force: true }));

const tiny = parseGrokConfig({
  ...GROK_PRESETS.default,
  p: 7,
  train_frac: 0.5,
  steps: 10,
  eval_every: 5,
  checkpoint_every: 5,
  stop_after: 0,
  model: { n_embd: 8, n_inner: 16, n_head: 2 },
});
const quiet = { log: () => {} };

test('the run page: summary numbers, one rendered figure per chart, spec/SVG/PNG saved beside it', async () => {
  const dir = join(root, 'run');
  const summary = await trainGrok(tiny, dir, quiet);
  const { index, warnings } = await writeGrokReport(dir);
  assert.deepEqual(warnings, []);
  const html = readFileSync(index, 'utf8');
  assert.match(html, /<h1>Grokking: add mod 7<\/h1>/);
  assert.match(
    html,
    new RegExp(`memorised \\(train accuracy 100%\\) at step</th><td>${summary.memorised_step ?? '-'}<`),
  );
  assert.match(html, /restricted loss/);
  for (const name of ['accuracy', 'loss', 'structure', 'spectrum', 'final-spectrum']) {
    assert.match(html, new RegExp(`<figure id="${name}"><img src="data:image/svg\\+xml;base64,`), name);
    const spec = JSON.parse(readFileSync(join(dir, 'report', 'charts', `${name}.vl.json`), 'utf8'));
    assert.match(spec.$schema, /vega-lite/);
    assert.match(readFileSync(join(dir, 'report', 'charts', `${name}.svg`), 'utf8'), /^<svg/);
    assert.deepEqual(
      [...readFileSync(join(dir, 'report', 'charts', `${name}.png`)).subarray(1, 4)],
      [...Buffer.from('PNG')],
    );
  }
  // The accuracy chart carries train accuracy at every step (a short run) and test accuracy at every evaluation.
  const run = readGrokRun(dir);
  const acc = JSON.parse(readFileSync(join(dir, 'report', 'charts', 'accuracy.vl.json'), 'utf8'));
  assert.equal(acc.layer[0].data.values.length, run.train.length + run.evals.length);
  // The spectrum heatmap: one cell per (evaluation, frequency) of p = 7.
  const spectrum = JSON.parse(readFileSync(join(dir, 'report', 'charts', 'spectrum.vl.json'), 'utf8'));
  assert.equal(spectrum.data.values.length, 3 * run.evals.length);
});

test('--compare runs weight decay 0 against 1 and the train fractions, on one page', async () => {
  const out = join(root, 'cmp');
  const { index: page, warnings } = await compareGrok(tiny, out, [0.3, 0.7], quiet);
  assert.deepEqual(warnings, []);
  const names = ['wd0-frac0.5', 'wd1-frac0.5', 'wd1-frac0.3', 'wd1-frac0.7'];
  for (const n of names) assert.ok(existsSync(join(out, 'runs', n, 'summary.json')), n);
  const html = readFileSync(page, 'utf8');
  assert.match(html, /Weight decay 0 against 1 \(train fraction 0.5\)/);
  assert.match(html, /Train fraction \(weight decay 1\)/);
  for (const n of names) assert.match(html, new RegExp(`href="../runs/${n}/report/index.html"`));
  const fracSpec = JSON.parse(readFileSync(join(out, 'report', 'charts', 'group1-accuracy.vl.json'), 'utf8'));
  assert.deepEqual(
    [...new Set(fracSpec.data.values.map((v: { run: string }) => v.run))],
    ['train fraction 0.3', 'train fraction 0.5', 'train fraction 0.7'],
  );
  assert.equal(
    JSON.parse(readFileSync(join(out, 'runs', 'wd0-frac0.5', 'config.json'), 'utf8')).optimizer.weight_decay,
    0,
  );
  // A second call reuses the finished runs.
  const before = readFileSync(join(out, 'runs', 'wd0-frac0.5', 'summary.json'), 'utf8');
  await compareGrok(tiny, out, [0.3, 0.7], quiet);
  assert.equal(readFileSync(join(out, 'runs', 'wd0-frac0.5', 'summary.json'), 'utf8'), before);
});
