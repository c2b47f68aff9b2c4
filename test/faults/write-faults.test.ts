/**
 * Fault injection on every write path: the device fails (ENOSPC, EIO) at a chosen write
 * to a checkpoint, the metrics log, the checkpoint index, the run config, probes.jsonl, a
 * corpus file or a report file. Each time the error is one clear line naming the file
 * (through the CLI's systemError), nothing half-written is left, and the run, corpus or
 * report is intact afterwards: a resume or a rerun finishes with the results of an
 * uninterrupted run. The hook is util/fs's setWriteFault, which every write goes through.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildCorpus } from '../../src/data/build.js';
import { parseBuildConfig } from '../../src/data/config.js';
import { BpeTokenizer } from '../../src/data/tokenizer/tokenizer.js';
import { saveModel } from '../../src/model/checkpoint.js';
import { parseGPTConfig } from '../../src/model/config.js';
import { GPT } from '../../src/model/gpt.js';
import { resolveSuites } from '../../src/probes/registry.js';
import { probeRun } from '../../src/probes/runner.js';
import { writeReport } from '../../src/report/write-report.js';
import { checkpointDirName } from '../../src/run/layout.js';
import { train } from '../../src/train/trainer.js';
import { SlurryError, systemError } from '../../src/util/errors.js';
import { setWriteFault } from '../../src/util/fs.js';
import { writeSyntheticRun } from '../fixtures/synthetic-run.js';
import { deterministic, quiet, readMetrics, tempRun, tinyConfig } from '../train/support/runs.js';
import { syntheticData } from '../train/support/synthetic-data.js';

const CODES = { ENOSPC: /no space left on the device/, EIO: /input\/output error/ } as const;

/** Fails the `nth` write (1-based) to a path matching `target` with `code`, then every later one to it. */
function failAt(target: RegExp, code: string, nth = 1): void {
  let seen = 0;
  setWriteFault((path) => (target.test(path) && ++seen >= nth ? code : null));
}

/** Runs `work` under the fault; asserts it fails with one clear line about a matching file. */
async function failsClearly(
  work: () => Promise<unknown> | unknown,
  target: RegExp,
  code: keyof typeof CODES,
): Promise<void> {
  try {
    await work();
    assert.fail('expected the injected fault to stop the work');
  } catch (err) {
    const shown = systemError(err);
    assert.ok(shown instanceof SlurryError, `one-line error expected, got ${(err as Error).stack}`);
    assert.match(shown.message, CODES[code]);
    assert.match(shown.message, new RegExp(target.source.replace(/\$$/, '')));
    assert.doesNotMatch(shown.message, /\n/);
  } finally {
    setWriteFault(null);
  }
}

const leftovers = (dir: string): string[] =>
  existsSync(dir) ? readdirSync(dir).filter((n) => n.includes('.tmp-')) : [];

// The reference, trained before any fault is installed (the hook is process-wide).
const whole = tempRun();
await train(tinyConfig, { out: whole, data: syntheticData(), log: quiet });
const uninterrupted = deterministic(readMetrics(whole));

const trainingPaths: [string, RegExp, number][] = [
  ['a checkpoint file', /checkpoints\/\.tmp-step-0000010-\d+\/optimizer\.safetensors$/, 1],
  ['a checkpoint manifest', /checkpoints\/\.tmp-step-0000020-\d+\/manifest\.json$/, 1],
  ['the metrics log', /metrics\.jsonl$/, 6],
  ['the checkpoint index', /checkpoints\/index\.json$/, 3],
];

for (const code of Object.keys(CODES) as (keyof typeof CODES)[]) {
  for (const [what, target, nth] of trainingPaths) {
    test(`training: ${code} on ${what} stops with one line; a resume finishes as an uninterrupted run`, async () => {
      const run = tempRun();
      failAt(target, code, nth);
      await failsClearly(() => train(tinyConfig, { out: run, data: syntheticData(), log: quiet }), target, code);
      assert.deepEqual(leftovers(join(run, 'checkpoints')), [], 'no temporary checkpoint is left');
      assert.equal(existsSync(join(run, 'train.lock')), false, 'the lock is released');
      await train(undefined, { out: run, resume: true, data: syntheticData(), log: quiet });
      assert.deepEqual(deterministic(readMetrics(run)), uninterrupted);
    });
  }

  test(`training: ${code} on the run's config.json leaves nothing; a new start works`, async () => {
    const run = tempRun();
    failAt(/run\/config\.json$/, code);
    await failsClearly(
      () => train(tinyConfig, { out: run, data: syntheticData(), log: quiet }),
      /run\/config\.json/,
      code,
    );
    assert.deepEqual(existsSync(run) ? readdirSync(run) : [], []);
    await train(tinyConfig, { out: run, data: syntheticData(), log: quiet });
    assert.deepEqual(deterministic(readMetrics(run)), uninterrupted);
  });
}

