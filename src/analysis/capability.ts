/**
 * One capability (a suite, or one group of a suite) under its discrete and continuous
 * metrics: the normalised curves, their fits and a paired bootstrap over probe items (the
 * same resample of items for both metrics, so their widths can be compared item for item).
 */
import type { Rng } from '../util/rng.js';
import {
  ARTEFACT_WIDTH_RATIO,
  CI_LEVEL,
  MIDPOINT_LEVEL,
  MIN_CHECKPOINTS_FOR_FIT,
  POOR_FIT_R2,
  TARGETS,
} from './definitions.js';
import {
  meanCurve,
  normalise,
  resampleCounts,
  scaleOf,
  type MetricKind,
  type Scale,
  type SuiteMatrix,
} from './curves.js';
import { logisticFitter } from './logistic.js';
import { median, percentileInterval, summarizeCurve, type CurveFrame, type CurveSummary } from './curve-summary.js';
import { formatLog10, formatTokens } from './format.js';
import { finiteSorted, resolvedWindow, widthResolved, type Window } from './resolution.js';
import type { CurveAnalysis, CurvePoint, Estimate, MetricComparison, Position, TimeToTarget } from './types.js';

/** A curve's serialisable analysis plus what the verdict needs: its point and resample summaries. */
export interface CurveResult {
  analysis: CurveAnalysis;
  point: CurveSummary | null;
  replicates: CurveSummary[];
}

export interface BootstrapOptions {
  resamples: number;
  rng: Rng;
}

export function toPosition(value: number, interval: { lo: number | null; hi: number | null }): Position {
  return { value, tokens: Math.round(10 ** value), lo: interval.lo, hi: interval.hi };
}

/**
 * Fits the curves of `kinds` on `m`, with a bootstrap over its items. The same resample of
 * items serves every kind.
 */
export function analyzeCurves(
  m: SuiteMatrix,
  kinds: MetricKind[],
  boot: BootstrapOptions,
  subject: string,
  savedCheckpoints = 0,
): Record<MetricKind, CurveResult | undefined> {
  const out: Record<MetricKind, CurveResult | undefined> = { d: undefined, c: undefined };
  const setups = kinds.map((kind) => {
    const full = meanCurve(m, kind);
    const scale = scaleOf(m, kind, full.mean);
    const y = normalise(full.mean, scale);
    const se = full.se.map((v) => v / Math.abs(scale.ceiling - scale.chance));
    const points: CurvePoint[] = m.steps.map((step, t) => ({
      step,
      tokens: m.tokens[t],
      mean: full.mean[t],
      normalized: y[t],
      se: se[t],
    }));
    return { kind, scale, y, se, points };
  });

  const lacking = insufficiency(m, subject, savedCheckpoints);
  if (lacking) {
    const message = `${lacking.what}: ${lacking.fix}`;
    for (const s of setups)
      out[s.kind] = { analysis: insufficient(m, s.kind, s.scale, s.points, message), point: null, replicates: [] };
    return out;
  }
  const fit = logisticFitter(m.x);
  const frames = setups.map((s) => frameOf(m, s.scale, s.se, fit));

  const points = setups.map((s, k) => summarizeCurve(s.y, frames[k]));
  const replicates: CurveSummary[][] = setups.map(() => []);
  const N = m.ids.length;
  for (let r = 0; r < boot.resamples; r++) {
    const w = resampleCounts(boot.rng, N);
    setups.forEach((s, k) => {
      const y = normalise(meanCurve(m, s.kind, w).mean, s.scale);
      // A checkpoint whose items all missed the resample keeps its full-data value.
      for (let t = 0; t < y.length; t++) if (Number.isNaN(y[t])) y[t] = s.y[t];
      replicates[k].push(summarizeCurve(y, frames[k]));
    });
  }
  setups.forEach((s, k) => {
    out[s.kind] = {
      analysis: curveAnalysis(m, s.kind, s.scale, s.points, frames[k], points[k], replicates[k], subject),
      point: points[k],
      replicates: replicates[k],
    };
  });
  return out;
}

/**
 * What is missing for a fit of `m`, and how to get it; null when a fit can be made.
 * `savedCheckpoints` (from checkpoints/index.json) tells "probe the checkpoints you have"
 * from "train longer".
 */
