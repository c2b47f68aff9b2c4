/**
 * Stages, overlapping waves or slurry: the order of the capabilities' midpoints, the overlap
 * of their learning windows, and the verdict under the rules stated in definitions.ts.
 */
import { CI_LEVEL, MIN_SEPARATION_DECADES, SLURRY_MAX_SPREAD_DECADES, STAGE_MAX_OVERLAP } from './definitions.js';
import type { CurveResult } from './capability.js';
import { percentileInterval, type CurveSummary } from './curve-summary.js';
import { formatLog10 } from './format.js';
import { finiteSorted, resolvedWindow, type Window } from './resolution.js';
import type { PairRelation, Verdict } from './types.js';

export interface VerdictInput {
  name: string;
  curve: CurveResult;
}

/** Shared part of two windows over the shorter one: 0 disjoint, 1 one inside the other. */
export function windowOverlap(a: Window, b: Window): number {
  const shared = Math.max(0, Math.min(a.saturation, b.saturation) - Math.max(a.onset, b.onset));
  const shorter = Math.min(a.saturation - a.onset, b.saturation - b.onset);
  return shorter > 0 ? Math.min(1, shared / shorter) : 0;
}

/** Whether some checkpoint probed for both lies strictly between the two midpoints. */
function checkpointBetween(xsA: number[], xsB: number[], lo: number, hi: number): boolean {
  const b = new Set(xsB);
  return xsA.some((x) => b.has(x) && x > lo && x < hi);
}

type Label = Verdict['verdict'];

/** The per-pair rule without its statistical clause (which needs the resamples). */
function pairRelation(
  e: Window,
  l: Window,
  between: boolean,
  resolved: boolean,
): { relation: PairRelation['relation']; overlap: number } {
  const overlap = windowOverlap(e, l);
  const sep = l.midpoint - e.midpoint;
  if (sep < MIN_SEPARATION_DECADES) return { relation: 'simultaneous', overlap };
  const sequential = overlap <= STAGE_MAX_OVERLAP && sep >= MIN_SEPARATION_DECADES && between && resolved;
  return { relation: sequential ? 'sequential' : 'overlapping', overlap };
}

function label(spread: number, relations: PairRelation['relation'][]): Label {
  if (spread <= SLURRY_MAX_SPREAD_DECADES) return 'slurry';
  return relations.every((r) => r === 'sequential') ? 'stages' : 'overlapping_waves';
}

/**
 * Why a capability stays out of the verdict, or null when it enters: it must cross half of
 * a defined chance-to-ceiling range inside the probed checkpoints, with the upper end of
 * its midpoint's bootstrap interval inside them too (its resamples cross by the end).
 */
export function verdictExclusion(name: string, curve: CurveResult): { status: string; reason: string } | null {
  const a = curve.analysis;
  if (curve.point?.status !== 'crossed') return { status: a.status, reason: a.message ?? a.status };
  if (a.ceilingKind !== 'defined') {
    return {
      status: 'no_defined_ceiling',
      reason:
        `${name}'s ${a.metricName} has no defined ceiling, so half of its range is half of the best this run reached, not ` +
        `half of the capability; its shape midpoint is charted, but it stays out of the verdict.`,
    };
  }
  if (a.midpoint!.hi === null) {
    return {
      status: 'crossing_unresolved',
      reason:
        `${name} crosses half of its range at ${formatLog10(a.midpoint!.value)} tokens, but the ${Math.round(CI_LEVEL * 100)}% ` +
        `interval of that crossing reaches past the last probed checkpoint: train longer to pin it down.`,
    };
  }
  return null;
}

/** The capability's normalised mean at its last probed checkpoint. */
function lastPoint(curve: CurveResult): { tokens: number; normalized: number } | null {
  const p = curve.analysis.points.at(-1);
  return p ? { tokens: p.tokens, normalized: p.normalized } : null;
}

const xsOf = (c: CurveResult) =>
  finiteSorted(c.analysis.points.map((p) => (p.tokens > 0 ? Math.log10(p.tokens) : -Infinity)));
/**
 * A capability's learning window (its own fitted rise, as its checkpoints resolve it: see
 * resolution.ts), centred for separations on its midpoint (the crossing of half its range).
 */
const windowOf = (s: CurveSummary, c: CurveResult): Window =>
  resolvedWindow(xsOf(c), { onset: s.onset!, midpoint: s.midpoint!, saturation: s.saturation! });

