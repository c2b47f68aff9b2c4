/**
 * `slurry interp` on a run of fresh models over a real (byte-level) corpus: records that
 * parse, idempotence, CKA to the final checkpoint, a fresh model's probe selectivity ~0,
 * and one-line errors for an unknown hook, a checkpoint of another vocabulary and an SAE
 * too big for memory.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildCorpus } from '../../src/data/build.js';
import { parseBuildConfig } from '../../src/data/config.js';
import { openCorpus } from '../../src/data/corpus.js';
import { interpRun, readAcross } from '../../src/interp/runner.js';
import { saveModel } from '../../src/model/checkpoint.js';
import { parseGPTConfig } from '../../src/model/config.js';
import { GPT } from '../../src/model/gpt.js';
import { interpRecordSchema } from '../../src/run/interp-records.js';
import { checkpointDirName, runPaths } from '../../src/run/layout.js';
import { freshModelsRun, interpOptions as options, STEPS } from './support/fresh-models-run.js';

const cli = new URL('../../src/cli/main.js', import.meta.url).pathname;
test('interp records every checkpoint once, with CKA to the final checkpoint; fresh models have selectivity ~0', async () => {
  const { run } = await freshModelsRun();
  const log: string[] = [];
  const first = interpRun(run, { ...options, log: (l) => log.push(l) });
  assert.deepEqual(
    first.measured.map((m) => m.step),
    STEPS,
  );
  const lines = readFileSync(runPaths(run).interp, 'utf8').trim().split('\n');
  const records = lines.map((l) => interpRecordSchema.parse(JSON.parse(l)));
  assert.deepEqual(
    records.map((r) => r.step),
    STEPS,
  );
  const second = interpRun(run, { ...options, log: (l) => log.push(l) });
  assert.equal(second.measured.length, 0);
  assert.equal(second.upToDate, STEPS.length);
  assert.equal(readFileSync(runPaths(run).interp, 'utf8').trim().split('\n').length, STEPS.length);
  const across = readAcross(run)!;
  assert.equal(across.final_step, 10);
  for (const cka of across.cka_final[STEPS.length - 1]) assert.ok(Math.abs(cka - 1) < 1e-5);
  assert.equal(across.cka_final_replicates.length > 0, true);
  assert.ok(records[1].cka_prev && records[1].cka_prev.step === 0);
  // Fresh models (different seeds) differ from each other: CKA below 1 somewhere.
  assert.ok(across.cka_final[0].some((v) => v < 0.99));
  for (const r of records) {
    assert.ok(r.probes.source.test_rows > 20 && r.probes.pos!.test_rows > 20);
    // Fresh models carry no more about a token's source than its embedding does. (POS is not
    // asserted: on this byte-level vocabulary a word's last byte carries its morphology, so a
    // fresh model's H&L selectivity reads 0.2-0.3 here.)
    const sel = r.probes.source.selectivity;
    for (const s of sel) assert.ok(Math.abs(s) < 0.1, `step ${r.step}: source selectivity ${sel}`);
    assert.ok(r.sae.l0 <= r.sae.k);
    assert.ok(r.sae.fvu >= 0 && r.sae.fvu < 1, `FVU ${r.sae.fvu}`);
    assert.equal(
      r.sae.density.counts.reduce((a, b) => a + b, 0) + Math.round(r.sae.dead * r.sae.latents),
      r.sae.latents,
    );
  }
});

function slurry(...args: string[]) {
  return spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
}

/** A refusal: non-zero exit and one line of stderr matching `message`. */
function assertRefused(r: ReturnType<typeof slurry>, message: RegExp): void {
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, message);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
}

test('bad input: unknown hook, an SAE too big, a checkpoint of another vocabulary: one-line errors', async () => {
  const { run, corpus } = await freshModelsRun();
  const ckpt = join(run, 'checkpoints', checkpointDirName(0));
  const hook = slurry('interp', ckpt, '--sae-site', 'blocks.0.hook_resid_pots');
  assertRefused(hook, /unknown hook "blocks.0.hook_resid_pots".*close names: blocks.0.hook_resid_post/);

  const big = slurry('interp', ckpt, '--sae-latents', '2000000000');
  assertRefused(big, /SAE with 2000000000 latents .* needs [\d.]+ GiB; the limit is/);

  // A checkpoint trained on a corpus of another vocabulary, put among the run's: refused, naming it.
  const vocabSize = openCorpus(corpus, { verify: 'size' }).tokenizer.vocabSize;
  const otherCorpus = join(mkdtempSync(join(tmpdir(), 'slurry-interp-other-')), 'corpus');
  await buildCorpus({
    config: parseBuildConfig(
      {
        preset: 'custom',
        seed: 2,
        tokenizer: { vocabSize: 300, sampleBytes: 50_000 },
        sources: { moby_dick: { maxBytes: 30_000 } },
      },
      'the other corpus',
    ),
    out: otherCorpus,
    progress: 'silent',
  });
  const foreign = join(run, 'checkpoints', checkpointDirName(99));
  mkdirSync(foreign, { recursive: true });
  const config = parseGPTConfig({ vocab_size: 300, n_layer: 2, n_head: 2, n_embd: 16, n_positions: 32 });
  saveModel(foreign, GPT.init(config, 5), { slurry: { step: 99, tokens: 9900 } });
  copyFileSync(join(otherCorpus, 'tokenizer.json'), join(foreign, 'tokenizer.json'));
  const other = slurry('interp', foreign);
  assertRefused(
    other,
    new RegExp(`${foreign}: vocabulary of 300 tokens, but the run's interp sample uses ${vocabSize}`),
  );
});

test('--sae-site on a measured run: checked even when every checkpoint is up to date, and kept as recorded', async () => {
  const { run } = await freshModelsRun();
  interpRun(run, { ...options, log: () => {} });
  const recorded = interpRecordSchema.parse(JSON.parse(readFileSync(runPaths(run).interp, 'utf8').split('\n')[0])).sae
    .site;
  const unknown = slurry('interp', run, '--sae-site', 'blocks.0.hook_resid_pots');
  assertRefused(unknown, /unknown hook "blocks.0.hook_resid_pots".*close names: blocks.0.hook_resid_post/);

  const other = slurry('interp', run, '--sae-site', 'blocks.1.hook_resid_post');
  assertRefused(other, /--sae-site blocks.1.hook_resid_post: .*interp.jsonl was measured with the SAE on /);
  assert.ok(other.stderr.includes(recorded), other.stderr);

  const same = slurry('interp', run, '--sae-site', recorded);
  assert.equal(same.status, 0, same.stderr);
  assert.match(same.stderr, /0 checkpoint\(s\) measured, 3 already up to date/);
});
