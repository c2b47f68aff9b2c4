/**
 * "Every checkpoint is a model of its own": one run's checkpoints read as a family of small
 * models, each described by what it can do. A capability counts at a checkpoint when every
 * seed measures it at half of its chance-to-ceiling range or more (the midpoint level of the
 * verdict); the table and the sentence are generated from those measurements, with one
 * greedy sample per checkpoint (seed 0) to read.
 */
import { formatTokens, listing } from './compare.js';
import { ONE_SEED, fewSeeds } from './level-contrast.js';
import { capabilityNames, levels } from './measures.js';
import { scaleBase, scaleCorpus, scaleSuites } from './scales.js';
import { MIDPOINT_LEVEL } from '../analysis/definitions.js';
import type { Answer, Experiment, MeasuredRun, Scale } from './types.js';

/** What a capability at half of its range means, in a reader's words; others get their name. */
export const CAN_DO: Record<string, string> = {
  tokens: 'predicts held-out text better than bigram counts',
  syntax: 'prefers grammatical sentences in minimal pairs',
  syntax_templates: 'prefers grammatical sentences in templated minimal pairs',
  recall: 'recalls facts stated in training',
  facts: 'knows facts (capitals, elements, ...) as cloze answers',
  reasoning: 'answers reasoning items (two-hop, additions, code tracing)',
  'reasoning/twohop': 'chains two facts',
  'reasoning/code': 'traces short programs',
  icl: 'uses its context (copies repeated spans)',
};

const ARM = 'run';
const canDo = (name: string) =>
  CAN_DO[name] ??
  (name.startsWith('reasoning/add_') ? `adds ${name.slice(14)} numbers` : `${name} at half of its range`);

interface Stage {
  tokens: number;
  /** Capabilities every seed has at MIDPOINT_LEVEL or more here. */
  can: string[];
  /** Mean level over seeds per capability. */
  mean: Record<string, number>;
}

export function stages(runs: readonly MeasuredRun[]): Stage[] {
  const names = capabilityNames(runs);
  const mine = runs.filter((r) => r.arm === ARM);
  if (mine.length === 0) return [];
  const tokenSteps = levels(mine[0].analysis, names[0] ?? '', 'd').map((p) => p.tokens);
  return tokenSteps.map((tokens) => {
    const at = (name: string) =>
      mine.map((r) => levels(r.analysis, name, 'd').find((p) => p.tokens === tokens)?.level ?? null);
    const mean: Record<string, number> = {};
    const can: string[] = [];
    for (const name of names) {
      const vs = at(name);
      const known = vs.filter((v): v is number => v !== null);
      if (known.length) mean[name] = known.reduce((a, b) => a + b, 0) / known.length;
      if (known.length === vs.length && known.every((v) => v >= MIDPOINT_LEVEL)) can.push(name);
    }
    return { tokens, can, mean };
  });
}

export function answerLiteModels(runs: readonly MeasuredRun[]): Answer {
  const all = stages(runs);
  const names = capabilityNames(runs);
  const firstAt = new Map<string, number>();
  for (const s of all) for (const n of s.can) if (!firstAt.has(n)) firstAt.set(n, s.tokens);
  const byTokens = [...new Set(firstAt.values())].sort((a, b) => a - b);
  const never = names.filter((n) => !firstAt.has(n));
  let sentence: string;
  if (all.length === 0) sentence = 'Not answered: no checkpoint was measured.';
  else {
    const steps = byTokens.map(
      (t, i) =>
        `${i === 0 ? 'by' : 'then by'} ${formatTokens(t)} tokens it ${listing([...firstAt].filter(([, x]) => x === t).map(([n]) => canDo(n)))}`,
    );
    const head = steps.length
      ? `Read as a family of models, the run's checkpoints gain their abilities one after another: ${steps.join('; ')}`
      : `Read as a family of models, no checkpoint reached half of any capability's range in every seed`;
    const tail = never.length && steps.length ? `; no checkpoint yet ${listing(never.map(canDo))}` : '';
    const caveat = fewSeeds(runs) ? ` (one seed: ${ONE_SEED.replace(/^with one seed per arm /, '')})` : '';
    sentence = `${head}${tail} (a capability counts from the first checkpoint at which every seed measures it at half of its chance-to-ceiling range or more)${caveat}.`;
  }
  const seed0 = runs.find((r) => r.arm === ARM && r.seed === 0);
  // The prompt in italics, then what the checkpoint wrote after it.
  const sampleAt = (tokens: number) => {
    const first = seed0?.samples.find((s) => s.tokens === tokens)?.samples[0];
    if (!first) return '';
    const oneLine = (text: string) => text.replace(/\s+/g, ' ');
    return `*${oneLine(first.prompt).trim()}*${oneLine(first.greedy).trimEnd().slice(0, 80)}`;
  };
  return {
    sentence,
    tables: [
      {
        title: 'What each checkpoint can do (every seed at half of the range or more)',
        header: ['tokens', 'can', 'sample (seed 0, greedy; the prompt in italics)'],
        rows: all.map((s) => [
          formatTokens(s.tokens),
          s.can.length ? s.can.map(canDo).join('; ') : '-',
          sampleAt(s.tokens),
        ]),
      },
      {
        title: 'Level per checkpoint (discrete metric, mean over seeds)',
        header: ['tokens', ...names],
        rows: all.map((s) => [formatTokens(s.tokens), ...names.map((n) => (n in s.mean ? s.mean[n].toFixed(2) : '-'))]),
      },
    ],
    findings: { stages: all, firstAt: Object.fromEntries(firstAt) },
  };
}

export const liteModels: Experiment = {
  name: 'lite-models',
  question: 'Read as a family of small models, what can each checkpoint of a run do?',
  design: {
    varies: 'the checkpoint (tokens seen) along one run',
    heldEqual: 'everything else: one config, trained under each seed',
    measure:
      "each capability's level at each checkpoint (discrete metric, 0 chance to 1 ceiling); a capability counts from the first checkpoint where every seed has it at half of the range or more; a greedy sample per checkpoint",
  },
  corpora: (scale) => ({ main: scaleCorpus(scale) }),
  base: scaleBase,
  arms: () => [{ name: ARM, config: () => ({}) }],
  suites: (scale: Scale) => (scale === 'tiny' ? scaleSuites(scale) : [...scaleSuites(scale), 'samples']),
  defaultSeeds: 2,
  answer: answerLiteModels,
};