export function insufficiency(
  m: SuiteMatrix,
  subject: string,
  savedCheckpoints = 0,
): { what: string; fix: string } | null {
  const probed = m.x.length;
  const finite = m.x.filter(Number.isFinite).length;
  if (probed >= MIN_CHECKPOINTS_FOR_FIT && finite >= 2) return null;
  return {
    what:
      `${probed} checkpoint${probed === 1 ? '' : 's'} probed for ${subject}; a fit needs at least ${MIN_CHECKPOINTS_FOR_FIT}` +
      (finite < 2 ? ' (two of them after step 0)' : ''),
    fix:
      savedCheckpoints >= MIN_CHECKPOINTS_FOR_FIT
        ? `the run has ${savedCheckpoints} checkpoints saved: probe them with \`slurry probe RUN\``
        : 'train longer or lower --checkpoint-every, then `slurry probe RUN`',
  };
}

function frameOf(m: SuiteMatrix, scale: Scale, se: Float64Array, fit: CurveFrame['fit']): CurveFrame {
  const finite = m.x.filter(Number.isFinite);
  return {
    x: m.x,
    xFirst: Math.min(...finite),
    xLast: Math.max(...finite),
    ceilingDefined: scale.ceilingKind === 'defined',
    noise: median(se),
    fit,
  };
}

function baseAnalysis(m: SuiteMatrix, kind: MetricKind, scale: Scale, points: CurvePoint[]) {
  return {
    metric: kind,
    metricName: m.metricNames[kind],
    items: m.ids.length,
    chance: scale.chance,
    ceiling: scale.ceiling,
    ceilingKind: scale.ceilingKind,
    points,
  };
}

function insufficient(
  m: SuiteMatrix,
  kind: MetricKind,
  scale: Scale,
  points: CurvePoint[],
  message: string,
): CurveAnalysis {
  return {
    ...baseAnalysis(m, kind, scale, points),
    status: 'insufficient',
    message,
    fit: null,
    onset: null,
    midpoint: null,
    shapeMidpoint: null,
    saturation: null,
    width: null,
    lastLevel: null,
    flags: { onsetExtrapolated: false, saturationExtrapolated: false, poorFit: false, widthUnresolved: false },
    timeToTarget: TARGETS.map((target) => ({ target, status: 'not_reached', at: null })),
    bootstrap: { resamples: 0, statuses: {} },
  };
}

function curveAnalysis(
  m: SuiteMatrix,
  kind: MetricKind,
  scale: Scale,
  points: CurvePoint[],
  frame: CurveFrame,
  point: CurveSummary,
  reps: CurveSummary[],
  subject: string,
): CurveAnalysis {
  const p = point.fit.params;
  const statuses: CurveAnalysis['bootstrap']['statuses'] = {};
  for (const r of reps) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
  const censored = (get: (s: CurveSummary) => number | null) =>
    percentileInterval(
      reps.map((r) => get(r) ?? r.midpointCensored),
      CI_LEVEL,
    );
  const crossed = point.status === 'crossed';
  const rises = point.onset !== null;
  const shapeInRange = Number.isFinite(point.shapeMidpointCensored);
  const widthInterval = finiteInterval(reps.map((r) => r.width));
  const timeToTarget: TimeToTarget[] = TARGETS.map((target, k) => {
    const v = point.timeToTarget[k];
    if (v === -Infinity) return { target, status: 'before_first', at: null };
    if (v === Infinity) return { target, status: 'not_reached', at: null };
    return {
      target,
      status: 'reached',
      at: toPosition(
        v,
        percentileInterval(
          reps.map((r) => r.timeToTarget[k]),
          CI_LEVEL,
        ),
      ),
    };
  });
  return {
    ...baseAnalysis(m, kind, scale, points),
    status: point.status,
    message: statusMessage(point, frame, m, subject),
    fit: { ...p, r2: point.fit.r2, rmse: point.fit.rmse },
    midpoint: crossed
      ? toPosition(
          point.midpoint!,
          censored((s) => s.midpoint),
        )
      : null,
    shapeMidpoint: shapeInRange
      ? toPosition(
          point.shapeMidpoint!,
          percentileInterval(
            reps.map((r) => r.shapeMidpointCensored),
            CI_LEVEL,
          ),
        )
      : null,
    // Onset and saturation of a resample without a visible rise are censored with its midpoint.
    onset: rises
      ? toPosition(
          point.onset!,
          censored((s) => s.onset),
        )
      : null,
    saturation: rises
      ? toPosition(
          point.saturation!,
          censored((s) => s.saturation),
        )
      : null,
    width: rises ? { value: point.width!, ...widthInterval } : null,
    lastLevel: point.lastLevel,
    flags: {
      onsetExtrapolated: rises && point.onset! < frame.xFirst,
      saturationExtrapolated: rises && point.saturation! > frame.xLast,
      poorFit: rises && (point.fit.r2 === null || point.fit.r2 < POOR_FIT_R2),
      widthUnresolved: rises && !widthResolved(finiteSorted(frame.x), shapeWindow(point)),
    },
    timeToTarget,
    bootstrap: { resamples: reps.length, statuses },
  };
}

