/**
 * The spam source and the cleaning switches: each kind of page is what a filter rule or the
 * deduplicator exists for, and a real build with the filters and deduplication on removes
 * most of it while the raw build (both off) keeps every page.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildCorpus } from '../../src/data/build.js';
import { FilterThresholds, normalizeText, qualityRejection } from '../../src/data/clean.js';
import { spam } from '../../src/data/sources/spam.js';
import { spamCorpus } from '../../src/experiment/spam-poisons.js';

const pages = spam.documents(spam.options.parse({ pages: 400 }), {
  seed: 1,
  knowledge: () => {
    throw new Error('the spam source needs no knowledge base');
  },
});

test('spam pages: boilerplate, stuffing and broken text fail the prose filters; near-duplicates pass them', () => {
  const thresholds = FilterThresholds.parse({});
  const rejected = new Map<string, number>();
  const count = new Map<string, number>();
  for (const d of pages) {
    const kind = String(d.meta!.kind);
    count.set(kind, (count.get(kind) ?? 0) + 1);
    if (qualityRejection(normalizeText(d.text), 'prose', thresholds)) rejected.set(kind, (rejected.get(kind) ?? 0) + 1);
  }
  assert.deepEqual([...count.keys()].sort(), ['boilerplate', 'broken', 'near_duplicate', 'stuffing']);
  for (const kind of ['boilerplate', 'broken', 'stuffing'])
    assert.ok(
      (rejected.get(kind) ?? 0) >= 0.9 * count.get(kind)!,
      `${kind}: ${rejected.get(kind)} of ${count.get(kind)}`,
    );
  assert.equal(rejected.get('near_duplicate') ?? 0, 0);
  // The same seed gives the same pages.
  const again = spam.documents(spam.options.parse({ pages: 400 }), { seed: 1, knowledge: () => null as never });
  assert.deepEqual(again, pages);
});

test('a real build: filters and deduplication off keep every spam page; on, most go and the manifest says which rule took them', async () => {
  const root = mkdtempSync(join(tmpdir(), 'slurry-spam-'));
  const spamEntry = async (cleaning: boolean) => {
    const out = join(root, String(cleaning));
    await buildCorpus({ config: spamCorpus('tiny', cleaning), out, progress: 'silent' });
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    return manifest.sources.find((s: { name: string }) => s.name === 'spam');
  };
  const raw = await spamEntry(false);
  assert.equal(raw.documents.deduplicated, raw.documents.extracted);
  assert.equal(raw.duplicates.near + raw.duplicates.exact, 0);
  const clean = await spamEntry(true);
  const kept = clean.documents.deduplicated / clean.documents.extracted;
  assert.ok(kept > 0 && kept < 0.25, `the filters should keep a few spam pages, kept ${kept}`);
  assert.ok(clean.duplicates.near > 0, 'near-duplicate pages are removed by deduplication');
  for (const rule of ['symbol_ratio', 'top_ngram']) assert.ok(clean.filtered[rule] > 0, rule);
});
