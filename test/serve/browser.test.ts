/**
 * The dashboard in a real headless Chromium (playwright-core): every view loads without
 * console errors; a live run's curve grows while `slurry train` runs; the scrubber shows a
 * checkpoint's items with both sentences of a minimal pair; comparison overlays two runs;
 * export gives a PNG; a malformed run shows an error panel. Skips, saying why, without a
 * Chromium (see test/support/headless-chromium.ts).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import type { RunningServer } from '../../src/serve/server.js';
import { interpRecordFixture } from '../fixtures/interp-record.js';
import { writeSyntheticRun } from '../fixtures/synthetic-run.js';
import { findChromium, NO_CHROMIUM, withChromium } from '../support/headless-chromium.js';
import { miniCorpus } from '../train/support/mini-corpus.js';
import { startServer, tempRoot } from './support.js';

const chromium = await findChromium();
const skip = chromium ? false : NO_CHROMIUM;
const cli = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

const root = tempRoot();
const S = (suite: string, midpoint: number) => ({ suite, items: 40, midpoint, width: 0.5, chanceD: 0.5 });
writeSyntheticRun(join(root, 'sweep', 'a'), { seed: 1, trainEvery: 64, suites: [S('syntax', 6), S('facts', 7)] });
writeSyntheticRun(join(root, 'sweep', 'b'), { seed: 2, trainEvery: 64, suites: [S('syntax', 5.5), S('facts', 6.5)] });
// The syntax suite's cached items: minimal pairs under the ids the probe records use.
mkdirSync(join(root, 'sweep', 'a', 'probe-items'), { recursive: true });
writeFileSync(
  join(root, 'sweep', 'a', 'probe-items', 'syntax.jsonl'),
  Array.from(
    { length: 40 },
    (_, k) =>
      JSON.stringify({
        sentence_good: `The cat ${k} sleeps.`,
        sentence_bad: `The cat ${k} sleep.`,
        id: `syntax-${k}`,
        group: 'sva',
      }) + '\n',
  ).join(''),
);
mkdirSync(join(root, 'broken'));
writeFileSync(
  join(root, 'broken', 'metrics.jsonl'),
  '{"type":"train","step":1,"tokens":8,"loss":3}\nthis is not json\n',
);
writeFileSync(join(root, 'broken', 'config.json'), '{ "steps": ');

// A grokking run (the records `slurry grok` writes) and a run with `slurry interp`'s across.json.
mkdirSync(join(root, 'grok'));
writeFileSync(
  join(root, 'grok', 'metrics.jsonl'),
  Array.from({ length: 200 }, (_, i) => {
    const step = i + 1;
    const rows = [
      { type: 'grok_train', step, train_loss: 4 / step, train_acc: Math.min(1, step / 50), lr: 1e-3, time: i },
    ];
    if (step % 20 === 0) {
      const spectrum = Array.from({ length: 8 }, (_, k) => (k === 2 ? step / 200 : 0.1));
      const test = { test_loss: 5 - step / 50, test_acc: step > 150 ? 0.99 : 0.05, weight_norm: 40 - step / 10 };
      rows.push({
        type: 'grok_eval',
        step,
        train_loss: 4 / step,
        train_acc: 1,
        ...test,
        spectrum,
        gini: 0.3,
        key_share: 0.2,
      } as never);
    }
    return rows.map((r) => JSON.stringify(r) + '\n').join('');
  }).join(''),
);
mkdirSync(join(root, 'interp', 'interp'), { recursive: true });
writeFileSync(join(root, 'interp', 'metrics.jsonl'), '{"type":"train","step":1,"tokens":8,"loss":3}\n');
writeFileSync(
  join(root, 'interp', 'interp.jsonl'),
  [1, 2, 4].map((s) => JSON.stringify(interpRecordFixture(s, 8 * s)) + '\n').join(''),
);
writeFileSync(
  join(root, 'interp', 'interp', 'across.json'),
  JSON.stringify({
    final_step: 4,
    steps: [1, 2, 4],
    tokens: [8, 16, 32],
    cka_final: [
      [0.2, 0.4],
      [0.5, 0.7],
      [1, 1],
    ],
  }),
);

let server: RunningServer;
before(async () => {
  server = await startServer(root);
});
after(async () => {
  await server?.close();
  rmSync(root, { recursive: true, force: true });
});

async function open(page: Page, query: string): Promise<string[]> {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('requestfailed', (r) => {
    // Leaving a view closes its event stream: that abort is no failure.
    if (!(r.url().includes('/api/events') && r.failure()?.errorText === 'net::ERR_ABORTED'))
      problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`);
  });
  await page.goto(`${server.url}?${query}`);
  return problems;
}

test('every view loads without console errors; nothing is fetched from another origin', { skip }, async () => {
  await withChromium(async (ctx) => {
    const page = await ctx.newPage();
    const origins = new Set<string>();
    page.on('request', (r) => origins.add(new URL(r.url()).origin));
    const problems = await open(page, '');
    await page.waitForSelector('tr[data-run="sweep/a"]');
    assert.match((await page.locator('tr[data-run="broken"] .error').textContent()) ?? '', /config\.json/);
    for (const q of [
      'view=curves&run=sweep/a',
      'view=waves&run=sweep/a',
      'view=scrub&run=sweep/b',
      'view=curves&run=sweep/a&x=step&scale=linear&smooth=0',
    ]) {
      await page.goto(`${server.url}?${q}`);
      await page.waitForSelector('figure.chart canvas, details.suite', { timeout: 20_000 });
    }
    assert.deepEqual(problems, []);
    assert.deepEqual([...origins], [new URL(server.url).origin]);
  });
});

test('grokking view: accuracy, loss, norm and spectrum; interp view: curves over training and a checkpoint x layer heatmap', {
  skip,
}, async () => {
  await withChromium(async (ctx) => {
    const page = await ctx.newPage();
    const problems = await open(page, 'view=grok&run=grok');
    await page.waitForSelector('figure.chart canvas', { timeout: 20_000 });
    const captions = () => page.locator('figcaption').allTextContents();
    await page.getByText('Fourier spectrum of the embedding over time').waitFor({ timeout: 20_000 });
    // The uPlot legends name both accuracy curves.
    assert.match((await page.locator('figure.chart').first().textContent()) ?? '', /train.*test/s);
    await page.goto(`${server.url}?view=interp&run=interp`);
    await page.waitForSelector('section figure canvas', { timeout: 20_000 });
    assert.ok(
      (await captions()).some((c) => c.includes('across: cka_final')),
      String(await captions()),
    );
    // interp.jsonl drawn over training: per-layer probe curves, the heads' legend.
    assert.ok(
      (await captions()).some((c) => c.startsWith('Linear probe for part of speech')),
      String(await captions()),
    );
    const heads = page.locator('figure.chart', { hasText: 'Attention heads' });
    assert.match((await heads.textContent()) ?? '', /best prefix-matching \(induction\) head/);
    assert.match(
      (await page.locator('section figure', { hasText: 'across: cka_final' }).first().textContent()) ?? '',
      /rows: checkpoint \(in step order\) · columns: layer \(0 = embeddings\)/,
    );
    const canvas = page.locator('section figure canvas').first();
    const size = [Number(await canvas.getAttribute('width')), Number(await canvas.getAttribute('height'))];
    assert.ok(size[0] > 1 && size[1] > 1, `heatmap canvas ${size}`);
    assert.deepEqual(problems, []);
  });
});

test('a malformed run shows an error panel naming the file and line', { skip }, async () => {
  await withChromium(async (ctx) => {
    const page = await ctx.newPage();
    await page.goto(`${server.url}?view=curves&run=broken`);
    const panel = page.locator('.errors');
    await panel.waitFor({ timeout: 20_000 });
    const text = await panel.textContent();
    assert.match(text ?? '', /metrics\.jsonl:2: not valid JSON/);
    assert.match(text ?? '', /config\.json/);
  });
});

test("the scrubber shows a checkpoint's items: minimal pairs right and wrong, with margins", { skip }, async () => {
  await withChromium(async (ctx) => {
    const page = await ctx.newPage();
    const problems = await open(page, 'view=scrub&run=sweep/a&step=4096');
    const syntax = page.locator('details[data-suite="syntax"]');
    await syntax.waitFor({ timeout: 20_000 });
    assert.equal(await page.locator('#app').getAttribute('data-step'), '4096');
    const items = syntax.locator('li');
    assert.ok((await items.count()) > 0);
    const first = await items.first().textContent();
    assert.match(first ?? '', /The cat \d+ sleeps\..*The cat \d+ sleep\./);
    assert.match(first ?? '', / · \S+ -?\d/); // group, the continuous metric's name and value
    const wrong = await syntax.locator('li.wrong').count();
    const right = await syntax.locator('li.right').count();
    const rec = readFileSync(join(root, 'sweep', 'a', 'probes.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .find((r) => r.suite === 'syntax' && r.step === 4096);
    const expectRight = rec.items.filter((i: { d: number }) => i.d >= 0.5).length;
    assert.equal(right, Math.min(30, expectRight));
    assert.equal(wrong, Math.min(30, rec.items.length - expectRight));
    assert.deepEqual(problems, []);
  });
});

test('comparison overlays two runs; a chart exports as a non-empty PNG', { skip }, async () => {
  await withChromium(async (ctx) => {
    const page = await ctx.newPage();
    const problems = await open(page, 'view=compare&run=sweep/a&run=sweep/b');
    await page.waitForFunction(
      () => (globalThis as unknown as InPage).document.getElementById('app')?.dataset.series === '2',
      null,
      { timeout: 20_000 },
    );
    const legend = await page.locator('.u-legend').first().textContent();
    assert.match(legend ?? '', /sweep\/a/);
    assert.match(legend ?? '', /sweep\/b/);
    const [png] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('button[data-export="png"]').first().click(),
    ]);
    const bytes = readFileSync((await png.path())!);
    assert.ok(bytes.length > 1000, `${bytes.length} bytes`);
    assert.deepEqual([...bytes.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
    const [svg] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('button[data-export="svg"]').first().click(),
    ]);
    assert.match(readFileSync((await svg.path())!, 'utf8'), /<svg[\s\S]*<polyline/);
    assert.deepEqual(problems, []);
  });
});

test("a live run's curve grows while slurry train writes it", { skip, timeout: 240_000 }, async () => {
  const corpus = await miniCorpus();
  const run = join(root, 'live');
  const config = join(root, 'live.json');
  writeFileSync(
    config,
    JSON.stringify({
      corpus,
      seed: 3,
      model: { n_layer: 2, n_head: 2, n_embd: 64 },
      batch_size: 8,
      context: 64,
      steps: 1_000_000,
      checkpoints: { log_until: 4, every: 100000 },
      eval: { every: 500, batches: 1 },
    }),
  );
  // A budget it never reaches: the test stops it once the page has seen the curve grow.
  const child = spawn(process.execPath, [cli, 'train', config, '--out', run], {
    stdio: 'ignore',
    env: { ...process.env, SLURRY_THREADS: '1' },
  });
  try {
    await withChromium(async (ctx) => {
      const page = await ctx.newPage();
      const problems: string[] = [];
      page.on('pageerror', (e) => problems.push(e.message));
      // The run directory appears once training starts; open its page then.
      for (let i = 0; i < 600 && !existsMetrics(run); i++) await new Promise((r) => setTimeout(r, 100));
      await page.goto(`${server.url}?view=curves&run=live`);
      await page.waitForFunction(
        () => Number((globalThis as unknown as InPage).document.getElementById('app')?.dataset.rows ?? 0) > 0,
        null,
        { timeout: 60_000 },
      );
      const first = Number(await page.locator('#app').getAttribute('data-rows'));
      await page.waitForFunction(
        (n) => Number((globalThis as unknown as InPage).document.getElementById('app')?.dataset.rows ?? 0) > n,
        first + 20,
        { timeout: 60_000 },
      );
      const later = Number(await page.locator('#app').getAttribute('data-rows'));
      assert.ok(later > first, `${first} -> ${later} rows without reloading`);
      assert.deepEqual(problems, []);
    });
  } finally {
    child.kill();
  }
});

/** The page's globals, as seen from functions that Playwright runs in it (the views publish what they drew on #app). */
type InPage = { document: { getElementById(id: string): { dataset: Record<string, string> } | null } };

