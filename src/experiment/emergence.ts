/**
 * "Abilities emerge suddenly with scale" against "emergence is a metric artefact"
 * (Wei et al. 2022; Schaeffer et al. 2023): models of several sizes trained on the same
 * tokens in the same order, each capability read at the end under the discrete metric
 * (accuracy, exact match) and the continuous one (log-probability, margin).
 *
 * Sharpness across sizes, per seed: the largest rise between neighbouring sizes as a share
 * of the whole rise from the smallest to the largest model (1: all of it in one step; with
 * k sizes, 1/(k-1) for an even rise). A capability that does not rise by MIN_RISE under a
 * metric has no sharpness there. The artefact pattern: the discrete share's interval lies
 * above the continuous one's. Each seed's share carries its own interval over probe items
 * (compare.ts), found by drawing every size's level from its interval over items: open when
 * more than 2.5% of the draws show no rise at all.
 */
import { formatSpread, listing, relation, spread, type Relation, type Spread } from './compare.js';
import { fewSeeds, ONE_SEED } from './level-contrast.js';
import { Rng } from '../util/rng.js';
import { armSpread, capabilityNames, levelMeasured, Z95, type Measured, type Metric } from './measures.js';
import { scaleBase, scaleCorpus, scaleSuites } from './scales.js';
import type { Answer, Experiment, MeasuredRun, Scale } from './types.js';

/** A rise from the smallest to the largest model below this (normalised) is no rise. */
export const MIN_RISE = 0.05;

interface Size {
  name: string;
  model: { n_layer: number; n_head: number; n_embd: number };
}

const size = (n_layer: number, n_head: number, n_embd: number): Size => ({
  name: `${n_layer}x${n_embd}`,
  model: { n_layer, n_head, n_embd },
});

/** Head width 16 to 32; width and depth grow together, as in the sweep preset `emergence`. */
export function sizes(scale: Scale): Size[] {
  if (scale === 'tiny') return [size(1, 2, 16), size(2, 2, 32)];
  return [size(1, 2, 32), size(2, 4, 64), size(3, 4, 96), size(4, 4, 128)];
}

/** Largest neighbour-to-neighbour rise over the whole rise; null when the levels rise by less than MIN_RISE. */
export function jumpShare(levels: readonly number[]): number | null {
  if (levels.length < 2) return null;
  const total = levels[levels.length - 1] - levels[0];
  if (total < MIN_RISE) return null;
  let jump = -Infinity;
  for (let i = 1; i < levels.length; i++) jump = Math.max(jump, levels[i] - levels[i - 1]);
  return jump / total;
}

/** Draws of the levels behind one share's interval over items. */
const ITEM_DRAWS = 400;

/**
 * jumpShare of the levels, with the half-width of its 95% interval over probe items: each
 * level drawn from a normal with its own interval (`label` seeds the draws); an open
 * interval when more than 2.5% of the draws do not rise by MIN_RISE.
 */
export function jumpShareMeasured(levels: readonly Measured[], label: string): Measured | null {
  const value = jumpShare(levels.map((l) => l.value));
  if (value === null) return null;
  const rng = Rng.derive(label, 'emergence-items');
  const shares: number[] = [];
  for (let k = 0; k < ITEM_DRAWS; k++) {
    const share = jumpShare(levels.map((l) => l.value + (l.itemHalf / Z95) * rng.normal()));
    if (share !== null) shares.push(share);
  }
  if (shares.length < 0.975 * ITEM_DRAWS) return { value, itemHalf: Infinity };
  shares.sort((a, b) => a - b);
  const at = (q: number) => shares[Math.min(shares.length - 1, Math.floor(q * shares.length))];
  return { value, itemHalf: (at(0.975) - at(0.025)) / 2 };
}

interface Sharpness {
  capability: string;
  d: Spread;
  c: Spread;
  /** Seeds in which the capability rose with size, per metric. */
  rose: { d: number; c: number };
  /** How the discrete share stands against the continuous one. */
  relation: Relation;
}

export function sharpness(runs: readonly MeasuredRun[], order: readonly string[]): Sharpness[] {
  const seeds = [...new Set(runs.map((r) => r.seed))].sort((a, b) => a - b);
  return capabilityNames(runs).map((capability) => {
    const shares = (metric: Metric) =>
      seeds.flatMap((seed) => {
        const levels = order.map((arm) => {
          const run = runs.find((r) => r.arm === arm && r.seed === seed);
          return run ? levelMeasured(run.analysis, capability, metric) : null;
        });
        if (levels.some((l) => l === null)) return [];
        const share = jumpShareMeasured(levels as Measured[], `${capability}/${metric}/${seed}`);
        return share === null ? [] : [share];
      });
    const [d, c] = [shares('d'), shares('c')];
    const complete = d.length === seeds.length && c.length === seeds.length;
    const measuredSpread = (ms: Measured[]) =>
      spread(
        ms.map((m) => m.value),
        ms.map((m) => m.itemHalf),
      );
    const [sd, sc] = [measuredSpread(d), measuredSpread(c)];
    return {
      capability,
      d: sd,
      c: sc,
      rose: { d: d.length, c: c.length },
      relation: complete ? relation(sc, sd) : 'unknown',
    };
  });
}

