import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { openCorpus } from '../../src/data/corpus.js';
import { buildTinyCorpus } from './fixture.js';

const cli = new URL('../../src/cli/main.js', import.meta.url).pathname;
const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });

let dir: string;
before(async () => {
  dir = await buildTinyCorpus();
});

test('slurry data --help lists the data commands', () => {
  const r = run('data', '--help');
  assert.equal(r.status, 0);
  for (const c of ['build', 'stats', 'batch', 'verify']) assert.match(r.stdout, new RegExp(`\\b${c}\\b`));
});

test('data stats prints tokens per source, what filters and dedup removed, and top tokens', () => {
  const r = run('data', 'stats', dir, '--top', '5');
  assert.equal(r.status, 0, r.stderr);
  for (const s of ['brown', 'sotu', 'wordnet', 'code', 'facts', 'arithmetic', 'tracing', 'twohop', 'moby_dick'])
    assert.match(r.stdout, new RegExp(`^${s}\\b`, 'm'));
  assert.match(r.stdout, /what cleaning and dedup removed/);
  assert.match(r.stdout, /top 5 tokens/);
  const j = run('data', 'stats', dir, '--json', '--top', '3');
  const stats = JSON.parse(j.stdout);
  assert.equal(stats.top_tokens.length, 3);
  assert.ok(stats.top_tokens[0].count >= stats.top_tokens[1].count);
  assert.equal(stats.held_out_phrasings, undefined, 'only with --phrasings');
  const p = run('data', 'stats', dir, '--phrasings', '--top', '0');
  assert.equal(p.status, 0, p.stderr);
  assert.match(p.stdout, /held-out fact phrasings/);
  assert.match(p.stdout, /^country_capital\/heldout-0 +The .* X .* \d/m);
  const pj = JSON.parse(run('data', 'stats', dir, '--json', '--phrasings', '--top', '0').stdout);
  assert.ok(pj.held_out_phrasings.length >= 2 && pj.held_out_phrasings[0].words.length > 0);
});

test("data batch prints the exact text of batch K with each sequence's source, the same every time", () => {
  const args = ['data', 'batch', dir, '--step', '12', '--batch', '3', '--context', '24', '--seed', '5'];
  const a = run(...args);
  assert.equal(a.status, 0, a.stderr);
  assert.equal(run(...args).stdout, a.stdout);
  assert.equal((a.stdout.match(/^=== row \d · [a-z_]+ · offset \d+ ===$/gm) ?? []).length, 3);
  const j = JSON.parse(run(...args, '--json').stdout);
  const corpus = openCorpus(dir, { verify: 'size' });
  const batch = corpus.batch({ seed: 5, step: 12, batchSize: 3, context: 24, weights: corpus.naturalWeights() });
  j.rows.forEach((row: { source: string; offset: number; text: string }, b: number) => {
    assert.equal(row.source, corpus.sources[batch.rows[b]!.source]!.name);
    assert.equal(
      row.text,
      corpus.tokenizer.decode([...batch.inputs.subarray(b * 24, (b + 1) * 24), batch.targets[b * 24 + 23]!]),
    );
  });
  const only = JSON.parse(run('data', 'batch', dir, '--step', '0', '--weights', 'arithmetic=1', '--json').stdout);
  assert.ok(only.rows.every((r: { source: string }) => r.source === 'arithmetic'));
});

test('bad mixtures exit non-zero naming the field', () => {
  const unknown = run('data', 'batch', dir, '--step', '1', '--weights', 'novels=1');
  assert.notEqual(unknown.status, 0);
  assert.match(unknown.stderr, /field "weights\.novels": unknown source "novels"/);
  const negative = run('data', 'batch', dir, '--step', '1', '--weights', 'brown=-1,code=1');
  assert.notEqual(negative.status, 0);
  assert.match(negative.stderr, /field "weights\.brown": must be a finite number >= 0/);
  const zero = run('data', 'batch', dir, '--step', '1', '--weights', 'brown=0');
  assert.notEqual(zero.status, 0);
  assert.match(zero.stderr, /all weights are zero/);
  assert.notEqual(run('data', 'batch', dir, '--step', '-1').status, 0);
});

test('data verify passes on a good corpus and names a truncated shard', () => {
  const ok = run('data', 'verify', dir);
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /ok/);
  const damaged = join(mkdtempSync(join(tmpdir(), 'slurry-cli-')), 'c');
  cpSync(dir, damaged, { recursive: true });
  truncateSync(join(damaged, 'shards/sotu.train.bin'), 100);
  const bad = run('data', 'verify', damaged);
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /shards\/sotu\.train\.bin: shard has 100 bytes/);
  const stats = run('data', 'stats', damaged);
  assert.notEqual(stats.status, 0);
});

test('data build refuses an unknown preset, a bad --vocab and an existing --out', () => {
  const preset = run('data', 'build', '--preset', 'huge', '--out', join(tmpdir(), 'never'));
  assert.notEqual(preset.status, 0);
  assert.match(preset.stderr, /unknown preset "huge"/);
  const vocab = run('data', 'build', '--vocab', '12', '--out', join(tmpdir(), 'never'));
  assert.notEqual(vocab.status, 0);
  assert.match(vocab.stderr, /--vocab/);
  const exists = run('data', 'build', '--out', dir, '--quiet');
  assert.notEqual(exists.status, 0);
  assert.match(exists.stderr, /already exists; choose another --out or pass --force/);
});
