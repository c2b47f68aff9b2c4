/**
 * The episode's orchestration on a small corpus and a tiny model: seeds (each run with its
 * own initialisation and data order, recorded), external suites probed at every checkpoint
 * beside the built-ins, the cross-seed summary and report, a rerun that continues; and bad
 * input refused before anything is trained, naming the option or the file and line.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseBuildConfig } from '../../src/data/config.js';
import { runEpisode, type EpisodeOptions } from '../../src/episode/episode.js';
import { runPaths } from '../../src/run/layout.js';
import type { ProbeRecord, TrainRecord } from '../../src/run/records.js';
import { tinyConfig } from '../train/support/runs.js';

const cli = new URL('../../src/cli/main.js', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'slurry-episode-'));
const lines = (rows: unknown[]) => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
const agreement = join(dir, 'agreement.jsonl');
writeFileSync(
  agreement,
  lines([
    { sentence_good: 'The dog runs.', sentence_bad: 'The dog run.', UID: 'sva', pairID: 0 },
    { sentence_good: 'The dogs run.', sentence_bad: 'The dogs runs.', UID: 'sva', pairID: 1 },
  ]),
);

/** A three-source byte-level corpus (under a second to build) and a 1-layer model trained for 12 steps. */
const small: Omit<EpisodeOptions, 'out'> = {
  preset: 'quick',
  corpusConfig: parseBuildConfig(
    {
      preset: 'custom',
      seed: 1,
      tokenizer: { vocabSize: 'byte', sampleBytes: 100_000 },
      sources: {
        moby_dick: { maxBytes: 60_000 },
        arithmetic: { problems: 1500, maxDigits: 2, heldOutPerDigits: 20 },
        tracing: { programs: 400, heldOut: 30 },
      },
    },
    'episode test corpus',
  ),
  trainOverrides: {
    ...tinyConfig,
    lr_schedule: { kind: 'constant' },
    context: 32,
    steps: 12,
    checkpoints: { log_until: 4, every: 6 },
  },
  builtinSuites: ['tokens', 'icl'],
  progress: 'silent',
  log: () => {},
};

const readLines = <T>(file: string): T[] =>
  readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as T);

test('--seeds 2 trains two seeds, probes the external suite at every checkpoint, reports across seeds; a rerun continues', async () => {
  const out = join(dir, 'seeds');
  const result = await runEpisode({ ...small, out, seed: 5, seeds: 2, suiteFiles: [agreement] });
  assert.deepEqual(
    result.runs.map((r) => r.label),
    ['seed-5', 'seed-6'],
  );
  const firstLoss: number[] = [];
  for (const [k, run] of result.runs.entries()) {
    assert.equal(run.dir, join(out, 'seeds', `seed-${5 + k}`));
    const config = JSON.parse(readFileSync(runPaths(run.dir).config, 'utf8'));
    assert.deepEqual(
      [config.seed, config.data.seed],
      [5 + k, 5 + k],
      'initialisation and data order per seed, recorded',
    );
    firstLoss.push(readLines<TrainRecord>(runPaths(run.dir).metrics).find((r) => r.type === 'train')!.loss);
    const probes = readLines<ProbeRecord>(runPaths(run.dir).probes);
    const steps = [0, 1, 2, 4, 6, 12];
    assert.deepEqual(
      probes.map((p) => `${p.step}/${p.suite}`).sort(),
      steps.flatMap((s) => [`${s}/tokens`, `${s}/icl`, `${s}/agreement`]).sort(),
    );
    assert.ok(
      run.analysis.capabilities.some((c) => c.name === 'agreement'),
      'the external suite is a capability of the analysis',
    );
    assert.ok(existsSync(runPaths(run.dir).analysis));
  }
  assert.notEqual(firstLoss[0], firstLoss[1], 'the seeds train differently');
  const seeds = JSON.parse(readFileSync(join(out, 'seeds.json'), 'utf8'));
  assert.deepEqual(seeds, JSON.parse(JSON.stringify(result.seeds)));
  assert.deepEqual(
    seeds.seeds.map((s: { seed: number }) => s.seed),
    [5, 6],
  );
  assert.deepEqual(
    seeds.capabilities.map((c: { name: string }) => c.name),
    ['tokens', 'icl', 'agreement'],
  );
  assert.equal(result.report, join(out, 'report', 'index.html'));
  const html = readFileSync(result.report, 'utf8');
  assert.match(html, /<h2>Across 2 seeds<\/h2>/);
  assert.match(html, /Verdict across seeds: <strong>/);

  const again = await runEpisode({ ...small, out, seed: 5, seeds: 2, suiteFiles: [agreement] });
  assert.deepEqual(again.seeds, result.seeds, 'nothing left to train or probe: the same summary');
});

function slurry(...args: string[]) {
  return spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
}

test('bad input: one line naming the option or the file and line, and no episode directory', () => {
  const badRow = join(dir, 'bad-row.jsonl');
  writeFileSync(badRow, lines([{ sentence_good: 'A b.', sentence_bad: 'A c.' }]) + '{"sentence_good": "x"\n');
  const cases: [string[], RegExp][] = [
    [['--seeds', '0'], /^slurry: error: --seeds 0: expected an integer >= 1\n$/],
    [['--seeds', 'two'], /^slurry: error: --seeds two: expected an integer >= 1\n$/],
    [['--suite', join(dir, 'missing.jsonl')], /^slurry: error: --suite .*missing\.jsonl: no such file\n$/],
    [['--suite', badRow], /^slurry: error: .*bad-row\.jsonl:2: not valid JSON.*\n$/],
    [['--seeds', '2', '--compare'], /^slurry: error: --seeds with --compare: give one of them/],
  ];
  for (const [args, message] of cases) {
    const out = join(dir, `bad-${args.join('-').replace(/[^a-z0-9-]/gi, '')}`);
    const r = slurry('episode', '--out', out, '--progress', 'silent', ...args);
    assert.notEqual(r.status, 0, args.join(' '));
    assert.match(r.stderr, message, args.join(' '));
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.ok(!existsSync(out), `${args.join(' ')}: nothing written`);
  }
});

test("a suite item longer than the model's context is refused before training, naming the file and line", async () => {
  const long = join(dir, 'long.jsonl');
  const sentence = 'The old dog that the children on the hill loved so much runs.';
  writeFileSync(
    long,
    lines([
      { sentence_good: 'The dog runs.', sentence_bad: 'The dog run.' },
      { sentence_good: sentence, sentence_bad: sentence.replace('runs', 'run') },
    ]),
  );
  const out = join(dir, 'long');
  await assert.rejects(
    runEpisode({ ...small, out, suiteFiles: [long] }),
    /long\.jsonl:2: pair pair:2: a sentence of 6\d tokens does not fit the model's context of 32 tokens/,
  );
  assert.deepEqual(readdirSync(out), ['corpus'], 'only the finished corpus (its tokenizer measured the items)');
});
