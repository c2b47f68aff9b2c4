/**
 * The analysis on synthetic runs whose answers are known: sequential sigmoids are stages,
 * coincident ones a slurry, spaced but wide ones overlapping waves, and an exact-match
 * metric over a smooth probability is a metric artefact.
 */
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { analyzeRun, analyzeRunData } from '../../src/analysis/analyze-run.js';
import { loadRun } from '../../src/analysis/load-run.js';
import type { Analysis } from '../../src/analysis/types.js';
import { runPaths } from '../../src/run/layout.js';
import { SlurryError } from '../../src/util/errors.js';
import { writeSyntheticRun, type SyntheticRunSpec, type SyntheticSuite } from '../fixtures/synthetic-run.js';

const root = mkdtempSync(join(tmpdir(), 'slurry-analysis-'));
after(() => rmSync(root, { recursive: true, force: true }));

const S = (suite: string, midpoint: number, width: number, more: Partial<SyntheticSuite> = {}): SyntheticSuite => ({
  suite,
  items: 300,
  midpoint,
  width,
  ...more,
});
const BUCKETS = [
  { name: 'head/capital', share: 0.25, shift: -0.5 },
  { name: 'torso/capital', share: 0.25, shift: 0 },
  { name: 'tail/capital', share: 0.25, shift: 0.5 },
  { name: 'unseen/capital', share: 0.25, shift: null },
];

let n = 0;
function run(spec: Omit<SyntheticRunSpec, 'seed'> & { seed?: number }): string {
  const dir = join(root, `run-${n++}`);
  writeSyntheticRun(dir, { seed: 11, trainEvery: 16, ...spec });
  return dir;
}

const byName = (a: Analysis, name: string) => a.capabilities.find((c) => c.name === name)!;

test('sequential sigmoids are stages, in order, with midpoints where they were put', () => {
  const dir = run({
    suites: [
      S('tokens', 5, 0.5),
      S('syntax', 6, 0.5, { chanceD: 0.5, ceilingC: null }),
      S('facts', 7, 0.5, { items: 600, groups: BUCKETS }),
      S('reasoning', 8, 0.5),
    ],
  });
  const a = analyzeRun(dir);
  assert.equal(a.verdict.verdict, 'stages', a.verdict.reason);
  assert.deepEqual(
    a.verdict.order.map((o) => o.name),
    ['tokens', 'syntax', 'facts', 'reasoning'],
  );
  for (const [name, m] of [
    ['tokens', 5],
    ['syntax', 6],
    ['reasoning', 8],
  ] as const) {
    const mid = byName(a, name).discrete.midpoint!;
    assert.ok(Math.abs(mid.value - m) < 0.1, `${name} midpoint ${mid.value}`);
    assert.ok(
      mid.lo! < mid.value && mid.hi! > mid.value && mid.hi! - mid.lo! < 0.3,
      `${name} interval ${mid.lo}..${mid.hi}`,
    );
  }
  assert.ok(a.verdict.adjacent.every((p) => p.relation === 'sequential' && p.orderResolved && p.overlap <= 0.2));
  assert.ok(a.verdict.bootstrapShares.stages >= 0.95, JSON.stringify(a.verdict.bootstrapShares));
  assert.match(a.verdict.reason, /^stages: /);
  // the margin metric has no ceiling: scaled to its best checkpoint
  assert.equal(byName(a, 'syntax').continuous.ceilingKind, 'empirical');
  assert.equal(byName(a, 'syntax').discrete.chance, 0.5);
  // facts by exposure: head, then torso, then tail; unseen never leaves chance
  const facts = a.exposure.find((e) => e.suite === 'facts')!;
  assert.deepEqual(facts.order, ['head', 'torso', 'tail']);
  assert.deepEqual(facts.neverLearned, ['unseen']);
  assert.match(facts.summary, /^Facts in held-out phrasings by exposure: .*more frequent facts were learned first/);
  // written to RUN/analysis.json as returned
  assert.deepEqual(JSON.parse(readFileSync(runPaths(dir).analysis, 'utf8')), JSON.parse(JSON.stringify(a)));
  assert.equal(a.settings.resamples, 200);
});