/** Interval over the resamples where the value exists; null bounds if under half have it. */
function finiteInterval(values: (number | null)[]): { lo: number | null; hi: number | null } {
  const v = values.filter((x): x is number => x !== null && Number.isFinite(x));
  if (v.length === 0 || v.length < values.length / 2) return { lo: null, hi: null };
  return percentileInterval(v, CI_LEVEL);
}

function statusMessage(s: CurveSummary, frame: CurveFrame, m: SuiteMatrix, subject: string): string | null {
  const first = formatTokens(10 ** frame.xFirst);
  const last = formatTokens(10 ** frame.xLast);
  // The fitted level there; the measured last checkpoint (the verdict's "ends at") differs by its noise.
  const level = `${Math.round(100 * s.lastLevel) + 0}% of the chance-to-ceiling range`;
  const half = `${100 * MIDPOINT_LEVEL}%`;
  switch (s.status) {
    case 'crossed':
      return null;
    case 'flat':
      return (
        `${subject} is flat: its fitted rise across the probed checkpoints is ${(100 * s.observedRise).toFixed(1)}% ` +
        `of the chance-to-ceiling range, below the threshold, and its fitted curve ends at ${level}; no midpoint is given. Train longer, or ` +
        `check that the probe measures something this model can learn.`
      );
    case 'saturated_at_start':
      return (
        `${subject} is already past ${half} of its range at the first probed checkpoint after step 0 (${first} tokens); its ` +
        `midpoint lies before it. Probe earlier checkpoints (steps 1, 2, 4, ... of the log-spaced schedule) to see the rise` +
        (m.steps[0] === 0 ? '.' : ', and probe step 0 to anchor chance.')
      );
    case 'still_rising': {
      const top = s.fit.params.ceiling;
      const levelling = top < MIDPOINT_LEVEL && top - s.lastLevel < 0.05;
      return (
        `${subject} is still below ${half} of its chance-to-ceiling range at the last probed checkpoint (${last} tokens): ` +
        `its fitted curve ends at ${level}${levelling ? `, and levels off near ${(100 * top).toFixed(0)}%` : ', still rising'}; ` +
        `no midpoint is given: train longer to see one.`
      );
    }
  }
}

/** The fitted rise's window (onset, shape midpoint, saturation); only for a curve with a visible rise. */
const shapeWindow = (s: CurveSummary): Window => ({
  onset: s.onset!,
  midpoint: s.shapeMidpoint!,
  saturation: s.saturation!,
});
const xsOfCurve = (r: CurveResult) =>
  finiteSorted(r.analysis.points.map((p) => (p.tokens > 0 ? Math.log10(p.tokens) : -Infinity)));

/**
 * Discrete against continuous on the same items and resamples. Widths the checkpoints do
 * not resolve are replaced by their bounds: an unresolved continuous width decides
 * nothing; an unresolved discrete width counts as wide as the checkpoints around it.
 */
