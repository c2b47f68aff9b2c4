import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';

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
  ];
  for (const [args, message] of cases) {
    const r = grok(...args, '--out', out);
    assert.notEqual(r.status, 0, args.join(' '));
    assert.match(r.stderr, message, args.join(' '));
    assert.doesNotMatch(r.stderr, /at .*\.js:\d+/, 'no stack trace');
  }
  assert.ok(!existsSync(join(out, 'metrics.jsonl')));
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
  assert.deepEqual([config.p, config.train_frac, config.steps, config.seed, config.model.n_embd], [7, 0.5, 6, 0, 8]);
  assert.match(r.stderr, /grok: max_steps after 6 steps/);
});