test('coincident sigmoids are a slurry', () => {
  const dir = run({
    suites: [S('tokens', 6.45, 1), S('syntax', 6.5, 1, { chanceD: 0.5 }), S('facts', 6.55, 1), S('reasoning', 6.6, 1)],
  });
  const a = analyzeRunData(loadRun(dir), { resamples: 100 });
  assert.equal(a.verdict.verdict, 'slurry', a.verdict.reason);
  assert.ok(a.verdict.spread! < 0.3);
  assert.ok(a.verdict.bootstrapShares.slurry > 0.9);
});

test('spaced but wide sigmoids are overlapping waves', () => {
  const dir = run({
    suites: [S('tokens', 5.5, 1.5), S('syntax', 6.2, 1.5), S('facts', 6.9, 1.5), S('reasoning', 7.6, 1.5)],
  });
  const a = analyzeRunData(loadRun(dir), { resamples: 100 });
  assert.equal(a.verdict.verdict, 'overlapping_waves', a.verdict.reason);
  assert.deepEqual(
    a.verdict.order.map((o) => o.name),
    ['tokens', 'syntax', 'facts', 'reasoning'],
  );
  assert.ok(a.verdict.adjacent.every((p) => p.overlap > 0.2 && p.orderResolved));
});

test('a sharp step under a discrete metric over a smooth continuous one is a metric artefact', () => {
  const dir = run({
    suites: [S('reasoning', 6.5, 3, { mode: 'threshold', itemSpread: 0.05 }), S('syntax', 6, 0.5)],
    bump: { at: 7.5, height: 0.5, width: 0.1 },
  });
  const a = analyzeRunData(loadRun(dir), { resamples: 100 });
  const r = byName(a, 'reasoning');
  assert.equal(r.metricComparison.finding, 'artefact', r.metricComparison.explanation);
  assert.ok(r.metricComparison.widthRatio!.value < 0.1 && r.metricComparison.widthRatio!.hi! < 0.2);
  assert.ok(r.continuous.width!.value > 2.5, `continuous width ${r.continuous.width!.value}`);
  assert.equal(byName(a, 'syntax').metricComparison.finding, 'same_sharpness');
  // the step is located (threshold 0.9 of a 3-decade curve centred at 6.5: x = 8.0)
  const ups = a.transitions.capabilities.filter(
    (t) => t.subject === 'reasoning' && t.metric === 'd' && t.kind === 'speed_up',
  );
  // the smooth continuous curve has no abrupt change
  assert.ok(!a.transitions.capabilities.some((t) => t.subject === 'reasoning' && t.metric === 'c'));
  assert.equal(ups.length, 1);
  assert.ok(Math.abs(Math.log10(ups[0].tokens) - 8) < 0.2, `speed-up at ${ups[0].tokens}`);
  assert.ok(!a.transitions.capabilities.some((t) => t.subject === 'syntax'));
  // the loss bump put at 10^7.5 tokens
  const bump = a.transitions.loss.find((t) => t.kind === 'bump');
  assert.ok(bump && Math.abs(Math.log10(bump.peakTokens!) - 7.5) < 0.15, JSON.stringify(a.transitions.loss));
});

test('a discrete step between two sparse checkpoints: its width is bounded by them, still an artefact against a wide curve', () => {
  const powersOfTwo = Array.from({ length: 16 }, (_, i) => (i === 0 ? 0 : 2 ** (i - 1)));
  const dir = run({ suites: [S('reasoning', 6, 3, { mode: 'threshold', itemSpread: 0.01 })], probeSteps: powersOfTwo });
  const r = byName(analyzeRunData(loadRun(dir), { resamples: 50 }), 'reasoning');
  assert.equal(r.discrete.flags.widthUnresolved, true);
  assert.equal(r.continuous.flags.widthUnresolved, false);
  assert.equal(r.metricComparison.finding, 'artefact', r.metricComparison.explanation);
  assert.match(r.metricComparison.explanation, /rises between two probed checkpoints/);
});