export function decideVerdict(inputs: VerdictInput[], metric: 'd' | 'c'): Verdict {
  const included = inputs.filter((i) => verdictExclusion(i.name, i.curve) === null);
  const excluded = inputs.flatMap((i) => {
    const why = verdictExclusion(i.name, i.curve);
    return why ? [{ name: i.name, ...why, last: lastPoint(i.curve) }] : [];
  });
  included.sort((a, b) => a.curve.point!.midpoint! - b.curve.point!.midpoint!);
  const order = included.map((i) => ({
    name: i.name,
    midpoint: i.curve.analysis.midpoint!,
    onset: i.curve.analysis.onset!,
    saturation: i.curve.analysis.saturation!,
  }));
  const shares = { stages: 0, overlapping_waves: 0, slurry: 0, undetermined: 0 };
  if (included.length < 2) {
    return {
      metric,
      verdict: 'undetermined',
      order,
      excluded,
      spread: null,
      adjacent: [],
      overlaps: [],
      bootstrapShares: { ...shares, undetermined: 1 },
      reason:
        `undetermined: ${included.length} capabilit${included.length === 1 ? 'y crosses half of its' : 'ies cross half of their'} chance-to-ceiling range inside the probed checkpoints; ` +
        `a verdict needs at least 2` +
        (excluded.length ? ` (${excluded.map((e) => `${e.name}: ${e.status.replace(/_/g, ' ')}`).join('; ')})` : '') +
        '.',
    };
  }

  const adjacent: PairRelation[] = [];
  for (let k = 0; k + 1 < included.length; k++) {
    const e = included[k];
    const l = included[k + 1];
    const ew = windowOf(e.curve.point!, e.curve);
    const lw = windowOf(l.curve.point!, l.curve);
    const diffs = e.curve.replicates.map((r, b) => {
      const d = l.curve.replicates[b].midpointCensored - r.midpointCensored;
      return Number.isNaN(d) ? 0 : d; // both censored on the same side: no separation shown
    });
    const ci = percentileInterval(diffs, CI_LEVEL);
    const between = checkpointBetween(xsOf(e.curve), xsOf(l.curve), ew.midpoint, lw.midpoint);
    const resolved = ci.lo !== null && ci.lo > 0;
    const { relation, overlap } = pairRelation(ew, lw, between, resolved);
    adjacent.push({
      earlier: e.name,
      later: l.name,
      separation: { value: lw.midpoint - ew.midpoint, ...ci },
      overlap,
      checkpointBetween: between,
      orderResolved: resolved,
      relation,
    });
  }
  const overlaps: Verdict['overlaps'] = [];
  for (let a = 0; a < included.length; a++) {
    for (let b = a + 1; b < included.length; b++) {
      overlaps.push({
        a: included[a].name,
        b: included[b].name,
        overlap: windowOverlap(
          windowOf(included[a].curve.point!, included[a].curve),
          windowOf(included[b].curve.point!, included[b].curve),
        ),
      });
    }
  }
  const spread = order[order.length - 1].midpoint.value - order[0].midpoint.value;
  const verdict = label(
    spread,
    adjacent.map((p) => p.relation),
  );

  const resamples = included[0].curve.replicates.length;
  for (let b = 0; b < resamples; b++) shares[resampleVerdict(included, b)]++;
  for (const key of Object.keys(shares) as Label[]) shares[key] = resamples ? shares[key] / resamples : 0;

  return {
    metric,
    verdict,
    order,
    excluded,
    spread,
    adjacent,
    overlaps,
    bootstrapShares: shares,
    reason: reasonFor(verdict, spread, adjacent, order),
  };
}

/** The verdict of one resample, by the point criteria (its own midpoints and windows). */
function resampleVerdict(included: VerdictInput[], b: number): Label {
  const reps = included.map((i) => ({ input: i, s: i.curve.replicates[b] }));
  if (reps.some((r) => r.s.status !== 'crossed')) return 'undetermined';
  reps.sort((p, q) => p.s.midpoint! - q.s.midpoint!);
  const relations: PairRelation['relation'][] = [];
  for (let k = 0; k + 1 < reps.length; k++) {
    const e = windowOf(reps[k].s, reps[k].input.curve);
    const l = windowOf(reps[k + 1].s, reps[k + 1].input.curve);
    const between = checkpointBetween(xsOf(reps[k].input.curve), xsOf(reps[k + 1].input.curve), e.midpoint, l.midpoint);
    relations.push(pairRelation(e, l, between, true).relation);
  }
  return label(reps[reps.length - 1].s.midpoint! - reps[0].s.midpoint!, relations);
}

function reasonFor(verdict: Label, spread: number, adjacent: PairRelation[], order: Verdict['order']): string {
  const mids = order.map((o) => `${o.name} at ${formatLog10(o.midpoint.value)}`).join(', ');
  const pair = (p: PairRelation) => {
    const ci = `${Math.round(CI_LEVEL * 100)}% CI ${p.separation.lo === null ? 'open' : p.separation.lo.toFixed(2)} to ${p.separation.hi === null ? 'open' : p.separation.hi.toFixed(2)}`;
    const why: string[] = [];
    if (p.overlap > STAGE_MAX_OVERLAP) why.push(`windows overlap ${p.overlap.toFixed(2)} > ${STAGE_MAX_OVERLAP}`);
    if (p.separation.value < MIN_SEPARATION_DECADES)
      why.push(`midpoints ${p.separation.value.toFixed(2)} < ${MIN_SEPARATION_DECADES.toFixed(2)} decades apart`);
    if (!p.checkpointBetween) why.push('no probed checkpoint between the midpoints');
    if (!p.orderResolved) why.push('order not resolved by the bootstrap');
    const verdictPart = p.relation === 'sequential' ? 'sequential' : `${p.relation} (${why.join('; ')})`;
    return `${p.earlier} -> ${p.later}: ${p.separation.value.toFixed(2)} decades (${ci}), overlap ${p.overlap.toFixed(2)}: ${verdictPart}`;
  };
  const S = SLURRY_MAX_SPREAD_DECADES.toFixed(2);
  switch (verdict) {
    case 'slurry':
      return `slurry: all midpoints lie within ${spread.toFixed(2)} decades (<= ${S}, a factor of 2 in tokens): ${mids}.`;
    case 'stages':
      return `stages: midpoints spread over ${spread.toFixed(2)} decades and every adjacent pair is sequential: ${adjacent.map(pair).join('; ')}.`;
    default:
      return `overlapping waves: midpoints spread over ${spread.toFixed(2)} decades (> ${S}) but not every adjacent pair is sequential: ${adjacent.map(pair).join('; ')}.`;
  }
}
