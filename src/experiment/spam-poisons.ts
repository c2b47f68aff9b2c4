/**
 * "Low-quality web text poisons a model; quality filters give a clean slurry back": the
 * generated spam source (data/sources/spam.ts) mixed in at 0%, 10% and 30% of the tokens,
 * built with the quality filters and deduplication off (raw) and on (filtered), at equal
 * tokens. Harm is the clean mixture against raw spam; recovery is filtered against raw, and
 * what is left of the harm is filtered against clean.
 */
import { listing } from './compare.js';
import { fewSeeds, levelContrasts, levelTable, ONE_SEED, quoted } from './level-contrast.js';
import type { ArmContrast } from './measures.js';
import { naturalWeights, scaleBase, scaleCorpus, scaleSuites } from './scales.js';
import type { BuildConfig } from '../data/config.js';
import type { CorpusInfo } from '../sweep/plan.js';
import type { Answer, Arm, Experiment, MeasuredRun, Scale } from './types.js';

export const SPAM_SHARES = [0.1, 0.3] as const;
const CLEAN = 'clean';
const raw = (share: number) => `spam${Math.round(share * 100)}-raw`;
const filtered = (share: number) => `spam${Math.round(share * 100)}-filtered`;

/** The scale's corpus with the spam source, its quality filters and deduplication on or off. */
export function spamCorpus(scale: Scale, cleaning: boolean): BuildConfig {
  const base = scaleCorpus(scale);
  const pages = scale === 'tiny' ? { pages: 200, pageWords: 80 } : { pages: 4000, pageWords: 220 };
  return {
    ...base,
    preset: 'custom',
    filters: { ...base.filters, enabled: cleaning },
    dedup: { ...base.dedup, enabled: cleaning },
    sources: { ...base.sources, spam: pages },
  };
}

/**
 * The natural mixture of the other sources, scaled to 1 - share, and the spam source at
 * `share`; where filtering left no spam at all, the other sources take the whole budget.
 */
export function spamWeights(corpus: CorpusInfo, share: number): Record<string, number> {
  const others = naturalWeights(corpus, (kind) => kind !== 'web');
  const total = Object.values(others).reduce((n, t) => n + t, 0);
  const spam = corpus.sources.find((s) => s.kind === 'web' && s.tokens > 0);
  const rest = spam ? 1 - share : 1;
  const weights = Object.fromEntries(Object.entries(others).map(([name, t]) => [name, (rest * t) / total]));
  return spam ? { ...weights, [spam.name]: share } : weights;
}

/** The three comparisons at one share of spam. */
interface ShareContrasts {
  share: number;
  /** Raw spam against the clean mixture. */
  harm: ArmContrast[];
  /** Filtered against raw. */
  recovery: ArmContrast[];
  /** Filtered against the clean mixture: what filtering left of the harm. */
  left: ArmContrast[];
}

const percent = (share: number) => `${Math.round(share * 100)}%`;

function phrase(contrasts: readonly ArmContrast[], relation: 'higher' | 'lower'): string {
  return listing(contrasts.filter((c) => c.relation === relation).map(quoted));
}

/** One sentence for one share: harm with the filters off, and what filtering gave back. */
function shareSentence({ share, harm, recovery, left }: ShareContrasts): string {
  const pct = percent(share);
  const harmed = harm.filter((c) => c.relation === 'lower');
  if (harm.every((c) => c.relation === 'unknown')) return `at ${pct} spam: not measured`;
  if (harmed.length === 0)
    return `at ${pct} spam with the filters off, no capability was shown lower than the clean mixture`;
  const recovered = recovery.filter((c) => c.relation === 'higher' && harmed.some((h) => h.name === c.name));
  const still = left.filter((c) => c.relation === 'lower');
  return [
    `at ${pct} spam with the filters off, ${phrase(harm, 'lower')} (spam against clean)`,
    recovered.length
      ? `filtering raised ${listing(recovered.map(quoted))} (filtered against raw)`
      : 'filtering was not shown to raise any of them',
    still.length
      ? `and ${phrase(left, 'lower')} stayed below the clean mixture (filtered against clean)`
      : 'and the filtered mixture was not shown below the clean one on any capability',
  ].join('; ');
}

export function answerSpamPoisons(runs: readonly MeasuredRun[]): Answer {
  const shares: ShareContrasts[] = SPAM_SHARES.map((share) => ({
    share,
    harm: levelContrasts(runs, { a: CLEAN, b: raw(share) }),
    recovery: levelContrasts(runs, { a: raw(share), b: filtered(share) }),
    left: levelContrasts(runs, { a: CLEAN, b: filtered(share) }),
  }));
  const tables = shares.flatMap(({ share, harm, recovery }) => [
    levelTable(
      `${percent(share)} spam, filters off, against clean (discrete level)`,
      harm,
      { a: CLEAN, b: raw(share) },
      'level',
    ),
    levelTable(
      `${percent(share)} spam, filters on against off (discrete level)`,
      recovery,
      { a: raw(share), b: filtered(share) },
      'level',
    ),
  ]);
  let sentence: string;
  if (fewSeeds(runs)) sentence = `Not answered: ${ONE_SEED}.`;
  else {
    const parts = shares.map(shareSentence);
    sentence = `${parts.map((p) => p[0]!.toUpperCase() + p.slice(1)).join('. ')} (level at the last checkpoint, 0 chance to 1 ceiling, mean [95% interval] over seeds, at equal tokens).`;
  }
  return {
    sentence,
    tables,
    findings: Object.fromEntries(shares.map(({ share, ...contrasts }) => [share, contrasts])),
  };
}

export const spamPoisons: Experiment = {
  name: 'spam-poisons',
  question:
    'How much does low-quality web text (boilerplate, keyword stuffing, near-duplicate pages, broken text) at 10% and 30% of the tokens harm each capability, and how much of the harm do quality filters and deduplication recover?',
  design: {
    varies:
      'the share of generated spam pages in the mixture (0%, 10%, 30%) and the cleaning of the corpus: quality filters and deduplication off (raw) or on (filtered)',
    heldEqual:
      'tokens, model, optimizer and schedule, probes; the other sources keep their natural proportions in the rest of the budget. The clean arm is the ordinary filtered corpus; where filtering leaves no spam, the filtered arm trains on the other sources alone',
    measure:
      "each capability's level at the last checkpoint (discrete metric, normalised 0 chance to 1 ceiling), per seed; harm is raw against clean, recovery filtered against raw. The corpora's manifest.json count what each filter rule removed from the spam",
  },
  corpora: (scale) => ({ filtered: spamCorpus(scale, true), raw: spamCorpus(scale, false) }),
  base: scaleBase,
  arms: (): Arm[] => [
    { name: CLEAN, corpus: 'filtered', config: ({ corpus }) => mix(spamWeights(corpus, 0)) },
    ...SPAM_SHARES.flatMap((share): Arm[] => [
      { name: raw(share), corpus: 'raw', config: ({ corpus }) => mix(spamWeights(corpus, share)) },
      { name: filtered(share), corpus: 'filtered', config: ({ corpus }) => mix(spamWeights(corpus, share)) },
    ]),
  ],
  suites: scaleSuites,
  defaultSeeds: 2,
  answer: answerSpamPoisons,
};

function mix(weights: Record<string, number>) {
  return { data: { schedule: { kind: 'mix', weights } } };
}
