/**
 * Each experiment's answer on constructed results: a clear effect, no effect (intervals that
 * overlap: "no difference shown", never a winner), a reversed effect, and one seed.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { answerAnneal } from '../../src/experiment/anneal.js';
import { answerCodeHelpsReasoning } from '../../src/experiment/code-helps-reasoning.js';
import { formatSpread, formatTokens, relation, spread } from '../../src/experiment/compare.js';
import { answerContinuedPretraining } from '../../src/experiment/continued-pretraining.js';
import { answerCurriculum } from '../../src/experiment/curriculum.js';
import { answerDedup } from '../../src/experiment/dedup.js';
import { answerEmergence, jumpShare, jumpShareMeasured } from '../../src/experiment/emergence.js';
import { answerLiteModels } from '../../src/experiment/lite-models.js';
import { levelMeasured } from '../../src/experiment/measures.js';
import { answerSpamPoisons } from '../../src/experiment/spam-poisons.js';
import { analysis, run, runs } from './constructed.js';

const levels = (caps: Record<string, number>) =>
  analysis({ caps: Object.fromEntries(Object.entries(caps).map(([k, v]) => [k, { d: v }])) });

test('relation: disjoint 95% t intervals differ, overlapping ones show no difference, one value has no interval', () => {
  const low = spread([0.2, 0.22]);
  assert.ok(low.lo !== null && Math.abs(low.lo - (0.21 - 12.706 * 0.01)) < 1e-9);
  assert.equal(relation(low, spread([0.6, 0.62])), 'higher');
  assert.equal(relation(spread([0.6, 0.62]), low), 'lower');
  assert.equal(relation(low, spread([0.25, 0.2])), 'same');
  assert.equal(relation(spread([0.2]), spread([0.9])), 'unknown');
  assert.deepEqual([formatTokens(1e5), formatTokens(1.3e6), formatTokens(2_621_440)], ['100k', '1.3M', '2.6M']);
});

test("relation: two seeds that score the same items keep the items' sampling error, so one item more is no difference", () => {
  // 5 of 96 items in both seeds of one arm, 6 of 96 in both of the other: zero spread across seeds.
  const se = (k: number) => Math.sqrt(((k / 96) * (1 - k / 96)) / 96);
  const arm = (k: number) => spread([k / 96, k / 96], [1.96 * se(k), 1.96 * se(k)]);
  assert.equal(relation(spread([5 / 96, 5 / 96]), spread([6 / 96, 6 / 96])), 'higher', 'across seeds alone');
  assert.equal(relation(arm(5), arm(6)), 'same');
  const five = arm(5);
  assert.ok(Math.abs(five.hi! - five.mean - 1.96 * se(5)) < 1e-12, "no spread across seeds: the items' half-width");
  // The two parts add in quadrature.
  const both = spread([0.2, 0.22], [0.03, 0.05]);
  assert.ok(Math.abs(both.hi! - 0.21 - Math.hypot(12.706 * 0.01, Math.sqrt((0.03 ** 2 + 0.05 ** 2) / 2))) < 1e-9);
  // An open interval over items (a midpoint the bootstrap leaves open) shows nothing.
  const open = spread([6.1, 6.2], [0.05, Infinity]);
  assert.equal(open.lo, null);
  assert.equal(relation(open, spread([7.1, 7.2])), 'unknown');
  assert.equal(formatSpread(open), '6.15 (interval over items open)');
});

test('a level where every item scored 0 keeps an interval (Agresti-Coull floor), so a few items more is no difference', () => {
  const zero = analysis({ caps: { reasoning: { d: 0, se: 0, items: 96 } } });
  // 0 of 96: p = 2/100, standard error sqrt(0.02 x 0.98 / 100)
  assert.ok(Math.abs(levelMeasured(zero, 'reasoning', 'd')!.itemHalf - 1.959964 * Math.sqrt(0.0196 / 100)) < 1e-5);
  // The continuous metric is not a proportion: no floor.
  assert.equal(levelMeasured(zero, 'reasoning', 'c')!.itemHalf, 0);
  // A level whose items vary keeps its own (larger) standard error.
  const mid = analysis({ caps: { reasoning: { d: 0.5, se: 0.06, items: 96 } } });
  assert.ok(Math.abs(levelMeasured(mid, 'reasoning', 'd')!.itemHalf - 1.959964 * 0.06) < 1e-5);
  // 0 of 96 in both seeds against 5 of 96 (whose own interval clears 0): the intervals
  // overlap once the zeros keep theirs; without the floor this read "raised".
  const five = (d: number) => analysis({ caps: { reasoning: { d, se: Math.sqrt((d * (1 - d)) / 95), items: 96 } } });
  const r = answerCodeHelpsReasoning(
    runs({ 'without-code': [five(0), five(0)], 'with-code': [five(5 / 96), five(5 / 96)] }),
  );
  assert.match(r.sentence, /^No difference shown on any reasoning probe/);
});

test('code-helps-reasoning: a clear gain, no gain, a loss, a cost elsewhere, one seed', () => {
  const without = [levels({ reasoning: 0.2, syntax: 0.5 }), levels({ reasoning: 0.22, syntax: 0.52 })];
  const gain = answerCodeHelpsReasoning(
    runs({
      'without-code': without,
      'with-code': [levels({ reasoning: 0.6, syntax: 0.5 }), levels({ reasoning: 0.62, syntax: 0.52 })],
    }),
  );
  assert.match(
    gain.sentence,
    /^Code in the mixture raised reasoning 0\.61 \[0\.48, 0\.74\] against 0\.21 \[0\.08, 0\.34\]/,
  );
  assert.match(gain.sentence, /with no other capability shown lower/);
  assert.deepEqual(gain.tables[0].rows[0].slice(3), ['higher']);

  const none = answerCodeHelpsReasoning(
    runs({
      'without-code': without,
      'with-code': [levels({ reasoning: 0.25, syntax: 0.5 }), levels({ reasoning: 0.2, syntax: 0.52 })],
    }),
  );
  assert.match(none.sentence, /^No difference shown on any reasoning probe \(reasoning\)/);
  assert.doesNotMatch(none.sentence, /raised|lowered/);

  const reversed = answerCodeHelpsReasoning(
    runs({
      'with-code': without,
      'without-code': [levels({ reasoning: 0.6, syntax: 0.5 }), levels({ reasoning: 0.62, syntax: 0.52 })],
    }),
  );
  assert.match(reversed.sentence, /^Code in the mixture lowered reasoning 0\.21/);

  const cost = answerCodeHelpsReasoning(
    runs({
      'without-code': without,
      'with-code': [levels({ reasoning: 0.6, syntax: 0.1 }), levels({ reasoning: 0.62, syntax: 0.12 })],
    }),
  );
  assert.match(cost.sentence, /at a cost to syntax 0\.11 \[-0\.02, 0\.24\] against 0\.51/);

  const oneSeed = answerCodeHelpsReasoning([
    run('without-code', 0, without[0]),
    run('with-code', 0, levels({ reasoning: 0.9 })),
  ]);
  assert.match(oneSeed.sentence, /^Not answered: with one seed per arm there is no interval/);
});

test('code-helps-reasoning: the reasoning groups (two-hop, tracing, additions) are capabilities of their own', () => {
  const a = (code: number) =>
    analysis({ caps: { reasoning: { d: 0.3 } }, groups: { reasoning: { code, twohop: 0.1 } } });
  const r = answerCodeHelpsReasoning(runs({ 'without-code': [a(0.1), a(0.12)], 'with-code': [a(0.7), a(0.72)] }));
  assert.deepEqual(
    r.tables[0].rows.map((row) => [row[0], row[3]]),
    [
      ['reasoning', 'no difference shown'],
      ['reasoning/code', 'higher'],
      ['reasoning/twohop', 'no difference shown'],
    ],
  );
  assert.match(r.sentence, /raised reasoning\/code 0\.71/);
});

test('anneal: raised, no difference, lowered', () => {
  const mix = [levels({ facts: 0.3, syntax: 0.6 }), levels({ facts: 0.32, syntax: 0.61 })];
  const up = [levels({ facts: 0.7, syntax: 0.6 }), levels({ facts: 0.72, syntax: 0.62 })];
  assert.match(
    answerAnneal(runs({ mix, anneal: up })).sentence,
    /^Annealing .* raised facts 0\.71 .* \(no difference shown on syntax\)\.$/,
  );
  assert.match(
    answerAnneal(runs({ mix, anneal: mix })).sentence,
    /made no difference shown on any capability .*\(facts and syntax\)/,
  );
  assert.match(answerAnneal(runs({ mix: up, anneal: mix })).sentence, /lowered facts 0\.31/);
});

test('curriculum: sooner, no difference, later, and a capability some seed never reached', () => {
  const mids = (syntax: number | null, facts: number | null) =>
    analysis({ caps: { syntax: { d: 0.9, mid: syntax }, facts: { d: 0.9, mid: facts } } });
  const mix = [mids(6, 6), mids(6.02, 6.02)];
  const clear = answerCurriculum(
    runs({ mix, staged: [mids(5.5, 6), mids(5.52, 6.01)], adaptive: [mids(6, 6.5), mids(6.01, 6.52)] }),
  );
  assert.match(
    clear.sentence,
    /reached half of its range sooner than under the plain mix for staged on syntax \(324k \[.*\] against 1M/,
  );
  assert.match(clear.sentence, /; later for adaptive on facts \(3\.2M/);
  assert.match(clear.sentence, /no difference shown on facts and syntax/);

  const none = answerCurriculum(runs({ mix, staged: mix, adaptive: mix }));
  assert.match(none.sentence, /^At equal tokens, neither the staged curriculum nor the adaptive mixture/);

  const censored = answerCurriculum(runs({ mix, staged: [mids(5, null), mids(5.01, 6)], adaptive: mix }));
  assert.match(censored.sentence, /facts not at half of the range in every seed of every schedule, so not compared/);
  assert.match(
    censored.tables[0].rows.find((r) => r[0] === 'facts' && r[1] === 'staged')![3],
    /1 seed\(s\) not reached/,
  );

  const never = answerCurriculum(runs({ mix: [mids(null, null), mids(null, null)], staged: mix, adaptive: mix }));
  assert.match(never.sentence, /^Not answered: no capability reached half of its range/);
});

test('emergence: a discrete step over a smooth continuous rise is the artefact pattern; equal sharpness; the reverse', () => {
  assert.equal(jumpShare([0, 0, 0, 0.9]), 1);
  assert.equal(jumpShare([0.2, 0.2]), null);
  const at = (d: number, c: number) => levels({}) && analysis({ caps: { facts: { d, c } } });
  const family = (d: number[][], c: number[][]) =>
    ['1x32', '2x64', '3x96', '4x128'].flatMap((arm, i) =>
      [0, 1].map((seed) => run(arm, seed, at(d[seed][i], c[seed][i]))),
    );
  const step = [
    [0, 0, 0.02, 0.9],
    [0, 0.01, 0.02, 0.88],
  ];
  const even = [
    [0.2, 0.4, 0.6, 0.8],
    [0.21, 0.4, 0.61, 0.8],
  ];
  const order = ['1x32', '2x64', '3x96', '4x128'];
  assert.match(
    answerEmergence(family(step, even), order).sentence,
    /^Across 4 model sizes, facts rose more abruptly .*metric-artefact/,
  );
  assert.match(answerEmergence(family(even, even), order).sentence, /no difference in sharpness shown on facts/);
  assert.match(
    answerEmergence(family(even, step), order).sentence,
    /facts rose more abruptly under the continuous metric/,
  );
  const flat = [
    [0, 0, 0, 0.01],
    [0, 0, 0, 0],
  ];
  assert.match(answerEmergence(family(flat, flat), order).sentence, /^Not answered: no capability rose by 0\.05/);

  // The same step and even rise, probed with few items (standard error 0.15 a level): the
  // discrete share's interval over items reaches the continuous one's, so nothing is shown.
  const noisy = (d: number[][], c: number[][]) =>
    ['1x32', '2x64', '3x96', '4x128'].flatMap((arm, i) =>
      [0, 1].map((seed) => run(arm, seed, analysis({ caps: { facts: { d: d[seed][i], c: c[seed][i], se: 0.15 } } }))),
    );
  const shown = answerEmergence(noisy(step, even), order);
  assert.doesNotMatch(shown.sentence, /metric-artefact pattern\)/);
  assert.match(shown.sentence, /no difference in sharpness shown on facts|not compared/);
  // A small rise in steps within the noise: named, and not compared.
  const small = [
    [0, 0.03, 0.04, 0.06],
    [0, 0.02, 0.05, 0.07],
  ];
  assert.match(
    answerEmergence(noisy(small, small), order).sentence,
    /facts rose with size, but by steps within the probe items' noise, so their sharpness was not compared/,
  );
  const [share] = shown.tables[1].rows;
  // Across seeds alone the interval is 0.98 [0.97, 0.98]; the items' part widens it to about +-0.5.
  assert.match(share[1], /^0\.98 \[0\.[0-5]\d, 1\.[4-9]\d\]$/, 'the discrete share carries an item interval');
});

test('emergence: a share drawn from exact levels has no item width; a rise within noise is open', () => {
  const exact = jumpShareMeasured(
    [0, 0, 0.02, 0.9].map((value) => ({ value, itemHalf: 0 })),
    'x',
  );
  assert.deepEqual(exact, { value: 0.88 / 0.9, itemHalf: 0 });
  const noisy = jumpShareMeasured(
    [0, 0.03, 0.04, 0.06].map((value) => ({ value, itemHalf: 0.1 })),
    'x',
  );
  assert.equal(noisy?.itemHalf, Infinity);
  const some = jumpShareMeasured(
    [0.1, 0.3, 0.5, 0.9].map((value) => ({ value, itemHalf: 0.05 })),
    'x',
  )!;
  assert.ok(some.itemHalf > 0.02 && some.itemHalf < 0.3, `half ${some.itemHalf}`);
  assert.deepEqual(
    jumpShareMeasured(
      [0.1, 0.3, 0.5, 0.9].map((value) => ({ value, itemHalf: 0.05 })),
      'x',
    ),
    some,
  );
});

test('continued-pretraining: re-warming gains and forgets more; no difference; the reverse', () => {
  const cont = (code: number[], books: number[]) => analysis({ losses: { code, books } });
  const rewarm = [cont([3, 2.2, 2], [2, 2.6, 2.3]), cont([3, 2.2, 2.05], [2, 2.62, 2.32])];
  const hold = [cont([3, 2.8, 2.7], [2, 2.05, 2.05]), cont([3, 2.8, 2.72], [2, 2.04, 2.06])];
  const base = [cont([3], [2]), cont([3], [2])];
  const clear = answerContinuedPretraining(runs({ base, 'no-rewarm': hold, rewarm }));
  assert.match(clear.sentence, /gained more on the new domain \(0\.975 \[.*\] against 0\.290/);
  assert.match(clear.sentence, /forgot more of the old one/);
  assert.match(clear.sentence, /had a deeper stability gap/);
  assert.match(
    answerContinuedPretraining(runs({ base, 'no-rewarm': hold, rewarm: hold })).sentence,
    /^Re-warming .* made no difference shown in the drop/,
  );
  const reversed = answerContinuedPretraining(runs({ base, 'no-rewarm': rewarm, rewarm: hold })).sentence;
  assert.match(reversed, /gained less on the new domain.*forgot less.*shallower stability gap/);
});

test('lite-models: a capability counts from the first checkpoint where every seed has half of its range', () => {
  const a = (facts: number[]) => analysis({ caps: { tokens: { d: [0.1, 0.6, 0.9] }, facts: { d: facts } } });
  const r = answerLiteModels(runs({ run: [a([0, 0.2, 0.7]), a([0, 0.3, 0.4])] }));
  assert.match(
    r.sentence,
    /by 100k tokens it predicts held-out text better than bigram counts; no checkpoint yet knows facts/,
  );
  assert.deepEqual(
    r.tables[0].rows.map((row) => row[1]),
    ['-', 'predicts held-out text better than bigram counts', 'predicts held-out text better than bigram counts'],
  );
  const both = answerLiteModels(runs({ run: [a([0, 0.2, 0.7]), a([0, 0.3, 0.6])] }));
  assert.match(both.sentence, /then by 1M tokens it knows facts/);
  // Seed 0's greedy sample at each checkpoint, after its prompt.
  const withSamples = runs({ run: [a([0, 0.2, 0.7]), a([0, 0.3, 0.6])] });
  withSamples[0].samples = [
    { step: 2, tokens: 1e6, samples: [{ prompt: 'The capital of France is', greedy: ' Paris.\n\nThe', sampled: '' }] },
  ];
  assert.deepEqual(
    answerLiteModels(withSamples).tables[0].rows.map((row) => row[2]),
    ['', '', '*The capital of France is* Paris. The'],
  );
});

test('spam-poisons: harm at 30% recovered by filtering, no harm at 10%, a reversed effect, one seed', () => {
  const clean = [levels({ syntax: 0.5, facts: 0.3 }), levels({ syntax: 0.52, facts: 0.32 })];
  const same = clean;
  const harmed = [levels({ syntax: 0.2, facts: 0.3 }), levels({ syntax: 0.22, facts: 0.32 })];
  const a = answerSpamPoisons(
    runs({
      clean,
      'spam10-raw': same,
      'spam10-filtered': same,
      'spam30-raw': harmed,
      'spam30-filtered': same,
    }),
  );
  assert.match(a.sentence, /^At 10% spam with the filters off, no capability was shown lower than the clean mixture\./);
  assert.match(
    a.sentence,
    /At 30% spam with the filters off, syntax 0\.21 \[[^\]]+\] against 0\.51 \[[^\]]+\] \(spam against clean\)/,
  );
  assert.match(a.sentence, /filtering raised syntax 0\.51/);
  assert.match(a.sentence, /the filtered mixture was not shown below the clean one on any capability/);
  assert.doesNotMatch(a.sentence, /facts 0/);
  assert.equal(a.tables.length, 4);

  // Filtering that does not help: the harm stays.
  const stays = answerSpamPoisons(
    runs({ clean, 'spam10-raw': same, 'spam10-filtered': same, 'spam30-raw': harmed, 'spam30-filtered': harmed }),
  );
  assert.match(
    stays.sentence,
    /filtering was not shown to raise any of them; and syntax 0\.21 \[[^\]]+\] against 0\.51 \[[^\]]+\] stayed below the clean mixture/,
  );

  // Spam that helps is not called harm.
  const reversed = answerSpamPoisons(
    runs({
      clean: harmed,
      'spam10-raw': harmed,
      'spam10-filtered': harmed,
      'spam30-raw': clean,
      'spam30-filtered': clean,
    }),
  );
  assert.match(reversed.sentence, /At 30% spam with the filters off, no capability was shown lower/);

  const one = answerSpamPoisons(
    runs({
      clean: [clean[0]!],
      'spam10-raw': [same[0]!],
      'spam10-filtered': [same[0]!],
      'spam30-raw': [harmed[0]!],
      'spam30-filtered': [same[0]!],
    }),
  );
  assert.match(one.sentence, /^Not answered: with one seed per arm/);
});

test('dedup: duplicates memorised and nothing else changed; no difference; duplicates that hurt loss and facts; one seed', () => {
  // memorisation's own curve is the copied passages (the single-copy group is its control);
  // c is the suffixes' log-probability per token.
  const arm = (copied: number, logprob: number, single: number, val: number, facts: number) =>
    analysis({
      caps: { memorisation: { d: copied, c: logprob }, facts: { d: facts } },
      groups: { memorisation: { single } },
      val: [4, val],
    });
  const on = [arm(0.03, -3.1, 0, 2.5, 0.3), arm(0.05, -3.0, 0, 2.51, 0.31)];
  const memorised = [arm(0.6, -0.8, 0, 2.5, 0.3), arm(0.64, -0.7, 0, 2.52, 0.32)];
  const a = answerDedup(runs({ 'dedup-on': on, 'dedup-off': memorised }));
  assert.match(
    a.sentence,
    /^Greedy decoding wrote the words after the prefix for 0\.62 \[[^\]]+\] of the copied passages with the near-duplicates kept against 0\.04 \[[^\]]+\] deduplicated, their suffixes at -0\.75 \[[^\]]+\] against -3\.05 \[[^\]]+\] nats per token \(higher\)/,
  );
  assert.match(a.sentence, /passages seen once: 0\.00 \[-0\.02, 0\.02\] against 0\.00/);
  assert.match(a.sentence, /no difference in validation loss was shown/);
  assert.match(a.sentence, /no capability was shown different \(facts\)/);
  assert.equal(a.tables.length, 3);
  assert.equal(a.tables[0]!.rows[0]![3], 'higher');

  const none = answerDedup(runs({ 'dedup-on': on, 'dedup-off': on }));
  assert.match(none.sentence, /^No difference in extraction was shown \(0\.04/);
  assert.match(none.sentence, /nats per token \(no difference shown\)/);

  // Duplicates that raise the held-out loss and lower a capability are named.
  const hurt = [arm(0.6, -0.8, 0, 2.9, 0.08), arm(0.64, -0.7, 0, 2.92, 0.1)];
  const h = answerDedup(runs({ 'dedup-on': on, 'dedup-off': hurt }));
  assert.match(h.sentence, /validation loss was higher with the duplicates kept \(2\.910 \[[^\]]+\] against 2\.505/);
  assert.match(h.sentence, /lower with the duplicates kept: facts 0\.09 \[[^\]]+\] against 0\.3/);

  // Without the copied passages' curve there is nothing to answer from.
  const blind = answerDedup(runs({ 'dedup-on': [levels({ facts: 0.3 })], 'dedup-off': [levels({ facts: 0.3 })] }));
  assert.match(blind.sentence, /^Not answered: the memorisation suite did not measure the copied passages/);
  const one = answerDedup(runs({ 'dedup-on': [on[0]!], 'dedup-off': [memorised[0]!] }));
  assert.match(one.sentence, /^Not answered: with one seed per arm/);
});
