/**
 * Seeds side by side and across seeds, on synthetic runs whose midpoints are known: three
 * seeds of the same capabilities (item noise differs per seed), and a seed in which one
 * capability levels off below half of its range.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { analyzeRunData } from '../../src/analysis/analyze-run.js';
import { loadRun } from '../../src/analysis/load-run.js';
import { acrossSeeds, aggregateSeeds, tQuantile95 } from '../../src/analysis/seeds.js';
import { writeSyntheticRun, type SyntheticSuite } from '../fixtures/synthetic-run.js';

const root = mkdtempSync(join(tmpdir(), 'slurry-seeds-'));
after(() => rmSync(root, { recursive: true, force: true }));

const S = (suite: string, midpoint: number, width: number, more: Partial<SyntheticSuite> = {}): SyntheticSuite => ({
  suite,
  items: 200,
  midpoint,
  width,
  ...more,
});

function seedRun(seed: number, suites: SyntheticSuite[]) {
  const dir = join(root, `seed-${seed}-${suites.map((s) => s.top ?? 1).join('-')}`);
  writeSyntheticRun(dir, { seed, trainEvery: 64, suites });
  return { label: `seed-${seed}`, seed, analysis: analyzeRunData(loadRun(dir), { resamples: 60 }) };
}

test("across seeds: the mean of the seeds' midpoints with a t interval, and the range", () => {
  const a = acrossSeeds([1, 2, 3]);
  assert.equal(a.value, 2);
  assert.equal(a.sd, 1);
  assert.ok(
    Math.abs(a.hi! - (2 + 4.303 / Math.sqrt(3))) < 1e-12 && Math.abs(a.lo! - (2 - 4.303 / Math.sqrt(3))) < 1e-12,
  );
  assert.deepEqual([a.min, a.max, a.tokens], [1, 3, 100]);
  assert.deepEqual([acrossSeeds([5]).lo, acrossSeeds([5]).hi, acrossSeeds([5]).sd], [null, null, 0]);
  assert.equal(tQuantile95(2), 4.303);
  assert.equal(tQuantile95(100), 1.96);
});

test('three seeds of stages: unanimous, every midpoint across seeds near where it was put', () => {
  const suites = [S('tokens', 5, 0.5), S('syntax', 6, 0.5, { chanceD: 0.5 }), S('facts', 7, 0.5)];
  const s = aggregateSeeds([1, 2, 3].map((seed) => seedRun(seed, suites)));
  assert.deepEqual(
    s.seeds.map((x) => [x.label, x.seed, x.verdict]),
    [
      ['seed-1', 1, 'stages'],
      ['seed-2', 2, 'stages'],
      ['seed-3', 3, 'stages'],
    ],
  );
  assert.deepEqual([s.verdict.verdict, s.verdict.unanimous, s.verdict.counts.stages], ['stages', true, 3]);
  assert.equal(s.verdict.reason, 'every one of the 3 seeds gives stages');
  for (const [name, m] of [
    ['tokens', 5],
    ['syntax', 6],
    ['facts', 7],
  ] as const) {
    const c = s.capabilities.find((x) => x.name === name)!;
    assert.equal(c.crossed, 3);
    assert.ok(
      c.perSeed.every((p) => p.midpoint && p.midpoint.lo! < p.midpoint.value && p.midpoint.hi! > p.midpoint.value),
      name,
    );
    const a = c.acrossSeeds!;
    assert.ok(Math.abs(a.value - m) < 0.1, `${name} across seeds ${a.value}`);
    assert.ok(a.lo! <= a.min && a.hi! >= a.max && a.hi! - a.lo! < 0.5, `${name} interval ${a.lo}..${a.hi}`);
  }
});

test('a capability that crosses in some seeds only has no across-seeds midpoint; disagreeing verdicts are counted', () => {
  const crossing = [S('tokens', 5, 0.5), S('facts', 7, 0.5)];
  const levelling = [S('tokens', 5, 0.5), S('facts', 7, 0.5, { top: 0.3 })];
  const s = aggregateSeeds([seedRun(1, crossing), seedRun(2, levelling), seedRun(3, crossing)]);
  const facts = s.capabilities.find((x) => x.name === 'facts')!;
  assert.equal(facts.crossed, 2);
  assert.equal(facts.acrossSeeds, null);
  assert.equal(facts.perSeed[1].status, 'still_rising');
  assert.ok(Math.abs(facts.perSeed[1].lastLevel! - 0.3) < 0.05);
  assert.deepEqual(
    [s.verdict.verdict, s.verdict.unanimous, s.verdict.counts.stages, s.verdict.counts.undetermined],
    ['stages', false, 2, 1],
  );
  assert.match(s.verdict.reason, /the seeds disagree: stages in 2, undetermined in 1 of 3/);
  assert.ok(s.capabilities.find((x) => x.name === 'tokens')!.acrossSeeds);
});
