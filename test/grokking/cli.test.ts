import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { kernels } from '../../src/engine/backend.js';
import { precisionUnavailable } from '../../src/engine/precision.js';

const cli = new URL('../../src/cli/main.js', import.meta.url).pathname;
const root = mkdtempSync(join(tmpdir(), 'slurry-grok-cli-'));
after(() => rmSync(root, { recursive: true, force: true }));

const grok = (...args: string[]) =>
  spawnSync(process.execPath, [cli, 'grok', ...args], {
    encoding: 'utf8',
    env: { ...process.env, SLURRY_BACKEND: 'reference' },
  });

test('bad input: a clear error naming the option, non-zero exit, nothing written', () => {
  const out = join(root, 'bad');
  const cases: [string[], RegExp][] = [
    [['--op', 'div', '--p', '57'], /--p 57: division mod p needs a prime p.*try 59/],
    [['--train-frac', '1.5'], /--train-frac 1.5: expected a fraction strictly between 0 and 1/],
    [['--train-frac', '0'], /--train-frac 0: expected a fraction strictly between 0 and 1/],
    [
      ['--p', '59', '--model', '{"vocab_size": 40}'],
      /--model: vocab_size 40 is too small for p = 59: the task needs 60 tokens/,
    ],
    [['--model', '{"n_embd": 100, "n_head": 3}'], /--model: n_embd \(100\) must be divisible by n_head \(3\)/],
    [['--op', 'mul'], /--op mul: expected one of add, sub, div, poly/],
    [['--p', 'abc'], /--p abc: expected an integer >= 3/],
    [['--weight-decay', '-1'], /--weight-decay -1: expected a number >= 0/],
    [['--preset', 'slow'], /--preset slow: expected one of default, quick/],
    [['--fracs', '0.3'], /--fracs: only with --compare/],
    [['--compare', '--fracs', '0.3,2'], /--fracs 2: expected a fraction/],
    [['--precision', 'half'], /--precision: "half" is not a precision; expected one of auto, fp32, bf16/],
    [['--precision', 'bf16'], /--precision bf16: the reference backend has no bf16 kernels .*\(use fp32 or auto\)/],
  ];
  for (const [args, message] of cases) {
    const r = grok(...args, '--out', out);
    assert.notEqual(r.status, 0, args.join(' '));
    assert.match(r.stderr, message, args.join(' '));
    assert.doesNotMatch(r.stderr, /at .*\.js:\d+/, 'no stack trace');
  }
  assert.ok(!existsSync(join(out, 'metrics.jsonl')));
  assert.ok(!existsSync(out), 'a refused run leaves no directory');
});

test('slurry grok writes a run directory with a report page', () => {
  const out = join(root, 'run');
  const r = grok(
    '--p',
    '7',
    '--train-frac',
    '0.5',
    '--steps',
    '6',
    '--eval-every',
    '2',
    '--checkpoint-every',
    '4',
    '--model',
    '{"n_embd": 8, "n_inner": 16, "n_head": 2}',
    '--out',
    out,
  );
  assert.equal(r.status, 0, r.stderr);
  for (const f of [
    'config.json',
    'metrics.jsonl',
    'summary.json',
    'checkpoints/index.json',
    'report/index.html',
    'report/charts/accuracy.svg',
  ])
    assert.ok(existsSync(join(out, f)), f);
  const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
  assert.deepEqual(
    [config.p, config.train_frac, config.steps, config.seed, config.model.n_embd, config.precision],
    [7, 0.5, 6, 0, 8, 'fp32'],
  );
  assert.match(r.stderr, /grok: max_steps after 6 steps/);
});

const bf16Unavailable = precisionUnavailable('bf16', kernels());

test('a bf16 run records its precision and repeats its numbers; auto is bf16 here', {
  skip: bf16Unavailable ?? false,
}, () => {
  const native = (...args: string[]) =>
    spawnSync(process.execPath, [cli, 'grok', '--p', '7', '--train-frac', '0.5', '--steps', '8', ...args], {
      encoding: 'utf8',
    });
  const trainLosses = (dir: string) =>
    readFileSync(join(dir, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .filter((r) => r.type === 'grok_train')
      .map((r) => r.train_loss);
  const runs = ['bf16', 'bf16', 'auto', 'fp32'].map((precision, i) => {
    const out = join(root, `native-${i}`);
    const r = native('--precision', precision, '--out', out);
    assert.equal(r.status, 0, r.stderr);
    return {
      precision: JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')).precision,
      losses: trainLosses(out),
    };
  });
  assert.deepEqual(
    runs.map((r) => r.precision),
    ['bf16', 'bf16', 'bf16', 'fp32'],
  );
  assert.deepEqual(runs[1].losses, runs[0].losses, 'same seed, same bf16 numbers');
  assert.deepEqual(runs[2].losses, runs[0].losses, 'auto ran bf16');
  assert.notDeepEqual(runs[3].losses, runs[0].losses, 'bf16 rounds the products');
});
