/**
 * Injected near-duplicates (data/duplicates.ts) through the real build: the copies land in
 * training, deduplication removes all but one of each passage and keeps everything else,
 * the tokenizer does not see them, and the memorisation suite reads its items. Bad configs
 * are refused before anything is written.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildCorpus } from '../../src/data/build.js';
import { type BuildConfig, parseBuildConfig } from '../../src/data/config.js';
import { openCorpus } from '../../src/data/corpus.js';
import { planDuplicates } from '../../src/data/duplicates.js';
import { readProbeItems } from '../../src/data/probe-files.js';
import { Rng } from '../../src/data/random.js';
import { parseGPTConfig } from '../../src/model/config.js';
import { GPT } from '../../src/model/gpt.js';
import { OPT_IN_SUITES, BUILTIN_SUITES, resolveSuite } from '../../src/probes/registry.js';
import { runSuite } from '../../src/probes/runner.js';
import { buildMemorisationItems, memorisationSuite } from '../../src/probes/suites/memorisation.js';
import { SlurryError } from '../../src/util/errors.js';

const PASSAGES = 4;
const COPIES = 6;
const PASSAGE_WORDS = 200;

function config(dedup: boolean, duplicates: Record<string, unknown> = {}): BuildConfig {
  return parseBuildConfig(
    {
      preset: 'custom',
      seed: 3,
      tokenizer: { vocabSize: 400, sampleBytes: 200_000 },
      dedup: { enabled: dedup },
      sources: { brown: { maxBytes: 160_000 }, arithmetic: { problems: 300, maxDigits: 2, heldOutPerDigits: 10 } },
      duplicates: {
        source: 'brown',
        passages: PASSAGES,
        copies: COPIES,
        passageWords: PASSAGE_WORDS,
        prefixWords: 30,
        suffixWords: 8,
        ...duplicates,
      },
    },
    'duplicates test config',
  );
}

async function build(c: BuildConfig): Promise<string> {
  const out = join(mkdtempSync(join(tmpdir(), 'slurry-duplicates-')), 'corpus');
  await buildCorpus({ config: c, out, progress: 'silent' });
  return out;
}

const words = (s: string) => s.split(/\s+/).filter(Boolean);

/** The words of each brown training document of a corpus, decoded from its shard once. */
const trainingDocs = new Map<string, string[][]>();
function brownDocs(dir: string): string[][] {
  let docs = trainingDocs.get(dir);
  if (!docs) {
    const corpus = openCorpus(dir);
    const ids = [...corpus.tokens('brown', 'train')];
    docs = [];
    let start = 0;
    for (let i = 0; i < ids.length; i++)
      if (ids[i] === corpus.tokenizer.eotId) {
        docs.push(words(corpus.tokenizer.decode(ids.slice(start, i))));
        start = i + 1;
      }
    trainingDocs.set(dir, docs);
  }
  return docs;
}

/**
 * Training documents of brown that are a copy of the passage opening with `opening`: as
 * long as a passage, their first words that opening with at most `edits` changed.
 */
function nearCopies(dir: string, opening: string, edits: number): number {
  const want = words(opening);
  return brownDocs(dir).filter((w) => w.length === PASSAGE_WORDS && want.filter((x, i) => x !== w[i]).length <= edits)
    .length;
}

const on = await build(config(true));
const off = await build(config(false));

test('duplicates: every copy stays in training without dedup, most go with it; the rest of the corpus is the same', () => {
  const manifest = (dir: string) => JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  const [a, b] = [manifest(on), manifest(off)];
  const injected = PASSAGES * COPIES;
  assert.deepEqual(b.duplicates, { source: 'brown', passages: PASSAGES, injected, kept: injected });
  // MinHash LSH finds a near duplicate of similarity 0.9 about 93% of the time: most copies go.
  assert.equal(a.duplicates.injected, injected);
  assert.ok(a.duplicates.kept >= PASSAGES && a.duplicates.kept <= PASSAGES + injected / 4, `kept ${a.duplicates.kept}`);
  // The tokenizer is trained before the copies are added: the same in both corpora.
  assert.equal(readFileSync(join(on, 'tokenizer.json'), 'utf8'), readFileSync(join(off, 'tokenizer.json'), 'utf8'));
  assert.equal(b.sources[0].documents.train - a.sources[0].documents.train, injected - a.duplicates.kept);
  assert.deepEqual(
    a.sources.map((s: { tokens: unknown }) => s.tokens).slice(1),
    b.sources.map((s: { tokens: unknown }) => s.tokens).slice(1),
  );

  const items = readProbeItems(off, 'memorisation');
  const kept = readProbeItems(on, 'memorisation');
  assert.equal(items.filter((i) => i.group === 'duplicated').length, PASSAGES);
  assert.equal(items.filter((i) => i.group === 'single').length, PASSAGES);
  assert.equal(new Set(items.map((i) => i.document)).size, 2 * PASSAGES, 'each passage from its own document');
  assert.equal(
    kept.reduce((n, i) => n + i.copies, 0),
    a.duplicates.kept,
  );
  items.forEach((item, k) => {
    const opening = item.prompt + item.answer;
    assert.equal(words(item.prompt).length, 30);
    assert.equal(words(item.answer).length, 8);
    assert.match(item.answer, /^\s/, 'the answer starts at a word');
    const duplicated = item.group === 'duplicated';
    assert.equal(item.copies, duplicated ? COPIES : 0, item.id);
    assert.equal(nearCopies(off, opening, 1), item.copies, `${item.id} without dedup`);
    assert.ok(!duplicated || kept[k]!.copies >= 1, `${item.id}: the first copy stays`);
    assert.equal(nearCopies(on, opening, 1), kept[k]!.copies, `${item.id} with dedup`);
  });
  assert.deepEqual(
    kept.map((i) => [i.id, i.prompt, i.answer]),
    items.map((i) => [i.id, i.prompt, i.answer]),
    'the same passages either way',
  );
});

