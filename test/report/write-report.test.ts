/**
 * The report on synthetic runs, opened in headless Chromium: no console errors, every
 * chart image decodes to a non-empty picture, the summary is there with numbers taken
 * from analysis.json, and nothing is fetched from the network.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, test } from 'node:test';
import { formatTokens } from '../../src/analysis/format.js';
import type { Analysis } from '../../src/analysis/types.js';
import { writeReport } from '../../src/report/write-report.js';
import { runPaths } from '../../src/run/layout.js';
import { writeSyntheticRun, type SyntheticSuite } from '../fixtures/synthetic-run.js';
import { withChromium } from '../support/headless-chromium.js';

const root = mkdtempSync(join(tmpdir(), 'slurry-report-'));
after(() => rmSync(root, { recursive: true, force: true }));

const S = (suite: string, midpoint: number, width: number, more: Partial<SyntheticSuite> = {}): SyntheticSuite => ({
  suite,
  items: 200,
  midpoint,
  width,
  ...more,
});
const facts = S('facts', 7, 0.6, {
  items: 400,
  groups: [
    { name: 'head', share: 0.25, shift: -0.5 },
    { name: 'torso', share: 0.25, shift: 0 },
    { name: 'tail', share: 0.25, shift: 0.5 },
    { name: 'unseen', share: 0.25, shift: null },
  ],
});

test('report for two runs: self-contained page, charts as SVG and PNG, opens cleanly in Chromium', async () => {
  const mix = join(root, 'mix');
  const curriculum = join(root, 'curriculum');
  writeSyntheticRun(mix, {
    seed: 1,
    trainEvery: 16,
    suites: [
      S('tokens', 5, 0.5),
      S('syntax', 6, 0.5, { chanceD: 0.5, ceilingC: null }),
      facts,
      S('reasoning', 7.5, 2, {
        mode: 'threshold',
        itemSpread: 0.05,
        groups: [
          { name: 'twohop', share: 0.5, shift: 0 },
          { name: 'addition_2digit', share: 0.5, shift: 0.3 },
        ],
      }),
    ],
    bump: { at: 7.5, height: 0.5, width: 0.1 },
  });
  writeSyntheticRun(curriculum, {
    seed: 2,
    trainEvery: 16,
    suites: [S('tokens', 4.8, 0.5), S('syntax', 5.7, 0.5, { chanceD: 0.5 }), facts],
  });

  const result = await writeReport([mix, curriculum], { analyze: { resamples: 50 } });
  assert.deepEqual(result.analysed, [mix, curriculum]);
  assert.deepEqual(result.warnings, []);
  assert.equal(result.index, join(runPaths(mix).reportDir, 'index.html'));
  for (const kind of ['loss', 'waves', 'timeline', 'sources', 'facts', 'metrics', 'groups-reasoning']) {
    assert.ok(
      result.files.some((f) => f.endsWith(`run1-${kind}.png`)),
      `missing chart ${kind}`,
    );
  }
  assert.ok(result.files.some((f) => f.endsWith('time-to-target.svg')));
  // One chart per capability with every run that probed it on one token axis.
  for (const name of ['tokens', 'syntax', 'facts', 'reasoning']) {
    const svg = result.files.find((f) => f.endsWith(`across-${name}.svg`));
    assert.ok(svg, `missing the across-runs chart of ${name}`);
    const text = readFileSync(svg, 'utf8');
    assert.ok(text.includes('mix'), `${name}: the first run is not in its chart`);
    assert.equal(text.includes('curriculum'), name !== 'reasoning', `${name}: the second run's presence is wrong`);
  }

  const html = readFileSync(result.index, 'utf8');
  assert.doesNotMatch(html, /(src|href)="https?:/, 'the page must not reference the network');
  const a = JSON.parse(readFileSync(runPaths(mix).analysis, 'utf8')) as Analysis;
  for (const o of a.verdict.order)
    assert.ok(
      html.includes(`${o.name} at ${formatTokens(o.midpoint.tokens)} tokens`),
      `summary lacks ${o.name}'s midpoint`,
    );
  // Each run leads with the waves chart and the plain answer naming the overlapping pairs.
  const lead = html.indexOf('<figure id="run1-waves"');
  assert.ok(
    lead > 0 &&
      lead < html.indexOf('<p class="answer">') &&
      html.indexOf('<p class="answer">') < html.indexOf('class="summary"'),
  );
  const answer = html.slice(html.indexOf('<p class="answer">')).split('</p>')[0];
  const pair = a.verdict.overlaps.find((o) => o.overlap > 0)!;
  assert.ok(answer.includes(`${pair.a} and ${pair.b} by ${Math.round(100 * pair.overlap)}%`), answer);
  assert.match(answer, /Answer under the discrete metrics: (overlapping waves|stages|slurry)\.$/);

  const seen = await withChromium(async (ctx) => {
    const page = await ctx.newPage();
    const problems: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(pathToFileURL(resolve(result.index)).href, { waitUntil: 'load' });
    const images = await page.$$eval('img', (imgs) =>
      imgs.map((i) => ({ complete: i.complete, w: i.naturalWidth, h: i.naturalHeight })),
    );
    const svgs = await page.$$eval('svg', (els) => els.map((s) => s.getBoundingClientRect().width));
    // The PNG files beside the page, decoded by the browser.
    const pngs = (await page.evaluate(`Promise.all([...document.querySelectorAll('a[href$=".png"]')].map((l) =>
      new Promise((done) => { const img = new Image(); img.onload = () => done(img.naturalWidth); img.onerror = () => done(0); img.src = l.href; })))`)) as number[];
    const summary = await page.$eval('section.summary', (s) => s.textContent ?? '');
    return { problems, requests, images, svgs, pngs, summary };
  });
  assert.deepEqual(seen.problems, []);
  assert.ok(
    seen.requests.every((u) => u.startsWith('file:') || u.startsWith('data:')),
    seen.requests.join('\n'),
  );
  assert.ok(seen.images.length >= 13, `only ${seen.images.length} images`);
  for (const i of seen.images) assert.ok(i.complete && i.w > 0 && i.h > 0, JSON.stringify(i));
  for (const w of seen.svgs) assert.ok(w > 0);
  assert.equal(seen.pngs.length, seen.images.length);
  for (const w of seen.pngs) assert.ok(w > 0, 'a PNG did not decode');
  assert.match(seen.summary, /Verdict under the discrete metrics: (stages|overlapping waves|slurry)/);

  // analysis.json is current now: a second report reuses it
  const again = await writeReport([mix], { outDir: join(root, 'single') });
  assert.deepEqual(again.analysed, []);
});

test('a target share the analysis does not compute is refused', async () => {
  const run = join(root, 'mix');
  await assert.rejects(
    writeReport([run, run], { target: 0.6, outDir: join(root, 'bad') }),
    /target 0.6: expected one of 0.25, 0.5, 0.75, 0.9/,
  );
});

test('a run with metrics but no probes (or probes but no metrics) still gets a report that says what is missing', async () => {
  const noProbes = join(root, 'no-probes');
  writeSyntheticRun(noProbes, { seed: 5, trainEvery: 64, suites: [] });
  rmSync(runPaths(noProbes).probes);
  const r1 = await writeReport([noProbes], { analyze: { resamples: 10 } });
  const html1 = readFileSync(r1.index, 'utf8');
  assert.match(
    html1,
    /Missing: no probes\.jsonl in the run, so no capability curves\. To get it: run `slurry probe RUN`\./,
  );
  assert.ok(r1.files.some((f) => f.endsWith('loss.png')));
  assert.ok(!r1.files.some((f) => f.endsWith('waves.png')));

  const noMetrics = join(root, 'no-metrics');
  writeSyntheticRun(noMetrics, { seed: 5, trainEvery: 64, suites: [S('syntax', 6, 0.5)] });
  rmSync(runPaths(noMetrics).metrics);
  const r2 = await writeReport([noMetrics], { analyze: { resamples: 10 } });
  assert.match(readFileSync(r2.index, 'utf8'), /Missing: no metrics\.jsonl in the run, so no loss curves/);
  assert.ok(r2.files.some((f) => f.endsWith('waves.png')));
  assert.ok(!r2.files.some((f) => f.endsWith('loss.png')));
});