test('capabilities that do not cross half of their range in the run are excluded from the verdict, with the reason', () => {
  const dir = run({
    suites: [
      S('tokens', 3, 0.5),
      S('syntax', 6, 0.5),
      S('facts', 7, 0.5),
      S('reasoning', 8.9, 1),
      S('icl', 6, 0.5, { groups: [{ name: 'never', share: 1, shift: null }] }),
    ],
  });
  const a = analyzeRunData(loadRun(dir), { resamples: 50 });
  const status = Object.fromEntries(a.capabilities.map((c) => [c.name, c.discrete.status]));
  assert.deepEqual(status, {
    tokens: 'saturated_at_start',
    syntax: 'crossed',
    facts: 'crossed',
    reasoning: 'still_rising',
    icl: 'flat',
  });
  assert.deepEqual(a.verdict.excluded.map((e) => e.name).sort(), ['icl', 'reasoning', 'tokens']);
  assert.match(
    byName(a, 'icl').discrete.message!,
    /is flat: .* its fitted curve ends at -?\d+% of the chance-to-ceiling range/,
  );
  assert.match(byName(a, 'reasoning').discrete.message!, /train longer/);
  assert.match(byName(a, 'tokens').discrete.message!, /Probe earlier checkpoints/);
  assert.equal(byName(a, 'icl').discrete.midpoint, null);
  assert.equal(a.verdict.verdict, 'stages');
});

test('too few probed checkpoints: says what is missing and how to get it, fits nothing', () => {
  const dir = run({ suites: [S('syntax', 6, 0.5), S('facts', 7, 0.5)], probeSteps: [0, 64, 1024] });
  // the run saved 43 checkpoints: probing them is the fix
  const saved = analyzeRunData(loadRun(dir), { resamples: 10 }).problems.find((x) => x.subject === 'syntax')!;
  assert.equal(saved.fix, 'the run has 43 checkpoints saved: probe them with `slurry probe RUN`');
  rmSync(runPaths(dir).checkpointIndex);
  const a = analyzeRun(dir);
  assert.equal(a.verdict.verdict, 'undetermined');
  const p = a.problems.find((x) => x.subject === 'syntax')!;
  assert.equal(p.what, "3 checkpoints probed for suite 'syntax'; a fit needs at least 6");
  assert.equal(p.fix, 'train longer or lower --checkpoint-every, then `slurry probe RUN`');
  assert.equal(byName(a, 'syntax').discrete.status, 'insufficient');
  assert.equal(byName(a, 'syntax').discrete.fit, null);
  assert.equal(byName(a, 'syntax').discrete.points.length, 3);
});

test('same seed, same analysis; another seed moves only the intervals', () => {
  const dir = run({ suites: [S('tokens', 5, 0.5), S('syntax', 6.5, 0.8)] });
  const data = loadRun(dir);
  const a = analyzeRunData(data, { resamples: 40, seed: 1 });
  assert.deepEqual(analyzeRunData(data, { resamples: 40, seed: 1 }), a);
  const b = analyzeRunData(data, { resamples: 40, seed: 2 });
  assert.equal(byName(b, 'syntax').discrete.midpoint!.value, byName(a, 'syntax').discrete.midpoint!.value);
  assert.notEqual(byName(b, 'syntax').discrete.midpoint!.lo, byName(a, 'syntax').discrete.midpoint!.lo);
});

