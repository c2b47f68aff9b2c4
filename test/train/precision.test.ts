/**
 * The `precision` key of a training run: `auto` (the default) resolved to bf16 where the CPU
 * runs it and fp32 elsewhere, recorded in RUN/config.json, a bf16 run resumed
 * after a crash gives the same metrics as one never stopped, and bad input (an unknown precision, bf16 where it cannot run,
 * a resume with another precision) is refused in one line naming the key.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { kernels } from '../../src/engine/backend.js';
import { precisionUnavailable } from '../../src/engine/precision.js';
import { train } from '../../src/train/trainer.js';
import { miniCorpus } from './support/mini-corpus.js';
import { deterministic, quiet, readMetrics, tempRun, tinyConfig } from './support/runs.js';
import { syntheticData } from './support/synthetic-data.js';

const cli = new URL('../../src/cli/main.js', import.meta.url).pathname;
function slurry(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
}
const bf16Unavailable = precisionUnavailable('bf16', kernels());

test('an unknown precision is refused naming the key, in a config file and as a flag', async () => {
  const corpus = await miniCorpus();
  const run = tempRun();
  const config = join(run, '..', 'fp16.yaml');
  writeFileSync(config, `preset: tiny\ncorpus: ${corpus}\nsteps: 2\nprecision: fp16\n`);
  const r = slurry(['train', config, '--out', run]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /fp16\.yaml: field "precision": expected one of auto, fp32, bf16/);
  const f = slurry([
    'train',
    '--preset',
    'tiny',
    '--corpus',
    corpus,
    '--steps',
    '2',
    '--precision',
    'half',
    '--out',
    tempRun(),
  ]);
  assert.equal(f.status, 1);
  assert.match(f.stderr, /--precision: "half" is not a precision; expected one of auto, fp32, bf16/);
  assert.equal(f.stderr.trim().split('\n').length, 1);
});

test('bf16 where the CPU cannot run it (a lower instruction-set path forced) is refused naming the key', async () => {
  const corpus = await miniCorpus();
  const run = tempRun();
  const r = slurry(
    ['train', '--preset', 'tiny', '--corpus', corpus, '--steps', '2', '--precision', 'bf16', '--out', run],
    { SLURRY_ISA: 'avx2' },
  );
  assert.equal(r.status, 1);
  assert.match(
    r.stderr,
    /precision: bf16: bf16 (runs beside the avx512 path|needs a CPU with AVX512_BF16).*\(use precision: fp32 or auto\)/,
  );
  assert.equal(r.stderr.trim().split('\n').length, 1);
});

test('precision auto (the default) is fp32 where bf16 cannot run, and config.json records fp32', async () => {
  const corpus = await miniCorpus();
  for (const flags of [[], ['--precision', 'auto']]) {
    const run = tempRun();
    const r = slurry(['train', '--preset', 'tiny', '--corpus', corpus, '--steps', '8', ...flags, '--out', run], {
      SLURRY_ISA: 'avx2',
    });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(JSON.parse(readFileSync(join(run, 'config.json'), 'utf8')).precision, 'fp32');
  }
});

test('a bf16 run records its precision, resumes to the same metrics, and refuses a resume in fp32', {
  skip: bf16Unavailable ?? false,
}, async () => {
  const config = { ...tinyConfig, precision: 'bf16' };
  const whole = tempRun();
  await train(config, { out: whole, data: syntheticData(), log: quiet });
  assert.equal(JSON.parse(readFileSync(join(whole, 'config.json'), 'utf8')).precision, 'bf16');
  const auto = tempRun();
  await train(tinyConfig, { out: auto, data: syntheticData(), log: quiet });
  assert.equal(JSON.parse(readFileSync(join(auto, 'config.json'), 'utf8')).precision, 'bf16', 'auto is bf16 here');
  const fp32 = tempRun();
  await train({ ...tinyConfig, precision: 'fp32' }, { out: fp32, data: syntheticData(), log: quiet });
  assert.equal(JSON.parse(readFileSync(join(fp32, 'config.json'), 'utf8')).precision, 'fp32');
  const losses = (run: string) => readMetrics(run).flatMap((m) => (m.type === 'train' ? [m.loss] : []));
  assert.notDeepEqual(losses(whole), losses(fp32), 'bf16 rounds the products');

  const broken = tempRun();
  const crash = (step: number) => {
    if (step === 10) throw new Error('simulated crash');
  };
  await assert.rejects(
    train(config, { out: broken, data: syntheticData(), log: quiet, onCheckpoint: crash }),
    /simulated crash/,
  );
  await assert.rejects(
    train({ ...config, precision: 'fp32' }, { out: broken, resume: true, data: syntheticData(), log: quiet }),
    /resume of .*: the given config differs from the run's precision: "bf16" -> "fp32"/,
  );
  const refused = slurry(['train', '--resume', broken, '--precision', 'fp32']);
  assert.equal(refused.status, 1);
  assert.match(
    refused.stderr,
    /--precision fp32: .* trains with precision bf16 \(precision in .*config\.json\); a resume keeps the run's precision/,
  );
  assert.equal(refused.stderr.trim().split('\n').length, 1);
  const autoHere = slurry(['train', '--resume', broken, '--precision', 'auto'], { SLURRY_ISA: 'avx2' });
  assert.equal(autoHere.status, 1);
  assert.match(autoHere.stderr, /--precision auto \(fp32 on this CPU\): .* trains with precision bf16/);
  await train(undefined, { out: broken, resume: true, data: syntheticData(), log: quiet });
  assert.deepEqual(deterministic(readMetrics(broken)), deterministic(readMetrics(whole)));
});