test('duplicates: a copy differs from its passage in the words edited, and the choice is seeded', () => {
  const docs = Array.from({ length: 6 }, (_, i) => ({
    id: `d${i}`,
    text: Array.from({ length: 50 }, (_, w) => `w${i}x${w}`).join(i % 2 ? ' ' : '\n'),
  }));
  const opts = {
    source: 's',
    passages: 3,
    copies: 4,
    passageWords: 20,
    prefixWords: 10,
    suffixWords: 5,
    editsPerCopy: 2,
  };
  const plan = planDuplicates(docs, opts, new Rng(5));
  assert.deepEqual(plan, planDuplicates(docs, opts, new Rng(5)));
  assert.equal(plan.copies.length, 12);
  for (const copy of plan.copies) {
    const original = words(plan.duplicated[copy.passage]!.text);
    const changed = words(copy.text).filter((w, i) => w !== original[i]).length;
    assert.ok(changed >= 1 && changed <= 2, `${copy.id}: ${changed} words changed`);
  }
  for (const p of [...plan.duplicated, ...plan.single]) {
    assert.ok(docs.find((d) => d.id === p.doc)!.text.includes(p.text), 'cut from its document as written');
    assert.equal(words(p.text).length, 20);
  }
  assert.throws(
    () => planDuplicates(docs, { ...opts, passages: 4 }, new Rng(5)),
    /duplicates: source s has 6 training documents of at least 20 words; 8 are needed/,
  );
});

test('duplicates: bad configs name the field and leave nothing behind', async () => {
  for (const [dup, message] of [
    [{ source: 'sotu' }, /field "duplicates\.source": "sotu" is not a source of this corpus \(brown, arithmetic\)/],
    [{ source: 'arithmetic' }, /"arithmetic" is generated and never deduplicated/],
    [{ passages: 500 }, /duplicates: source brown has \d+ training documents of at least 200 words; 1000 are needed/],
  ] as const) {
    const parent = mkdtempSync(join(tmpdir(), 'slurry-duplicates-bad-'));
    const out = join(parent, 'corpus');
    await assert.rejects(buildCorpus({ config: config(true, dup), out, progress: 'silent' }), (e: Error) => {
      assert.ok(e instanceof SlurryError);
      assert.match(e.message, message);
      return true;
    });
    assert.equal(existsSync(out), false);
  }
  assert.throws(() => config(true, { copies: 0 }), /duplicates\.copies/);
});

test('memorisation suite: opt-in, read from the corpus, an untrained model extracts nothing', () => {
  assert.equal(resolveSuite('memorisation').name, 'memorisation');
  assert.ok(OPT_IN_SUITES.includes(memorisationSuite) && !BUILTIN_SUITES.includes(memorisationSuite));
  const corpus = openCorpus(off);
  const rows = buildMemorisationItems({ corpus, seed: 0, context: 256 });
  assert.equal(rows.length, 2 * PASSAGES);
  const dir = mkdtempSync(join(tmpdir(), 'slurry-memorisation-'));
  const file = join(dir, 'memorisation.jsonl');
  writeFileSync(file, rows.map((r) => JSON.stringify(r) + '\n').join(''));
  const suite = memorisationSuite.prepare(file, corpus.tokenizer, 'refuse');
  assert.equal(suite.kind, 'probe');
  const model = GPT.init(
    parseGPTConfig({ vocab_size: corpus.tokenizer.vocabSize, n_layer: 1, n_head: 2, n_embd: 16, n_positions: 256 }),
    1,
  );
  const r = runSuite(suite as Parameters<typeof runSuite>[0], model);
  assert.equal(r.metrics.extracted, 0);
  assert.equal(r.items.filter((i) => i.control).length, PASSAGES, 'single-copy passages are the control');
  assert.ok(r.metrics.logprob_per_token < -3, `untrained log-prob ${r.metrics.logprob_per_token}`);

  // A corpus built without duplicates has no items for it, and says how to get them.
  const plain = mkdtempSync(join(tmpdir(), 'slurry-memorisation-none-'));
  assert.throws(
    () => buildMemorisationItems({ corpus: { ...corpus, dir: plain }, seed: 0, context: 256 }),
    /suite memorisation: .* has no probes\/memorisation\.jsonl; only a corpus built with "duplicates" in its config has/,
  );
});