function existsMetrics(run: string): boolean {
  try {
    return readFileSync(join(run, 'metrics.jsonl')).length > 0;
  } catch {
    return false;
  }
}

test('a truncated last line is held back while live and reported once the run stopped', async () => {
  const dir = join(root, 'torn');
  mkdirSync(dir);
  const metrics = join(dir, 'metrics.jsonl');
  writeFileSync(metrics, '{"type":"train","step":1,"tokens":8,"loss":3}\n{"type":"train","st');
  const meta = async () =>
    (await (await fetch(`${server.url}api/run?run=torn`)).json()) as {
      errors: string[];
      tables: Record<string, number>;
      status: string;
    };
  let m = await meta();
  assert.equal(m.status, 'training');
  assert.equal(m.tables.train, 1);
  assert.deepEqual(m.errors, []);
  appendFileSync(metrics, 'ep":2,"tokens":16,"loss":2.5}\n');
  m = await meta();
  assert.equal(m.tables.train, 2);
  appendFileSync(metrics, '{"type":"tr');
  // Once stale (no writer), the torn line is reported.
  const { utimesSync } = await import('node:fs');
  const old = new Date(Date.now() - 120_000);
  utimesSync(metrics, old, old);
  m = await meta();
  assert.equal(m.status, 'failed');
  assert.ok(
    m.errors.some((e) => /metrics\.jsonl:3: the last line is incomplete/.test(e)),
    m.errors.join('; '),
  );
});
