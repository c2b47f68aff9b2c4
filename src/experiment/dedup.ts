/**
 * "Deduplicating the training data makes models memorise less and generalise better" (Lee
 * et al. 2022; Carlini et al. 2023): one corpus with near-duplicate passages injected
 * (data/duplicates.ts), built with deduplication on (the copies it finds go: at quick scale
 * 339 of 384, leaving about 2 copies of each passage beside its original) and off (all 16
 * stay), at equal tokens. Memorisation is the `memorisation` suite:
 * greedy extraction of the words after a prefix of each copied passage, with passages seen
 * once as the control; generalisation is the validation loss and every capability's level.
 */
import { formatSpread, listing, RELATION_WORDS } from './compare.js';
import { fewSeeds, levelContrasts, levelTable, ONE_SEED, quoted } from './level-contrast.js';
import { contrast, curveOf, levelMeasured, Z95, type ArmContrast, type Measured } from './measures.js';
import { scaleBase, scaleCorpus, scaleSuites } from './scales.js';
import type { BuildConfig } from '../data/config.js';
import type { DuplicateOptions } from '../data/duplicates.js';
import type { Analysis } from '../analysis/types.js';
import { MIN_GROUP_ITEMS } from '../analysis/definitions.js';
import type { Answer, Experiment, MeasuredRun, Scale, Table } from './types.js';

const ARMS = { a: 'dedup-on', b: 'dedup-off' };

/** The passages injected at each scale: brown at quick and full, Moby-Dick in the tiny corpus. */
export function injectedDuplicates(scale: Scale): DuplicateOptions {
  return scale === 'tiny'
    ? {
        source: 'moby_dick',
        passages: MIN_GROUP_ITEMS + 2,
        copies: 8,
        passageWords: 40,
        prefixWords: 2,
        suffixWords: 1,
        editsPerCopy: 0,
      }
    : {
        source: 'brown',
        passages: 24,
        copies: 16,
        passageWords: 160,
        prefixWords: 40,
        suffixWords: 12,
        editsPerCopy: 1,
      };
}

/**
 * The scale's corpus with the passages injected, deduplicated or not. The tiny corpus takes
 * more of Moby-Dick, for chapters enough to give each group the items a fitted curve needs.
 */
export function duplicatesCorpus(scale: Scale, dedup: boolean): BuildConfig {
  const base = scaleCorpus(scale);
  const sources = scale === 'tiny' ? { ...base.sources, moby_dick: { maxBytes: 320_000 } } : base.sources;
  return {
    ...base,
    preset: 'custom',
    sources,
    dedup: { ...base.dedup, enabled: dedup },
    duplicates: injectedDuplicates(scale),
  };
}

/** Validation loss (nats per token, all sources) at the last evaluation. */
function finalValLoss(analysis: Analysis): number | null {
  return analysis.losses.val.at(-1)?.loss ?? null;
}

/** The suite's own curve holds the copied passages alone (the single-copy group is its control). */
const COPIED = 'memorisation';
const CONTROL = 'memorisation/single';

/** Log-probability per token of the copied passages' suffixes at the last checkpoint (nats), with its interval over items. */
function copiedLogprob(analysis: Analysis): Measured | null {
  const curve = curveOf(analysis, COPIED, 'c');
  const last = curve?.points.at(-1);
  if (!curve || !last) return null;
  // The point's standard error is in normalised units: back to nats.
  return { value: last.mean, itemHalf: Z95 * last.se * Math.abs(curve.ceiling - curve.chance) };
}

const extracted = (runs: readonly MeasuredRun[], name: string) =>
  contrast(runs, name, ARMS, (a) => levelMeasured(a, name, 'd'));

const share = (c: ArmContrast, arm: 'a' | 'b') => formatSpread(c[arm]);

function memorisationTable(copied: ArmContrast, control: ArmContrast, logprob: ArmContrast): Table {
  return {
    title: 'Memorisation at the last checkpoint (share of passages whose suffix greedy decoding writes exactly)',
    header: ['passages', `${ARMS.a}`, `${ARMS.b}`, `${ARMS.b} against ${ARMS.a}`],
    rows: [
      ['copied: share extracted', share(copied, 'a'), share(copied, 'b'), RELATION_WORDS[copied.relation]],
      [
        'copied: log-probability per token (nats)',
        share(logprob, 'a'),
        share(logprob, 'b'),
        RELATION_WORDS[logprob.relation],
      ],
      ['seen once: share extracted', share(control, 'a'), share(control, 'b'), RELATION_WORDS[control.relation]],
    ],
  };
}