/** A run of three fresh checkpoints with a byte tokenizer, and a minimal-pair suite. */
function probeFixture(): { run: string; suite: string } {
  const run = tempRun();
  const tokenizer = new BpeTokenizer({ vocab: Array.from({ length: 256 }, (_, b) => Uint8Array.of(b)), merges: [] });
  const config = parseGPTConfig({
    vocab_size: tokenizer.vocabSize,
    n_layer: 1,
    n_head: 2,
    n_embd: 16,
    n_positions: 32,
  });
  const steps = [0, 1, 2];
  for (const step of steps) {
    const dir = join(run, 'checkpoints', checkpointDirName(step));
    saveModel(dir, GPT.init(config, step + 1), { slurry: { step, tokens: step * 100 } });
    writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(tokenizer.toHuggingFace()));
  }
  writeFileSync(
    join(run, 'checkpoints', 'index.json'),
    JSON.stringify({ checkpoints: steps.map((step) => ({ step, tokens: step * 100, dir: checkpointDirName(step) })) }),
  );
  const suite = join(mkdtempSync(join(tmpdir(), 'slurry-fault-suite-')), 'agreement.jsonl');
  const rows = [
    { sentence_good: 'The dog runs.', sentence_bad: 'The dog run.', UID: 'sva', pairID: 0 },
    { sentence_good: 'The dogs run.', sentence_bad: 'The dogs runs.', UID: 'sva', pairID: 1 },
  ];
  writeFileSync(suite, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  return { run, suite };
}

for (const code of Object.keys(CODES) as (keyof typeof CODES)[]) {
  test(`probes: ${code} on probes.jsonl stops with one line; a rerun completes every record`, async () => {
    const { run, suite } = probeFixture();
    const opts = { suites: resolveSuites([suite]), badRows: 'refuse' as const, log: () => {} };
    failAt(/probes\.jsonl$/, code, 2);
    await failsClearly(() => probeRun(run, opts), /probes\.jsonl/, code);
    probeRun(run, opts);
    const lines = readFileSync(join(run, 'probes.jsonl'), 'utf8').trim().split('\n');
    assert.deepEqual(
      lines.map((l) => JSON.parse(l).step),
      [0, 1, 2],
    );
  });

  test(`corpus: ${code} on a shard stops the build with one line; nothing is left; a rebuild works`, async () => {
    const root = mkdtempSync(join(tmpdir(), 'slurry-fault-corpus-'));
    const out = join(root, 'corpus');
    const config = parseBuildConfig(
      {
        preset: 'custom',
        seed: 1,
        tokenizer: { vocabSize: 'byte', sampleBytes: 20_000 },
        sources: { arithmetic: { problems: 200, maxDigits: 2, heldOutPerDigits: 5 } },
      },
      'fault corpus',
    );
    failAt(/shards\/arithmetic\.val\.bin$/, code);
    await failsClearly(() => buildCorpus({ config, out, progress: 'silent' }), /arithmetic\.val\.bin/, code);
    assert.deepEqual(readdirSync(root), [], 'neither the corpus nor its temporary directory is left');
    await buildCorpus({ config, out, progress: 'silent' });
    assert.ok(existsSync(join(out, 'manifest.json')));
  });
}

test('report: ENOSPC, then EIO, on a chart stop with one line each; the earlier report stays; a rerun writes it', async () => {
  const run = join(mkdtempSync(join(tmpdir(), 'slurry-fault-report-')), 'run');
  mkdirSync(run);
  writeSyntheticRun(run, {
    seed: 2,
    totalSteps: 64,
    logUntil: 8,
    every: 16,
    tokensPerStep: 1024,
    suites: [{ suite: 'tokens', items: 40, midpoint: 4, width: 0.5 }],
  });
  await writeReport([run], { analyze: { resamples: 10 } });
  const page = join(run, 'report', 'index.html');
  const before = readFileSync(page, 'utf8');
  for (const code of Object.keys(CODES) as (keyof typeof CODES)[]) {
    failAt(/report\/charts\/[^/]+\.svg$/, code);
    await failsClearly(() => writeReport([run], { analyze: { resamples: 10 } }), /report\/charts\/[^/]+\.svg/, code);
    assert.equal(readFileSync(page, 'utf8'), before, 'the earlier page is intact');
    assert.deepEqual(leftovers(join(run, 'report')), []);
  }
  await writeReport([run], { analyze: { resamples: 10 } });
});
