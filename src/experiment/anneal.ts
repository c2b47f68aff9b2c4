/**
 * "Annealing on high-quality data at the end of training helps" (OLMo 2's mid-training):
 * the plain natural mixture under a cosine learning rate against the natural mixture under
 * a constant rate whose last 20% decays linearly to zero on reference, facts, reasoning and
 * code only: the compare-mix and compare-anneal presets, at equal tokens.
 */
import { fewSeeds, levelContrasts, levelTable, ONE_SEED, quoted } from './level-contrast.js';
import { listing } from './compare.js';
import { compareSchedule, scaleBase, scaleCorpus, scaleSuites } from './scales.js';
import type { Answer, Experiment, MeasuredRun } from './types.js';
import { trainPreset } from '../train/presets.js';

const ARMS = { a: 'mix', b: 'anneal' };

export function answerAnneal(runs: readonly MeasuredRun[]): Answer {
  const contrasts = levelContrasts(runs, ARMS);
  const pick = (rel: string) => contrasts.filter((c) => c.relation === rel);
  let sentence: string;
  if (contrasts.length === 0) sentence = 'Not answered: no capability was measured.';
  else if (fewSeeds(runs)) sentence = `Not answered: ${ONE_SEED}.`;
  else {
    const [up, down, same] = [pick('higher'), pick('lower'), pick('same').map((c) => c.name)];
    const changed = [
      up.length ? `raised ${up.map(quoted).join(', ')}` : '',
      down.length ? `lowered ${down.map(quoted).join(', ')}` : '',
    ].filter(Boolean);
    sentence = changed.length
      ? `Annealing on high-quality sources at the end ${changed.join(' and ')} against the plain mixture at equal tokens${same.length ? ` (no difference shown on ${listing(same)})` : ''}.`
      : `Annealing on high-quality sources at the end made no difference shown on any capability against the plain mixture at equal tokens (${listing(same)}).`;
  }
  return {
    sentence,
    tables: [levelTable('Level at the last checkpoint (discrete metric)', contrasts, ARMS, 'level')],
    findings: { contrasts },
  };
}

export const anneal: Experiment = {
  name: 'anneal',
  question:
    'Does ending training with an anneal on high-quality sources (OLMo 2 style) raise capabilities against the plain mixture at equal tokens?',
  design: {
    varies:
      'the end of training: the natural mixture under a cosine learning rate (mix), or a constant rate whose last 20% decays to zero on reference, facts, reasoning and code (anneal)',
    heldEqual: 'tokens, model, optimizer, peak learning rate, corpus and probes',
    measure:
      "each capability's level at the last checkpoint (discrete metric, normalised 0 chance to 1 ceiling), per seed",
  },
  corpora: (scale) => ({ main: scaleCorpus(scale) }),
  base: scaleBase,
  arms: () => [
    { name: ARMS.a, config: ({ corpus }) => ({ data: { schedule: compareSchedule('mix', corpus) } }) },
    {
      name: ARMS.b,
      config: ({ corpus }) => ({
        lr_schedule: (trainPreset('compare-anneal') as { lr_schedule: unknown }).lr_schedule,
        data: { schedule: compareSchedule('anneal', corpus) },
      }),
    },
  ],
  suites: scaleSuites,
  defaultSeeds: 2,
  answer: answerAnneal,
};