export function answerDedup(runs: readonly MeasuredRun[]): Answer {
  const copied = extracted(runs, COPIED);
  const control = extracted(runs, CONTROL);
  const logprob = contrast(runs, 'copied log-probability', ARMS, copiedLogprob);
  const loss = contrast(runs, 'validation loss', ARMS, finalValLoss);
  const others = levelContrasts(runs, ARMS).filter((c) => !c.name.startsWith('memorisation'));
  const tables = [
    memorisationTable(copied, control, logprob),
    {
      title: 'Validation loss at the last evaluation (nats per token)',
      header: ['', ARMS.a, ARMS.b, `${ARMS.b} against ${ARMS.a}`],
      rows: [['all sources', formatSpread(loss.a, 3), formatSpread(loss.b, 3), RELATION_WORDS[loss.relation]]],
    },
    levelTable('Level at the last checkpoint (discrete metric)', others, ARMS, 'level'),
  ];
  let sentence: string;
  if (copied.a.values.length + copied.b.values.length === 0)
    sentence =
      'Not answered: the memorisation suite did not measure the copied passages (does the corpus fit the context?).';
  else if (fewSeeds(runs)) sentence = `Not answered: ${ONE_SEED}.`;
  else {
    const kept = `${share(copied, 'b')} of the copied passages with the near-duplicates kept against ${share(copied, 'a')} deduplicated`;
    const extraction =
      copied.relation === 'higher' || copied.relation === 'lower'
        ? `greedy decoding wrote the words after the prefix for ${kept}`
        : `no difference in extraction was shown (${kept})`;
    const memo = `${extraction}, their suffixes at ${share(logprob, 'b')} against ${share(logprob, 'a')} nats per token (${RELATION_WORDS[logprob.relation]})`;
    const single = `passages seen once: ${share(control, 'b')} against ${share(control, 'a')}`;
    const gen =
      loss.relation === 'same' || loss.relation === 'unknown'
        ? `no difference in validation loss was shown (${formatSpread(loss.b, 3)} against ${formatSpread(loss.a, 3)} nats)`
        : `validation loss was ${loss.relation} with the duplicates kept (${formatSpread(loss.b, 3)} against ${formatSpread(loss.a, 3)} nats)`;
    const down = others.filter((c) => c.relation === 'lower');
    const up = others.filter((c) => c.relation === 'higher');
    const caps =
      down.length || up.length
        ? [
            down.length ? `lower with the duplicates kept: ${down.map(quoted).join(', ')}` : '',
            up.length ? `higher: ${up.map(quoted).join(', ')}` : '',
          ]
            .filter(Boolean)
            .join('; ')
        : `no capability was shown different (${listing(others.map((c) => c.name))})`;
    sentence = `${memo[0]!.toUpperCase()}${memo.slice(1)} (${single}); ${gen}; ${caps} (mean [95% interval] over seeds, at equal tokens).`;
  }
  return { sentence, tables, findings: { copied, control, logprob, loss, others } };
}

export const dedup: Experiment = {
  name: 'dedup',
  question:
    'Does removing near-duplicate documents make a model memorise less of the duplicated text, and does it generalise better (held-out loss, capabilities)?',
  design: {
    varies:
      'deduplication of one corpus into which near copies of training passages were injected (brown at quick and full: 24 passages of 160 words, 16 copies of each with one word changed): on (MinHash LSH removes the copies it finds; the corpus manifest counts those kept) or off (every copy stays)',
    heldEqual:
      'tokens, model, optimizer and schedule, tokenizer, probes, and the passages; each arm trains on its corpus in its natural mixture, so kept copies add to their source as duplicates in a crawl do',
    measure:
      'extractable memorisation (Carlini et al.): share of copied passages whose 12 words after a 40-word prefix greedy decoding writes exactly, with passages seen once as the control; validation loss; every capability level at the last checkpoint, per seed',
  },
  corpora: (scale) => ({ [ARMS.a]: duplicatesCorpus(scale, true), [ARMS.b]: duplicatesCorpus(scale, false) }),
  base: scaleBase,
  arms: () => [
    { name: ARMS.a, corpus: ARMS.a, config: () => ({}) },
    { name: ARMS.b, corpus: ARMS.b, config: () => ({}) },
  ],
  suites: (scale) => [...scaleSuites(scale), 'memorisation'],
  defaultSeeds: 2,
  answer: answerDedup,
};
