/**
 * `slurry experiment` end to end at the hidden tiny scale: code-helps-reasoning and dedup, 2
 * arms x 2 seeds of 24-step models on a byte-level corpus; the report opens with the answer the
 * command printed; the same command again runs nothing and answers the same. Bad input
 * (an unknown name, --seeds 0, a directory holding another experiment) is in the
 * bad-input catalogue (test/catalogue).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { EXPERIMENTS } from '../../src/experiment/catalogue.js';
import { injectedDuplicates } from '../../src/experiment/dedup.js';
import { sweepCli } from '../sweep/support.js';

const tmp = () => join(mkdtempSync(join(tmpdir(), 'slurry-experiment-')), 'out');

test('experiment --list names each experiment with its question', () => {
  const r = sweepCli(['experiment', '--list']);
  assert.equal(r.status, 0, r.stderr);
  for (const e of EXPERIMENTS) assert.ok(r.stdout.includes(`${e.name}\n  ${e.question}`), e.name);
});

test('a tiny code-helps-reasoning runs, answers in report.md, and a rerun runs nothing and answers the same', () => {
  const out = tmp();
  const args = ['experiment', 'code-helps-reasoning', '--out', out, '--scale', 'tiny', '--seeds', '2'];
  const first = sweepCli(args, { SLURRY_THREADS: '1' });
  assert.equal(first.status, 0, first.stderr);
  assert.match(first.stderr, /4 cells, 0 already done, 4 to run/);
  const answer = first.stdout.split('\n')[0];
  const report = readFileSync(join(out, 'report.md'), 'utf8');
  assert.equal(report.split('\n\n')[1], answer);
  assert.match(report, /\| tokens \| .* \| .* \| (no difference shown|higher|lower) \|/);
  const json = JSON.parse(readFileSync(join(out, 'experiment.json'), 'utf8'));
  assert.equal(json.status, 'done');
  assert.deepEqual(
    json.cells.map((c: { arm: string; seed: number }) => `${c.arm}/${c.seed}`),
    ['without-code/0', 'without-code/1', 'with-code/0', 'with-code/1'],
  );
  // Without code the code source gets no weight; with it, its natural share.
  const weights = (dir: string) =>
    JSON.parse(readFileSync(join(out, dir, 'config.json'), 'utf8')).data.schedule.weights as Record<string, number>;
  assert.equal(weights(json.cells[0].dir).code, 0);
  assert.ok(weights(json.cells[2].dir).code > 0);

  const again = sweepCli(args, { SLURRY_THREADS: '1' });
  assert.equal(again.status, 0, again.stderr);
  assert.match(again.stderr, /4 cells, 4 already done, 0 to run/);
  assert.equal(again.stdout.split('\n')[0], answer);
});

test('a tiny dedup builds both corpora with the copies, probes memorisation in every cell, and answers from it', () => {
  const out = tmp();
  const r = sweepCli(['experiment', 'dedup', '--out', out, '--scale', 'tiny', '--seeds', '2'], { SLURRY_THREADS: '1' });
  assert.equal(r.status, 0, r.stderr);
  const { passages, copies } = injectedDuplicates('tiny');
  assert.match(
    r.stderr,
    new RegExp(`duplicates: ${passages * copies} near copies of ${passages} moby_dick passages, ${passages} kept`),
  );
  assert.match(
    r.stderr,
    new RegExp(
      `duplicates: ${passages * copies} near copies of ${passages} moby_dick passages, ${passages * copies} kept`,
    ),
  );
  // The copied passages' curve exists in every cell, so the answer is read from it.
  assert.doesNotMatch(r.stdout, /^Not answered/);
  assert.match(r.stdout.split('\n')[0]!, /of the copied passages with the near-duplicates kept against/);
  const json = JSON.parse(readFileSync(join(out, 'experiment.json'), 'utf8'));
  for (const cell of json.cells) {
    const records = readFileSync(join(out, cell.dir, 'probes.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const memo = records.filter((p: { suite: string }) => p.suite === 'memorisation');
    assert.ok(memo.length > 0, `${cell.dir}: memorisation probed`);
    assert.ok(memo.at(-1).metrics['n/duplicated'] >= 10, `${cell.dir}: copied passages fit the tiny context`);
  }
});