export function compareMetrics(d: CurveResult, c: CurveResult): MetricComparison {
  // Widths are of each curve's own rise, so both need a rise whose middle lies in range.
  const shaped = (r: CurveResult) => r.point !== null && Number.isFinite(r.point.shapeMidpointCensored);
  if (!shaped(d) || !shaped(c)) {
    const why = [d, c]
      .filter((r) => !shaped(r))
      .map(
        (r) =>
          `${r.analysis.metricName} has no rise whose middle lies in the probed range (${r.analysis.status.replace(/_/g, ' ')})`,
      )
      .join(' and ');
    return { widthRatio: null, midpointShift: null, finding: 'undetermined', explanation: `No comparison: ${why}.` };
  }
  const dp = d.point!;
  const cp = c.point!;
  const ratios: (number | null)[] = [];
  const shifts: (number | null)[] = [];
  for (let r = 0; r < d.replicates.length; r++) {
    const a = d.replicates[r];
    const b = c.replicates[r];
    const both = a.width !== null && b.width !== null;
    ratios.push(both ? a.width! / b.width! : null);
    shifts.push(both ? a.shapeMidpoint! - b.shapeMidpoint! : null);
  }
  const widthRatio: Estimate = { value: dp.width! / cp.width!, ...finiteInterval(ratios) };
  const midpointShift: Estimate = { value: dp.shapeMidpoint! - cp.shapeMidpoint!, ...finiteInterval(shifts) };
  const dn = d.analysis.metricName;
  const cn = c.analysis.metricName;
  const ratioText = `width ratio ${dn}/${cn} = ${widthRatio.value.toFixed(2)} (${intervalText(widthRatio)})`;
  const cWindow = resolvedWindow(xsOfCurve(c), shapeWindow(cp));
  if (!cWindow.resolved) {
    return {
      widthRatio,
      midpointShift,
      finding: 'undetermined',
      explanation: `${ratioText}, but under ${cn} the rise falls between probed checkpoints (${formatLog10(cWindow.onset)} to ${formatLog10(cWindow.saturation)} tokens), so its width is not resolved: probe more checkpoints there.`,
    };
  }
  const dWindow = resolvedWindow(xsOfCurve(d), shapeWindow(dp));
  if (!dWindow.resolved) {
    // The discrete width is at most the span of the checkpoints around its rise.
    const bound = (dWindow.saturation - dWindow.onset) / cp.width!;
    if (bound < ARTEFACT_WIDTH_RATIO) {
      return {
        widthRatio,
        midpointShift,
        finding: 'artefact',
        explanation:
          `under ${dn} the capability rises between two probed checkpoints (${formatLog10(dWindow.onset)} to ${formatLog10(dWindow.saturation)} tokens), ` +
          `a width of at most ${(dWindow.saturation - dWindow.onset).toFixed(2)} decades against ${cp.width!.toFixed(2)} under ${cn} on the same items ` +
          `(ratio at most ${bound.toFixed(2)}): the abruptness is largely a metric artefact.`,
      };
    }
    return {
      widthRatio,
      midpointShift,
      finding: 'undetermined',
      explanation: `${ratioText}, but under ${dn} the rise falls between probed checkpoints, so its width is only known to be at most ${(dWindow.saturation - dWindow.onset).toFixed(2)} decades: probe more checkpoints there.`,
    };
  }
  const lo = ARTEFACT_WIDTH_RATIO;
  const hi = 1 / ARTEFACT_WIDTH_RATIO;
  let finding: MetricComparison['finding'];
  let explanation: string;
  if (widthRatio.value < lo && widthRatio.hi !== null && widthRatio.hi < 1) {
    finding = 'artefact';
    explanation =
      `${ratioText}: under ${dn} the capability looks ${(1 / widthRatio.value).toFixed(1)}x more abrupt than under ${cn} on the ` +
      `same items; the abruptness is largely a metric artefact.`;
  } else if (widthRatio.value > hi && widthRatio.lo !== null && widthRatio.lo > 1) {
    finding = 'discrete_smoother';
    explanation = `${ratioText}: the discrete metric rises more gradually than the continuous one.`;
  } else if (widthRatio.value >= lo && widthRatio.value <= hi) {
    finding = 'same_sharpness';
    explanation = `${ratioText}: both metrics show transitions of similar width (within a factor of ${hi}), so the sharpness is not the metric's doing.`;
  } else {
    finding = 'undetermined';
    explanation = `${ratioText}: the widths differ by more than a factor of ${hi}, but the bootstrap interval does not exclude 1.`;
  }
  return { widthRatio, midpointShift, finding, explanation };
}

export function intervalText(e: { lo: number | null; hi: number | null }, digits = 2): string {
  const lo = e.lo === null ? 'open' : e.lo.toFixed(digits);
  const hi = e.hi === null ? 'open' : e.hi.toFixed(digits);
  return `${Math.round(CI_LEVEL * 100)}% CI ${lo} to ${hi}`;
}
