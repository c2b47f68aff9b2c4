/**
 * "A curriculum beats a shuffled mixture": the plain natural mixture against the staged
 * curriculum (language first, then knowledge and code, then everything) and the adaptive
 * mixture (an EXP3 bandit over sources), at equal tokens: the compare-* schedules of
 * `slurry episode --compare`, here under several seeds. Read on the tokens each run needs to
 * bring each capability to half of its chance-to-ceiling range.
 */
import { formatTokens, listing, RELATION_WORDS, spreadGap } from './compare.js';
import { fewSeeds, ONE_SEED } from './level-contrast.js';
import { capabilityNames, contrast, midpointMeasured, type ArmContrast } from './measures.js';
import { compareSchedule, scaleBase, scaleCorpus, scaleSuites } from './scales.js';
import type { Answer, Experiment, MeasuredRun } from './types.js';

const REFERENCE = 'mix';
const CHALLENGERS = ['staged', 'adaptive'];

/** `1.2M [0.80M, 1.8M]` from a spread of log10 tokens. */
function tokensSpread(s: ArmContrast['a']): string {
  if (s.values.length === 0) return '-';
  const t = (x: number) => formatTokens(10 ** x);
  return s.lo === null || s.hi === null ? `${t(s.mean)} (${spreadGap(s)})` : `${t(s.mean)} [${t(s.lo)}, ${t(s.hi)}]`;
}

export function answerCurriculum(runs: readonly MeasuredRun[]): Answer {
  const names = capabilityNames(runs);
  const rows = CHALLENGERS.flatMap((arm) =>
    names.map((name) => ({
      arm,
      c: contrast(runs, name, { a: REFERENCE, b: arm }, (a) => midpointMeasured(a, name, 'd')),
    })),
  );
  const sooner = rows.filter((r) => r.c.relation === 'lower');
  const later = rows.filter((r) => r.c.relation === 'higher');
  const same = rows.filter((r) => r.c.relation === 'same');
  const unreached = [...new Set(rows.filter((r) => r.c.missing.a || r.c.missing.b).map((r) => r.c.name))];
  const quote = (r: (typeof rows)[number]) =>
    `${r.arm} on ${r.c.name} (${tokensSpread(r.c.b)} against ${tokensSpread(r.c.a)} tokens)`;
  let sentence: string;
  if (rows.length === 0) sentence = 'Not answered: no capability was measured.';
  else if (fewSeeds(runs)) sentence = `Not answered: ${ONE_SEED}.`;
  else if (sooner.length + later.length + same.length === 0)
    sentence = `Not answered: no capability reached half of its range in every seed of every schedule (${listing(unreached)}); train longer (--scale full).`;
  else {
    const parts: string[] = [];
    if (sooner.length) parts.push(`sooner than under the plain mix for ${sooner.map(quote).join(', ')}`);
    if (later.length) parts.push(`later for ${later.map(quote).join(', ')}`);
    const head = parts.length
      ? `At equal tokens, a capability reached half of its range ${parts.join('; ')}`
      : 'At equal tokens, neither the staged curriculum nor the adaptive mixture brought any capability to half of its range measurably sooner or later than the plain mix';
    const tail = [
      same.length ? `no difference shown on ${listing([...new Set(same.map((r) => r.c.name))])}` : '',
      unreached.length
        ? `${listing(unreached)} not at half of the range in every seed of every schedule, so not compared`
        : '',
    ].filter(Boolean);
    sentence = `${head}${tail.length ? ` (${tail.join('; ')})` : ''}.`;
  }
  return {
    sentence,
    tables: [
      {
        title: 'Tokens to half of the chance-to-ceiling range (discrete metric)',
        header: ['capability', 'schedule', `${REFERENCE}`, 'that schedule', 'against mix'],
        rows: rows.map((r) => [
          r.c.name,
          r.arm,
          withMissing(tokensSpread(r.c.a), r.c.missing.a),
          withMissing(tokensSpread(r.c.b), r.c.missing.b),
          r.c.relation === 'lower' ? 'sooner' : r.c.relation === 'higher' ? 'later' : RELATION_WORDS[r.c.relation],
        ]),
      },
    ],
    findings: { reference: REFERENCE, contrasts: rows },
  };
}

const withMissing = (text: string, missing: number) => (missing ? `${text}; ${missing} seed(s) not reached` : text);

export const curriculum: Experiment = {
  name: 'curriculum',
  question:
    'Does a curriculum (staged) or an adaptive mixture bring capabilities to their midpoint in fewer tokens than the plain mixture?',
  design: {
    varies:
      'the data schedule: the natural mixture throughout (mix), the staged curriculum, the adaptive bandit mixture',
    heldEqual: 'tokens, model, optimizer, learning-rate schedule, corpus and probes',
    measure:
      "tokens to half of each capability's chance-to-ceiling range (discrete metric), per seed; a capability compared only when every seed of both schedules reached it",
  },
  corpora: (scale) => ({ main: scaleCorpus(scale) }),
  base: scaleBase,
  arms: () =>
    [REFERENCE, ...CHALLENGERS].map((name) => ({
      name,
      config: ({ corpus }) => ({ data: { schedule: compareSchedule(name, corpus) } }),
    })),
  suites: scaleSuites,
  defaultSeeds: 2,
  answer: answerCurriculum,
};
