/**
 * `slurry probe` on a run made here (checkpoints of fresh models, a byte-level tokenizer) with
 * external suites: records, idempotence, a crash mid-append, damaged checkpoints, bad rows,
 * and the one-checkpoint summary.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { BpeTokenizer } from '../../src/data/tokenizer/tokenizer.js';
import { saveModel } from '../../src/model/checkpoint.js';
import { parseGPTConfig } from '../../src/model/config.js';
import { GPT } from '../../src/model/gpt.js';
import { resolveSuites } from '../../src/probes/registry.js';
import { probeRun } from '../../src/probes/runner.js';
import { checkpointDirName } from '../../src/run/layout.js';
import type { ProbeRecord } from '../../src/run/records.js';

const cli = new URL('../../src/cli/main.js', import.meta.url).pathname;
const STEPS = [0, 5, 10];
const byteTokenizer = new BpeTokenizer({ vocab: Array.from({ length: 256 }, (_, b) => Uint8Array.of(b)), merges: [] });

function makeRun(): string {
  const run = join(mkdtempSync(join(tmpdir(), 'slurry-probe-run-')), 'run');
  const config = parseGPTConfig({
    vocab_size: byteTokenizer.vocabSize,
    n_layer: 1,
    n_head: 2,
    n_embd: 16,
    n_positions: 64,
  });
  for (const step of STEPS) {
    const dir = join(run, 'checkpoints', checkpointDirName(step));
    mkdirSync(dir, { recursive: true });
    saveModel(dir, GPT.init(config, step + 1), { slurry: { step, tokens: step * 100 } });
    writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(byteTokenizer.toHuggingFace()));
  }
  const index = { checkpoints: STEPS.map((step) => ({ step, tokens: step * 100, dir: checkpointDirName(step) })) };
  writeFileSync(join(run, 'checkpoints', 'index.json'), JSON.stringify(index));
  return run;
}

const suiteDir = mkdtempSync(join(tmpdir(), 'slurry-probe-suites-'));
const pairsFile = join(suiteDir, 'agreement.jsonl');
writeFileSync(
  pairsFile,
  [
    { sentence_good: 'The dog runs.', sentence_bad: 'The dog run.', UID: 'sva', pairID: 0 },
    { sentence_good: 'The dogs run.', sentence_bad: 'The dogs runs.', UID: 'sva', pairID: 1 },
    { sentence_good: 'Old cats sleep.', sentence_bad: 'old cats sleep.', UID: 'caps', pairID: 0 },
  ]
    .map((r) => JSON.stringify(r))
    .join('\n') + '\n',
);
const clozeFile = join(suiteDir, 'capitals.jsonl');
writeFileSync(
  clozeFile,
  [
    {
      id: 'fr',
      group: 'europe',
      prompt: 'The capital of France is',
      answer: ' Paris',
      candidates: [' Paris', ' Rome', ' Oslo', ' Canberra'],
    },
    {
      id: 'it',
      group: 'europe',
      prompt: 'The capital of Italy is',
      answer: ' Rome',
      candidates: [' Paris', ' Rome', ' Oslo', ' Canberra'],
    },
    {
      id: 'au',
      group: 'oceania',
      prompt: 'The capital of Australia is',
      answer: ' Canberra',
      candidates: [' Paris', ' Rome', ' Oslo', ' Canberra'],
    },
  ]
    .map((r) => JSON.stringify(r))
    .join('\n') + '\n',
);
const suites = resolveSuites([pairsFile, clozeFile]);
const quiet = { suites, badRows: 'refuse' as const, log: () => {} };

function records(run: string): ProbeRecord[] {
  return readFileSync(join(run, 'probes.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
}

test('every checkpoint gets one record per suite; a second call adds nothing; same inputs give the same records', () => {
  const run = makeRun();
  const first = probeRun(run, quiet);
  assert.deepEqual(
    first.probed.map((p) => p.step),
    STEPS,
  );
  const recs = records(run);
  assert.deepEqual(
    recs.map((r) => `${r.step}/${r.suite}`),
    STEPS.flatMap((s) => [`${s}/agreement`, `${s}/capitals`]),
  );
  for (const r of recs) {
    assert.equal(r.tokens, r.step * 100);
    for (const item of r.items) assert.ok(item.d >= 0 && item.d <= 1 && Number.isFinite(item.c));
  }
  const pairs = recs.find((r) => r.suite === 'agreement')!;
  assert.deepEqual(
    [pairs.discrete, pairs.continuous, pairs.chance, pairs.ceiling],
    ['accuracy', 'margin', { d: 0.5, c: 0 }, { d: 1, c: null }],
  );
  assert.deepEqual(
    pairs.items.map((i) => `${i.id}@${i.group}`),
    ['sva:0@sva', 'sva:1@sva', 'caps:0@caps'],
  );
  const cloze = recs.find((r) => r.suite === 'capitals')!;
  assert.deepEqual([cloze.discrete, cloze.continuous], ['accuracy', 'p_answer']);
  // The uniform model gives a candidate of n bytes probability V^-n: " Rome" and " Oslo"
  // (5 bytes) tie first, " Paris" (6) is next, " Canberra" (9) last.
  const V = 257;
  const expected = {
    europe: { d: 0.25, c: (1 / (1 + 2 * V + V ** -3) + 1 / (2 + 1 / V + V ** -4)) / 2 },
    oceania: { d: 0, c: 1 / (1 + V ** 3 + 2 * V ** 4) },
  };
  for (const g of ['europe', 'oceania'] as const) {
    assert.equal(cloze.chance_by_group![g].d, expected[g].d);
    assert.ok(
      Math.abs(cloze.chance_by_group![g].c / expected[g].c - 1) < 1e-9,
      `${g}: ${cloze.chance_by_group![g].c} vs ${expected[g].c}`,
    );
  }
  const again = probeRun(run, quiet);
  assert.deepEqual([again.probed.length, again.upToDate], [0, 3]);
  assert.equal(records(run).length, 6);
  const twin = makeRun();
  probeRun(twin, quiet);
  assert.equal(readFileSync(join(twin, 'probes.jsonl'), 'utf8'), readFileSync(join(run, 'probes.jsonl'), 'utf8'));
});

test('a crash mid-append: the torn line is removed with a message and that record is made again', () => {
  const run = makeRun();
  probeRun(run, quiet);
  const file = join(run, 'probes.jsonl');
  const whole = readFileSync(file, 'utf8');
  const lastStart = whole.trimEnd().lastIndexOf('\n') + 1;
  truncateSync(file, lastStart + 40);
  const log: string[] = [];
  const r = probeRun(run, { ...quiet, log: (l) => log.push(l) });
  assert.match(log.join('\n'), /probes\.jsonl: removed an incomplete last line/);
  assert.deepEqual(
    r.probed.map((p) => [p.step, p.suites]),
    [[10, ['capitals']]],
  );
  assert.equal(readFileSync(file, 'utf8'), whole);
});

test('a damaged or missing checkpoint is reported by name and the others are still probed; the CLI exits non-zero', () => {
  const run = makeRun();
  const model = join(run, 'checkpoints', checkpointDirName(5), 'model.safetensors');
  truncateSync(model, 100);
  const r = probeRun(run, quiet);
  assert.deepEqual(
    r.probed.map((p) => p.step),
    [0, 10],
  );
  assert.equal(r.failed.length, 1);
  assert.match(r.failed[0].message, /step-0000005\/model\.safetensors: .*truncated/);
  const cli1 = spawnSync(process.execPath, [cli, 'probe', run, '--suite', pairsFile], { encoding: 'utf8' });
  assert.equal(cli1.status, 1);
  assert.match(cli1.stderr, /step 5: .*model\.safetensors/);
  const index = JSON.parse(readFileSync(join(run, 'checkpoints', 'index.json'), 'utf8'));
  index.checkpoints.push({ step: 20, tokens: 2000, dir: checkpointDirName(20) });
  writeFileSync(join(run, 'checkpoints', 'index.json'), JSON.stringify(index));
  const r2 = probeRun(run, quiet);
  assert.deepEqual(
    r2.failed.map((f) => f.step),
    [5, 20],
  );
  assert.match(r2.failed[1].message, /step-0000020: missing/);
});

test('a malformed row of a suite file is refused with its line, or skipped and reported with --skip-bad-rows', () => {
  const run = makeRun();
  const bad = join(suiteDir, 'broken.jsonl');
  writeFileSync(
    bad,
    readFileSync(pairsFile, 'utf8') + '{"sentence_good": "A b.",\n{"sentence_good": "C d.", "sentence_bad": 7}\n',
  );
  const refused = spawnSync(process.execPath, [cli, 'probe', run, '--suite', bad], { encoding: 'utf8' });
  assert.equal(refused.status, 1);
  assert.match(refused.stderr, /broken\.jsonl:4: not valid JSON/);
  const skipped = spawnSync(process.execPath, [cli, 'probe', run, '--suite', bad, '--skip-bad-rows', '--json'], {
    encoding: 'utf8',
  });
  assert.equal(skipped.status, 0, skipped.stderr);
  assert.match(skipped.stderr, /broken\.jsonl:4: skipped \(not valid JSON/);
  assert.match(skipped.stderr, /broken\.jsonl:5: skipped \(field "sentence_bad"/);
  assert.deepEqual(
    JSON.parse(skipped.stdout).probed.map((p: { step: number }) => p.step),
    STEPS,
  );
  assert.ok(records(run).every((r) => r.items.length === 3));
});

test("slurry probe CHECKPOINT --json prints one checkpoint's summary and writes nothing to the run", () => {
  const run = makeRun();
  const copy = join(mkdtempSync(join(tmpdir(), 'slurry-lone-')), 'step');
  cpSync(join(run, 'checkpoints', checkpointDirName(10)), copy, { recursive: true });
  const r = spawnSync(process.execPath, [cli, 'probe', copy, '--suite', clozeFile, '--suite', pairsFile, '--json'], {
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  const summary = JSON.parse(r.stdout);
  assert.equal(summary.step, 10);
  assert.equal(summary.tokens, 1000);
  assert.deepEqual(Object.keys(summary.suites), ['capitals', 'agreement']);
  assert.equal(summary.suites.agreement.chance.d, 0.5);
  assert.ok(summary.suites.capitals.d >= 0 && summary.suites.capitals.d <= 1);
  const unknown = spawnSync(process.execPath, [cli, 'probe', copy, '--suite', 'nonsense'], { encoding: 'utf8' });
  assert.equal(unknown.status, 1);
  assert.match(
    unknown.stderr,
    /--suite nonsense: not a built-in suite \(tokens, syntax, syntax_templates, recall, facts, reasoning, icl, samples, memorisation\) or a \.jsonl file/,
  );
  const lone = spawnSync(process.execPath, [cli, 'probe', copy, '--suite', 'syntax'], { encoding: 'utf8' });
  assert.equal(lone.status, 1);
  assert.match(lone.stderr, /not inside a run; pass --corpus DIR/);
});

test("one prober per run: a live process's lock is refused, a dead one's taken over", () => {
  const run = makeRun();
  const lock = join(run, 'probes.lock');
  // The parent of this test process is alive and is not this process.
  writeFileSync(lock, String(process.ppid));
  assert.throws(() => probeRun(run, quiet), /process \d+ is probing .* already/);
  const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  writeFileSync(lock, gone.stdout);
  assert.deepEqual(
    probeRun(run, quiet).probed.map((p) => p.step),
    STEPS,
  );
  assert.equal(existsSync(lock), false);
});
