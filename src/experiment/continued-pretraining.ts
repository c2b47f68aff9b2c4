/**
 * Continued pretraining on a new domain, and the stability gap (Guo et al. 2024): a base
 * model trained without code continues on a code-heavy mixture (75% code, 25% the old
 * mixture), with the learning rate re-warmed to its peak and decayed again, or held
 * constant at the base run's final rate. Read on the validation losses: the drop on the new
 * domain (code), the rise on the old one (every other source: forgetting), and the old
 * domain's peak rise during the continuation (the stability gap), each against the loss at
 * the continuation's start (its step 0 is the base's last checkpoint).
 */
import { formatSpread, listing, relation, spread, type Relation, type Spread } from './compare.js';
import { fewSeeds, ONE_SEED } from './level-contrast.js';
import { sourceLossCurve } from './measures.js';
import { naturalWeights, scaleBase, scaleCorpus, scaleSuites } from './scales.js';
import type { Analysis } from '../analysis/types.js';
import { layeredConfig } from '../train/config-file.js';
import { budgetSteps, parseTrainConfig } from '../train/config.js';
import { trainPreset } from '../train/presets.js';
import type { CorpusInfo } from '../sweep/plan.js';
import type { Answer, Experiment, MeasuredRun, Scale } from './types.js';

/** The new domain's sources (the registry's code source). */
const NEW_DOMAIN = ['code'];
const NEW_SHARE = 0.75;
const ARMS = { base: 'base', a: 'no-rewarm', b: 'rewarm' };

/** Mean validation loss over `sources` at each evaluation both share. */
function domainCurve(analysis: Analysis, inDomain: (source: string) => boolean): number[] {
  const curves = analysis.losses.sources
    .filter((s) => inDomain(s.source))
    .map((s) => sourceLossCurve(analysis, s.source));
  if (curves.length === 0) return [];
  const n = Math.min(...curves.map((c) => c.length));
  return Array.from({ length: n }, (_, i) => curves.reduce((a, c) => a + c[i].loss, 0) / curves.length);
}

const isNew = (s: string) => NEW_DOMAIN.includes(s);

/** New-domain gain, old-domain forgetting and stability gap (nats per token) of one continued run. */
export function continuationMeasures(analysis: Analysis): { gain: number; forgetting: number; gap: number } | null {
  const fresh = domainCurve(analysis, isNew);
  const old = domainCurve(analysis, (s) => !isNew(s));
  if (fresh.length < 2 || old.length < 2) return null;
  return {
    gain: fresh[0] - fresh[fresh.length - 1],
    forgetting: old[old.length - 1] - old[0],
    gap: Math.max(...old) - old[0],
  };
}

interface Row {
  measure: 'gain' | 'forgetting' | 'gap';
  a: Spread;
  b: Spread;
  relation: Relation;
}

const LABELS = {
  gain: "drop of the new domain's (code) loss",
  forgetting: "rise of the old domain's loss at the end (forgetting)",
  gap: "peak rise of the old domain's loss (stability gap)",
};

export function answerContinuedPretraining(runs: readonly MeasuredRun[]): Answer {
  const arm = (name: string) => runs.filter((r) => r.arm === name).map((r) => continuationMeasures(r.analysis));
  const [a, b] = [arm(ARMS.a), arm(ARMS.b)];
  const complete = a.every((m) => m !== null) && b.every((m) => m !== null);
  const rows: Row[] = (['gain', 'forgetting', 'gap'] as const).map((measure) => {
    const sa = spread(a.flatMap((m) => (m ? [m[measure]] : [])));
    const sb = spread(b.flatMap((m) => (m ? [m[measure]] : [])));
    return { measure, a: sa, b: sb, relation: complete ? relation(sa, sb) : 'unknown' };
  });
  const continued = runs.filter((r) => r.arm !== ARMS.base);
  let sentence: string;
  if (a.length === 0 || b.length === 0 || !complete)
    sentence = 'Not answered: a continued run lacks validation losses on the new or the old domain.';
  else if (fewSeeds(continued)) sentence = `Not answered: ${ONE_SEED}.`;
  else {
    const q = (r: Row) => `${formatSpread(r.b, 3)} against ${formatSpread(r.a, 3)} nats`;
    const say = (r: Row, more: string, less: string) =>
      r.relation === 'higher' ? `${more} (${q(r)})` : r.relation === 'lower' ? `${less} (${q(r)})` : '';
    const [gain, forget, gap] = rows;
    const said = [
      say(gain, 'gained more on the new domain', 'gained less on the new domain'),
      say(forget, 'forgot more of the old one', 'forgot less of the old one'),
      say(gap, 'had a deeper stability gap', 'had a shallower stability gap'),
    ].filter(Boolean);
    const same = rows.filter((r) => r.relation === 'same').map((r) => `the ${LABELS[r.measure]}`);
    sentence = said.length
      ? `Continuing on code with the learning rate re-warmed, against holding it at the base run's final rate, ${listing(said)}${same.length ? `; no difference shown in ${listing(same)}` : ''}.`
      : `Re-warming the learning rate for continued pretraining on code made no difference shown in ${listing(same)}, against holding it at the base run's final rate.`;
  }
  return {
    sentence,
    tables: [
      {
        title: 'Validation loss over the continuation (nats per token, against its start)',
        header: ['measure', ARMS.a, ARMS.b, `${ARMS.b} against ${ARMS.a}`],
        rows: rows.map((r) => [
          LABELS[r.measure],
          formatSpread(r.a, 3),
          formatSpread(r.b, 3),
          r.relation === 'same'
            ? 'no difference shown'
            : r.relation === 'unknown'
              ? 'not shown (no interval)'
              : r.relation,
        ]),
      },
    ],
    findings: { newDomain: NEW_DOMAIN, rows },
  };
}

