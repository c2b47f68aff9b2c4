/**
 * End to end: `slurry data build --preset quick` through the CLI, then the checks that
 * need a real corpus: Hugging Face's tokenizers agrees on every source's text, no probe
 * item's text occurs in training, stats and batch work on it.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { openCorpus, readProbeItems, type Corpus } from '../src/data/index.js';
import { scanForLeaks } from '../src/data/leak-scan.js';

const cli = new URL('../src/cli/main.js', import.meta.url).pathname;
let dir: string;
let corpus: Corpus;

before(() => {
  dir = join(mkdtempSync(join(tmpdir(), 'slurry-e2e-')), 'quick');
  const r = spawnSync(process.execPath, [cli, 'data', 'build', '--preset', 'quick', '--out', dir], {
    encoding: 'utf8',
    env: { ...process.env, CI: 'true' },
  });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /encode: .* MB in/);
  corpus = openCorpus(dir);
});

test('the quick corpus holds at most 5 MB of text from every source', () => {
  const m = corpus.manifest;
  assert.ok(m.totals.bytes <= 5_000_000, `${m.totals.bytes} bytes`);
  assert.equal(m.sources.length, 9);
  for (const s of m.sources) assert.ok(s.tokens.train > 10_000, `${s.name}: ${s.tokens.train} tokens`);
  assert.ok(m.exposure_buckets!.head! >= 30);
});

test("Hugging Face's tokenizers gives the same ids on every source's text", async () => {
  const require = createRequire(import.meta.url);
  const { Tokenizer } = require('tokenizers') as typeof import('tokenizers');
  const hf = Tokenizer.fromFile(join(dir, 'tokenizer.json'));
  for (const s of corpus.sources) {
    const docs = [...corpus.documents(s.name, 'train')].slice(0, 15);
    for (const d of docs)
      assert.deepEqual(
        Array.from((await hf.encode(d)).getIds()),
        corpus.tokenizer.encode(d),
        `${s.name}: ${d.slice(0, 50)}`,
      );
  }
});

test('no probe item text occurs in the training text', () => {
  const training = corpus.sources.map((s) => [...corpus.documents(s.name, 'train')].join('\n')).join('\n');
  for (const name of ['facts', 'twohop', 'arithmetic', 'code'] as const)
    for (const p of readProbeItems(dir, name)) {
      assert.ok(!training.includes(p.prompt + p.answer), `${name} ${p.id}`);
      assert.ok(!corpus.sentenceSeenInTraining(p.prompt + p.answer), `${name} ${p.id}`);
    }
});

test('no held-out probe text in any decoded training shard of the quick corpus', () => {
  const scan = scanForLeaks(corpus);
  assert.ok(scan.texts > 1000 && scan.characters > 3_000_000, `${scan.texts} texts, ${scan.characters} characters`);
  assert.deepEqual(scan.leaks.slice(0, 5), [], `${scan.leaks.length} held-out texts found in training`);
});

test('stats and batch run on the quick corpus', () => {
  const stats = spawnSync(process.execPath, [cli, 'data', 'stats', dir], { encoding: 'utf8' });
  assert.equal(stats.status, 0, stats.stderr);
  assert.match(stats.stdout, /top 20 tokens/);
  const batch = spawnSync(
    process.execPath,
    [cli, 'data', 'batch', dir, '--step', '1000', '--batch', '16', '--context', '256'],
    { encoding: 'utf8' },
  );
  assert.equal(batch.status, 0, batch.stderr);
  assert.equal((batch.stdout.match(/^=== row/gm) ?? []).length, 16);
});
