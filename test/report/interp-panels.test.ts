/**
 * The report's "Inside the model" section: on a run that `slurry interp` has measured, the
 * page carries the probe heatmap, CKA to the final checkpoint, head scores, SAE metrics
 * (each rendered without renderer warnings, as SVG and PNG) and the top SAE features with
 * their contexts; a run without interp records has no such section.
 */
import assert from 'node:assert/strict';
import { readFileSync, renameSync, utimesSync } from 'node:fs';
import { test } from 'node:test';
import { interpRun } from '../../src/interp/runner.js';
import { writeReport } from '../../src/report/write-report.js';
import { interpRecordSchema } from '../../src/run/interp-records.js';
import { runPaths } from '../../src/run/layout.js';
import { readJsonlStrict } from '../../src/util/jsonl.js';
import { writeSyntheticRun } from '../fixtures/synthetic-run.js';
import { freshModelsRun, interpOptions } from '../interp/support/fresh-models-run.js';

const PANELS = ['interp-probes', 'interp-cka', 'interp-heads', 'interp-sae'];

test('a run measured by slurry interp gets the interp panels and the top SAE features', async () => {
  const { run } = await freshModelsRun();
  interpRun(run, { ...interpOptions, log: () => {} });
  // The report needs behaviour too: synthetic metrics and probes at the same checkpoints.
  writeSyntheticRun(run, { seed: 3, trainEvery: 1, totalSteps: 10, tokensPerStep: 100, suites: [] });
  const r = await writeReport([run], { analyze: { resamples: 10 } });
  assert.deepEqual(r.warnings, []);
  const html = readFileSync(r.index, 'utf8');
  assert.match(html, /<h2 id="inside">Inside the model<\/h2>/);
  for (const id of PANELS) {
    assert.match(html, new RegExp(`<figure id="${id}">`), id);
    for (const ext of ['svg', 'png'])
      assert.ok(
        r.files.some((f) => f.endsWith(`${id}.${ext}`)),
        `${id}.${ext}`,
      );
  }
  const last = readJsonlStrict(runPaths(run).interp, interpRecordSchema).at(-1)!;
  const feature = last.sae.top_features[0];
  assert.ok(feature, 'the last checkpoint has a top SAE feature');
  const cell = `<mark>${feature.contexts[0].token.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')}</mark>`;
  assert.ok(html.includes(cell), `the table shows the feature's top context ${cell}`);
  const heatmap = readFileSync(r.files.find((f) => f.endsWith('interp-probes.svg'))!, 'utf8');
  assert.match(heatmap, /part of speech/);
  assert.match(heatmap, /token source/);
});

test('interp measured after the last analysis: the report analyses again and carries its sentences', async () => {
  const { run } = await freshModelsRun();
  interpRun(run, { ...interpOptions, log: () => {} });
  const p = runPaths(run);
  // Analysed and reported while interp's outputs are away, as before `slurry interp` ran.
  renameSync(p.interp, `${p.interp}.away`);
  renameSync(p.interpDir, `${p.interpDir}.away`);
  writeSyntheticRun(run, { seed: 3, trainEvery: 1, totalSteps: 10, tokensPerStep: 100, suites: [] });
  await writeReport([run], { analyze: { resamples: 10 } });
  renameSync(`${p.interp}.away`, p.interp);
  renameSync(`${p.interpDir}.away`, p.interpDir);
  const later = new Date(Date.now() + 2000);
  utimesSync(p.interp, later, later);
  const r = await writeReport([run], { analyze: { resamples: 10 } });
  assert.deepEqual(r.analysed, [run]);
  assert.match(readFileSync(r.index, 'utf8'), /<li>the induction-head curve has no fitted window/);
});

test('a run without interp records has no interp section', async () => {
  const { run } = await freshModelsRun();
  writeSyntheticRun(run, { seed: 3, trainEvery: 1, totalSteps: 10, tokensPerStep: 100, suites: [] });
  const r = await writeReport([run], { analyze: { resamples: 10 } });
  assert.doesNotMatch(readFileSync(r.index, 'utf8'), /Inside the model/);
  assert.ok(!r.files.some((f) => /charts\/interp-/.test(f)));
});