test('a malformed JSONL line is an error naming file and line', () => {
  const dir = run({ suites: [S('syntax', 6, 0.5)], probeSteps: [0, 1, 2, 4, 8, 16] });
  const probes = runPaths(dir).probes;
  const lines = readFileSync(probes, 'utf8').split('\n');
  lines[2] = lines[2].slice(0, 40);
  writeFileSync(probes, lines.join('\n'));
  assert.throws(
    () => loadRun(dir),
    (e: unknown) => e instanceof SlurryError && e.message.startsWith(`${probes}:3: not valid JSON`),
  );

  lines[2] = JSON.stringify({
    step: 4,
    tokens: 65536,
    suite: 'syntax',
    discrete: 'a',
    continuous: 'b',
    chance: { d: 0, c: 0 },
    ceiling: { d: 1, c: 1 },
    metrics: {},
    items: [{ id: 'x', c: 0 }],
  });
  writeFileSync(probes, lines.join('\n'));
  assert.throws(
    () => loadRun(dir),
    (e: unknown) => e instanceof SlurryError && e.message.includes(`${probes}:3: field "items[0].d"`),
  );
});

test('repeated probe records: the last one wins and the analysis says so', () => {
  const dir = run({ suites: [S('syntax', 6, 0.5)], probeSteps: [0, 1, 2, 4, 8, 16, 32] });
  const probes = runPaths(dir).probes;
  const last = readFileSync(probes, 'utf8').trim().split('\n').pop()!;
  appendFileSync(probes, last + '\n');
  const a = analyzeRunData(loadRun(dir), { resamples: 10 });
  assert.ok(
    a.warnings.some((w) => /probes\.jsonl .* 1 repeated/.test(w)),
    a.warnings.join('\n'),
  );
  assert.equal(byName(a, 'syntax').discrete.points.length, 7);
});

test('a directory without metrics or probes is not a run', () => {
  const empty = mkdtempSync(join(root, 'empty-'));
  assert.throws(() => loadRun(empty), /neither metrics\.jsonl nor probes\.jsonl/);
  assert.throws(() => loadRun(join(root, 'no-such-dir')), /not a directory/);
});

test('a rise that levels off below half of the range is censored: no midpoint, out of the verdict; its shape midpoint stays', () => {
  // syntax rises cleanly but only to 15% of the way (issue 11's quick run); facts rises to 70%.
  const dir = run({
    suites: [S('tokens', 5, 0.5), S('syntax', 6, 0.5, { top: 0.15 }), S('facts', 7, 0.5, { top: 0.7 })],
  });
  const a = analyzeRunData(loadRun(dir), { resamples: 100 });
  const syntax = byName(a, 'syntax').discrete;
  assert.equal(syntax.status, 'still_rising');
  assert.equal(syntax.midpoint, null);
  assert.ok(Math.abs(syntax.shapeMidpoint!.value - 6) < 0.15, `shape midpoint ${syntax.shapeMidpoint!.value}`);
  assert.ok(Math.abs(syntax.lastLevel! - 0.15) < 0.05, `last level ${syntax.lastLevel}`);
  assert.match(
    syntax.message!,
    /still below 50% .* its fitted curve ends at 1\d% of the chance-to-ceiling range, and levels off near 1\d%/,
  );
  const out = a.verdict.excluded.find((e) => e.name === 'syntax')!;
  assert.equal(out.status, 'still_rising');
  assert.ok(Math.abs(out.last!.normalized - 0.15) < 0.06, JSON.stringify(out.last));
  // facts crosses 50% of its range where its 70% rise is 5/7 done: later than its shape midpoint
  const facts = byName(a, 'facts').discrete;
  const expected = 7 + Math.log(0.5 / 0.7 / (1 - 0.5 / 0.7)) / ((2 * Math.log(9)) / 0.5);
  assert.equal(facts.status, 'crossed');
  assert.ok(
    Math.abs(facts.midpoint!.value - expected) < 0.06,
    `midpoint ${facts.midpoint!.value}, expected ${expected.toFixed(3)}`,
  );
  assert.ok(Math.abs(facts.shapeMidpoint!.value - 7) < 0.06, `shape midpoint ${facts.shapeMidpoint!.value}`);
  assert.ok(facts.midpoint!.value - facts.shapeMidpoint!.value > 0.05);
  assert.deepEqual(
    a.verdict.order.map((o) => o.name),
    ['tokens', 'facts'],
  );
  assert.equal(a.verdict.verdict, 'stages', a.verdict.reason);
});