/** 75% the new domain, 25% the old mixture, each part in its natural proportions. */
function newDomainWeights(corpus: CorpusInfo): Record<string, number> {
  const share = (w: Record<string, number>, total: number) => {
    const sum = Object.values(w).reduce((x, y) => x + y, 0);
    return Object.fromEntries(Object.entries(w).map(([k, v]) => [k, (total * v) / sum]));
  };
  return {
    ...share(
      naturalWeights(corpus, (k) => k !== 'code'),
      1 - NEW_SHARE,
    ),
    ...share(
      naturalWeights(corpus, (k) => k === 'code'),
      NEW_SHARE,
    ),
  };
}

/** The base run's optimizer with every rate scaled (its final rate, for the arm that does not re-warm). */
function scaledOptimizer(scale: Scale, factor: number): Record<string, unknown> {
  const base = scaleBase(scale);
  const opt = { ...(trainPreset(String(base.preset)).optimizer as Record<string, number>) };
  for (const key of ['lr', 'muon_lr']) if (typeof opt[key] === 'number') opt[key] *= factor;
  return opt;
}

/** The base run's budget in steps (its scale's config over its preset); the continuation gets half of it. */
function baseSteps(scale: Scale): number {
  const { preset, ...overrides } = scaleBase(scale);
  const c = parseTrainConfig(layeredConfig({ preset: String(preset), overrides }), `${scale} scale`);
  return budgetSteps(c)!;
}

/** The cosine schedule's floor: the rate a base run ends at, as a share of its peak. */
const COSINE_FLOOR = 0.1;

function continuation(scale: Scale, rewarm: boolean) {
  const steps = Math.max(2, Math.round(baseSteps(scale) / 2));
  return ({ corpus, fromCheckpoint }: { corpus: CorpusInfo; fromCheckpoint: string | null }) => ({
    init_from: fromCheckpoint,
    steps,
    // Dense evaluation: the stability gap is a dip early in the continuation.
    eval: { every: Math.max(1, Math.round(steps / 20)) },
    checkpoints: { log_until: Math.min(64, steps), every: Math.max(1, Math.round(steps / 4)) },
    data: { schedule: { kind: 'mix', weights: newDomainWeights(corpus) } },
    // warmup_steps: undefined clears a base's warm-up given in steps (the tiny preset's).
    ...(rewarm
      ? { lr_schedule: { kind: 'cosine', warmup_steps: undefined, warmup_fraction: 0.05, min_lr_ratio: COSINE_FLOOR } }
      : { lr_schedule: { kind: 'constant', warmup_steps: 0 }, optimizer: scaledOptimizer(scale, COSINE_FLOOR) }),
  });
}

export const continuedPretraining: Experiment = {
  name: 'continued-pretraining',
  question:
    'Continuing a trained model on a new domain (code): does re-warming the learning rate gain more on the new domain, and at what cost in forgetting the old one (the stability gap)?',
  design: {
    varies:
      "the learning rate of the continuation: re-warmed to the peak and decayed by cosine (rewarm), or held at the base run's final rate, a tenth of the peak (no-rewarm)",
    heldEqual:
      "the base checkpoint (per seed: trained without code, on the natural mixture of the rest), the continuation's mixture (75% code, 25% the old mixture) and tokens (half the base budget), model and probes",
    measure:
      'validation loss per source over the continuation against its start: the drop on code, the rise on the other sources at the end (forgetting) and at its peak (stability gap), per seed',
  },
  corpora: (scale) => ({ main: scaleCorpus(scale) }),
  base: scaleBase,
  arms: (scale) => [
    {
      name: ARMS.base,
      config: ({ corpus }) => ({
        data: { schedule: { kind: 'mix', weights: naturalWeights(corpus, (k) => k !== 'code') } },
      }),
    },
    { name: ARMS.a, from: ARMS.base, config: continuation(scale, false) },
    { name: ARMS.b, from: ARMS.base, config: continuation(scale, true) },
  ],
  suites: scaleSuites,
  defaultSeeds: 2,
  answer: answerContinuedPretraining,
};
