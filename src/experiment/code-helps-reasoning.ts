/**
 * "Training on code makes models better at reasoning": the natural mixture with and without
 * the code sources, at equal tokens. Without code, the other sources keep their natural
 * proportions, so the only change is that the code's share of the budget goes to them.
 */
import { listing } from './compare.js';
import { byRelation, levelContrasts, levelTable, fewSeeds, ONE_SEED, quoted } from './level-contrast.js';
import { naturalWeights, scaleBase, scaleCorpus, scaleSuites } from './scales.js';
import type { Answer, Experiment, MeasuredRun } from './types.js';

const ARMS = { a: 'without-code', b: 'with-code' };
const isReasoning = (name: string) => name === 'reasoning' || name.startsWith('reasoning/');

export function answerCodeHelpsReasoning(runs: readonly MeasuredRun[]): Answer {
  const contrasts = levelContrasts(runs, ARMS);
  const reasoning = contrasts.filter((c) => isReasoning(c.name));
  const others = contrasts.filter((c) => !isReasoning(c.name));
  const r = byRelation(reasoning);
  const o = byRelation(others);
  let sentence: string;
  if (reasoning.length === 0)
    sentence = 'Not answered: no reasoning probe was measured (the reasoning suite did not run).';
  else if (fewSeeds(runs)) sentence = `Not answered: ${ONE_SEED}.`;
  else {
    const gain = reasoning.filter((c) => c.relation === 'higher');
    const loss = reasoning.filter((c) => c.relation === 'lower');
    const head =
      gain.length || loss.length
        ? [
            gain.length ? `code in the mixture raised ${gain.map(quoted).join(', ')}` : '',
            loss.length
              ? `${gain.length ? 'and lowered' : 'code in the mixture lowered'} ${loss.map(quoted).join(', ')}`
              : '',
          ]
            .filter(Boolean)
            .join(' ')
        : `no difference shown on any reasoning probe (${listing(r.same.length ? r.same : r.unknown)}) with code in the mixture`;
    const cost = o.lower.length
      ? `at a cost to ${others
          .filter((c) => c.relation === 'lower')
          .map(quoted)
          .join(', ')}`
      : o.higher.length
        ? `with ${listing(o.higher)} also higher and no other capability shown lower`
        : 'with no other capability shown lower';
    sentence = `${head[0].toUpperCase()}${head.slice(1)} at equal tokens, ${cost} (level at the last checkpoint, 0 chance to 1 ceiling, mean [95% interval] over seeds, with code against without).`;
  }
  return {
    sentence,
    tables: [levelTable('Level at the last checkpoint (discrete metric)', contrasts, ARMS, 'level')],
    findings: { contrasts },
  };
}

export const codeHelpsReasoning: Experiment = {
  name: 'code-helps-reasoning',
  question:
    'Does code in the training mixture raise the reasoning probes (tracing, arithmetic, two-hop), and at what cost to other capabilities?',
  design: {
    varies: 'the mixture: the natural mixture with the code sources, or the same mixture without them',
    heldEqual:
      'tokens, model, optimizer and schedule, corpus and probes; without code the other sources keep their natural proportions',
    measure:
      "each capability's level at the last checkpoint (discrete metric, normalised 0 chance to 1 ceiling), per seed; the reasoning suite is also split into its groups (twohop, code tracing, additions by digits)",
  },
  corpora: (scale) => ({ main: scaleCorpus(scale) }),
  base: scaleBase,
  arms: () => [
    {
      name: ARMS.a,
      config: ({ corpus }) => ({
        data: { schedule: { kind: 'mix', weights: naturalWeights(corpus, (k) => k !== 'code') } },
      }),
    },
    { name: ARMS.b, config: () => ({ data: { schedule: { kind: 'mix', weights: 'natural' } } }) },
  ],
  suites: scaleSuites,
  defaultSeeds: 2,
  answer: answerCodeHelpsReasoning,
};