export function answerEmergence(runs: readonly MeasuredRun[], order: readonly string[]): Answer {
  const rows = sharpness(runs, order);
  const seeds = new Set(runs.map((r) => r.seed)).size;
  const pick = (rel: Relation) => rows.filter((r) => r.relation === rel).map((r) => r.capability);
  const flat = rows.filter((r) => r.rose.d < seeds || r.rose.c < seeds).map((r) => r.capability);
  // Rose in every seed, but a share's interval over items is open (the rise between sizes is within the items' noise).
  const open = pick('unknown').filter((c) => !flat.includes(c));
  let sentence: string;
  if (rows.length === 0) sentence = 'Not answered: no capability was measured.';
  else if (fewSeeds(runs)) sentence = `Not answered: ${ONE_SEED}.`;
  else if (flat.length === rows.length)
    sentence = `Not answered: no capability rose by ${MIN_RISE} from the smallest to the largest model in every seed under both metrics (${listing(flat)}).`;
  else {
    const artefact = pick('higher');
    const parts = [
      artefact.length
        ? `Across ${order.length} model sizes, ${listing(artefact)} rose more abruptly with size under the discrete metric than under the continuous one (the metric-artefact pattern)`
        : `Across ${order.length} model sizes, no capability rose measurably more abruptly under the discrete metric than under the continuous one`,
      pick('lower').length ? `${listing(pick('lower'))} rose more abruptly under the continuous metric` : '',
      pick('same').length ? `no difference in sharpness shown on ${listing(pick('same'))}` : '',
      open.length
        ? `${listing(open)} rose with size, but by steps within the probe items' noise, so their sharpness was not compared`
        : '',
      flat.length
        ? `${listing(flat)} did not rise by ${MIN_RISE} with size in every seed under both metrics, so not compared`
        : '',
    ].filter(Boolean);
    sentence = `${parts.join('; ')}.`;
  }
  const levelRows = capabilityNames(runs).flatMap((capability) =>
    (['d', 'c'] as const).map((metric) => [
      capability,
      metric === 'd' ? 'discrete' : 'continuous',
      ...order.map((arm) => formatSpread(armSpread(runs, arm, (a) => levelMeasured(a, capability, metric)).spread)),
    ]),
  );
  return {
    sentence,
    tables: [
      {
        title: 'Level at the last checkpoint by model size',
        header: ['capability', 'metric', ...order],
        rows: levelRows,
      },
      {
        title: 'Sharpness across sizes (largest neighbour rise over the whole rise)',
        header: ['capability', 'discrete', 'continuous', 'discrete against continuous'],
        rows: rows.map((r) => [
          r.capability,
          formatSpread(r.d),
          formatSpread(r.c),
          r.relation === 'higher'
            ? 'sharper'
            : r.relation === 'lower'
              ? 'smoother'
              : r.relation === 'same'
                ? 'no difference shown'
                : 'not compared',
        ]),
      },
    ],
    findings: { sizes: order, sharpness: rows },
  };
}

export const emergence: Experiment = {
  name: 'emergence',
  question:
    'Do capabilities appear abruptly with model size under a discrete metric but smoothly under a continuous one (emergence as a metric artefact)?',
  design: {
    varies: 'model size (depth and width together, non-embedding parameters over a factor of about 60 at quick scale)',
    heldEqual:
      "tokens and their order (each seed's data order is the same for every size), optimizer, schedule, corpus and probes",
    measure:
      "each capability's level at the last checkpoint under the discrete and the continuous metric; per seed, the largest rise between neighbouring sizes as a share of the whole rise",
  },
  corpora: (scale) => ({ main: scaleCorpus(scale) }),
  base: scaleBase,
  arms: (scale) => sizes(scale).map((s) => ({ name: s.name, config: () => ({ model: s.model }) })),
  suites: scaleSuites,
  defaultSeeds: 2,
  // The runner hands the runs over arm by arm, in the arms' order: smallest model first.
  answer: (runs) => answerEmergence(runs, [...new Set(runs.map((r) => r.arm))]),
};
