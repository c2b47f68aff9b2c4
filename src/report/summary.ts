/**
 * The report's plain-language summary and its restated definitions. Every number here is
 * read from analysis.json (the Analysis object), never recomputed, so the page and the
 * file cannot disagree.
 */
import type { Definitions } from '../analysis/definitions.js';
import { formatLog10, formatTokens } from '../analysis/format.js';
import type { Analysis, Position, Verdict } from '../analysis/types.js';

export const VERDICT_LABEL: Record<Verdict['verdict'], string> = {
  stages: 'stages',
  overlapping_waves: 'overlapping waves',
  slurry: 'slurry',
  undetermined: 'undetermined',
};

const metricLabel = (m: 'd' | 'c') => (m === 'd' ? 'discrete metrics' : 'continuous metrics');
const pct = (v: number) => `${Math.round(100 * v) + 0}%`;

/** "1.2M tokens (95% CI 1M to 1.4M)"; an open bound reads "before the first/after the last checkpoint". */
export function positionText(p: Position, ciLevel: number): string {
  const lo = p.lo === null ? 'before the first checkpoint' : formatLog10(p.lo);
  const hi = p.hi === null ? 'after the last checkpoint' : formatLog10(p.hi);
  return `${formatTokens(p.tokens)} tokens (${pct(ciLevel)} CI ${lo} to ${hi})`;
}

const capitalised = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** "tokens (still rising, ends at 17% of its range)". */
function notPlaced(e: Verdict['excluded'][number]): string {
  const last = e.last
    ? `, ends at ${pct(e.last.normalized)} of its range at ${formatTokens(e.last.tokens)} tokens`
    : '';
  return `${e.name} (${e.status.replace(/_/g, ' ')}${last})`;
}

/**
 * The plain-language answer the report leads with: which capabilities rose through half of
 * their range, in what order, which of them overlap and by how much, which are not placed.
 */
export function wavesAnswer(a: Analysis): string {
  const v = a.verdict;
  const parts: string[] = [];
  if (v.order.length === 0) {
    parts.push(
      'No capability rose through half of its chance-to-ceiling range inside the probed checkpoints, so none can be placed.',
    );
  } else {
    const n = v.order.length;
    parts.push(
      `${capitalised(n === 1 ? 'one capability rose through half of its' : `${n} capabilities rose through half of their`)} chance-to-ceiling range ` +
        `inside the run: ${v.order.map((o) => `${o.name} at ${formatTokens(o.midpoint.tokens)} tokens`).join(', then ')}.`,
    );
  }
  const overlapping = v.overlaps.filter((o) => o.overlap > 0).sort((p, q) => q.overlap - p.overlap);
  if (overlapping.length) {
    parts.push(
      `Learning windows that overlap (shared part of the shorter window): ` +
        overlapping.map((o) => `${o.a} and ${o.b} by ${pct(o.overlap)}`).join('; ') +
        '.',
    );
  }
  const apart = v.overlaps.filter((o) => o.overlap === 0);
  if (apart.length) parts.push(`No overlap: ${apart.map((o) => `${o.a} and ${o.b}`).join('; ')}.`);
  if (v.adjacent.length) {
    parts.push(
      `Between neighbours the midpoints lie ` +
        v.adjacent
          .map((p) => `${(10 ** p.separation.value).toFixed(1)}x the tokens apart (${p.earlier} to ${p.later})`)
          .join(', ') +
        '.',
    );
  }
  if (v.excluded.length) parts.push(`Not placed: ${v.excluded.map(notPlaced).join('; ')}.`);
  parts.push(`Answer under the ${metricLabel(v.metric)}: ${VERDICT_LABEL[v.verdict]}.`);
  return parts.join(' ');
}

export function summaryParagraphs(a: Analysis): string[] {
  const out: string[] = [];
  const v = a.verdict;
  const ci = a.definitions.ciLevel;
  out.push(`Verdict under the ${metricLabel(v.metric)}: ${VERDICT_LABEL[v.verdict]}. Decided by: ${v.reason}`);
  if (v.order.length > 0) {
    const half = pct(a.definitions.midpointLevel);
    out.push(
      `Order of the midpoints (where each crosses ${half} of its chance-to-ceiling range): ${v.order.map((o) => `${o.name} at ${positionText(o.midpoint, ci)}`).join('; ')}.`,
    );
  }
  const shapes = a.capabilities.filter((c) => (v.metric === 'd' ? c.discrete : c.continuous).shapeMidpoint);
  if (shapes.length > 0) {
    out.push(
      `Secondary, the shape midpoints (the middle of each curve's own fitted rise, whatever level it reaches; not used by the verdict): ` +
        shapes
          .map((c) => `${c.name} at ${positionText((v.metric === 'd' ? c.discrete : c.continuous).shapeMidpoint!, ci)}`)
          .join('; ') +
        '.',
    );
  }
  if (v.verdict !== 'undetermined') {
    const s = v.bootstrapShares;
    out.push(
      `Across ${a.settings.resamples} bootstrap resamples of the probe items, the same rules give stages in ${pct(s.stages)}, ` +
        `overlapping waves in ${pct(s.overlapping_waves)} and slurry in ${pct(s.slurry)} of them` +
        (s.undetermined > 0 ? ` (in ${pct(s.undetermined)} a capability did not cross half of its range)` : '') +
        '.',
    );
  }
  const o = a.verdictOtherMetric;
  out.push(
    o.verdict === v.verdict
      ? `Under the ${metricLabel(o.metric)} the verdict is the same: ${VERDICT_LABEL[o.verdict]}.`
      : `Under the ${metricLabel(o.metric)} the verdict is ${VERDICT_LABEL[o.verdict]} instead: ${o.reason}`,
  );
  for (const e of v.excluded) out.push(`Not in the verdict: ${notPlaced(e)}. ${e.reason}`);

  const widths = a.capabilities.filter((c) => (v.metric === 'd' ? c.discrete : c.continuous).width);
  if (widths.length > 0) {
    out.push(
      `Widths of the learning windows (onset to saturation): ` +
        widths
          .map((c) => {
            const w = (v.metric === 'd' ? c.discrete : c.continuous).width!;
            return `${c.name} ${w.value.toFixed(2)} decades (${pct(ci)} CI ${w.lo === null ? 'open' : w.lo.toFixed(2)} to ${w.hi === null ? 'open' : w.hi.toFixed(2)})`;
          })
          .join('; ') +
        '.',
    );
  }

  const artefacts = a.capabilities.filter(
    (c) => c.metricComparison.finding === 'artefact' || c.metricComparison.finding === 'discrete_smoother',
  );
  for (const c of artefacts) out.push(`Discrete against continuous, ${c.name}: ${c.metricComparison.explanation}`);
  const same = a.capabilities.filter((c) => c.metricComparison.finding === 'same_sharpness').map((c) => c.name);
  if (same.length > 0)
    out.push(
      `Discrete and continuous metrics show windows of similar width for ${same.join(', ')}: their sharpness is not a metric artefact.`,
    );
  for (const c of a.capabilities.filter(
    (x) => x.metricComparison.finding === 'undetermined' && x.metricComparison.widthRatio,
  )) {
    out.push(`Discrete against continuous, ${c.name}, undetermined: ${c.metricComparison.explanation}`);
  }

  for (const e of a.exposure) out.push(e.summary);

  const kinks = a.transitions.capabilities;
  if (kinks.length > 0) {
    out.push(
      `Abrupt slope changes in the capability curves: ` +
        kinks
          .map(
            (k) =>
              `${k.subject} (${k.metricName}) ${k.kind === 'speed_up' ? 'speeds up' : 'slows down'} at ${formatTokens(k.tokens)} tokens (step ${k.step}; slope ${k.slopeBefore.toFixed(2)} to ${k.slopeAfter.toFixed(2)} per decade)`,
          )
          .join('; ') +
        '.',
    );
  } else if (a.capabilities.length > 0) {
    out.push('No abrupt slope change in any capability curve (all rises are gradual at the thresholds below).');
  }
  const bumps = a.transitions.loss.filter((t) => t.kind === 'bump');
  if (bumps.length > 0) {
    out.push(
      `Bumps in the training loss: ${bumps.map((b) => `a rise of ${b.size.toFixed(3)} nats from ${formatTokens(b.tokens)} to ${formatTokens(b.peakTokens!)} tokens`).join('; ')}.`,
    );
  }
  const kinksLoss = a.transitions.loss.filter((t) => t.kind !== 'bump');
  if (kinksLoss.length > 0) {
    out.push(
      `Slope changes of the training loss: ` +
        kinksLoss
          .map(
            (t) =>
              `${t.kind === 'speed_up' ? 'falls faster' : 'slows down'} at ${formatTokens(t.tokens)} tokens (by ${Math.abs(t.size).toFixed(2)} nats per decade)`,
          )
          .join('; ') +
        '.',
    );
  }
  for (const p of a.problems) out.push(`Missing: ${p.what}. To get it: ${p.fix}.`);
  return out;
}

/** The definitions and thresholds, restated from analysis.json's `definitions`. */
export function definitionsList(d: Definitions): string[] {
  const pc = (v: number) => `${Math.round(v * 100)}%`;
  const ceilings = Object.entries(d.suiteCeilings).map(([suite, c]) => `${suite}: discrete ${c.d}; continuous ${c.c}`);
  return [
    `Curves: the mean over probe items of each metric at each checkpoint, normalised as (mean - chance) / (ceiling - chance), with chance and ceiling as the probe states them; a metric without a ceiling (a margin) is scaled to its best checkpoint mean.`,
    `Ceilings (a perfect model's score) and why: ${ceilings.join('. ')}.`,
    `Midpoint: where the fitted curve crosses ${pc(d.midpointLevel)} of the chance-to-ceiling range, inside the probed checkpoints (never extrapolated). A capability enters the verdict only if it crosses it there, under a defined ceiling, with the ${pc(d.ciLevel)} interval of the crossing ending inside the run too; otherwise it is reported as still rising (below ${pc(d.midpointLevel)} at the last checkpoint), flat, or saturated at start, with its last level, and charted.`,
    `Fit: a 4-parameter logistic in log10(tokens) (floor, ceiling, midpoint, slope), least squares from a grid start refined by Levenberg-Marquardt. The step-0 checkpoint (0 tokens) is kept as the floor anchor: the logistic tends to its floor as tokens go to 0.`,
    `Onset, shape midpoint and saturation: where the fitted curve has completed ${pc(d.onsetShare)}, ${pc(d.midpointShare)} and ${pc(d.saturationShare)} of its own rise (floor to ceiling of the fit, whatever levels those are); width = saturation - onset, in decades (factors of 10 in tokens). The learning window runs from onset to saturation; the shape midpoint is a secondary figure.`,
    `Intervals: ${pc(d.ciLevel)} percentile intervals over bootstrap resamples of the probe items (items drawn with replacement, curves recomputed and refitted). A bound shown as open lies beyond the probed checkpoints.`,
    `A fit needs at least ${d.minCheckpointsForFit} probed checkpoints. A curve never leaves chance when its fitted rise over the probed range is below ${pc(d.flatMinRise)} of the chance-to-ceiling range or below ${d.flatNoiseZ} standard errors of a checkpoint mean; it is saturated at start when it is above ${pc(d.midpointLevel)} of its range at the first checkpoint after step 0; a fit with R^2 below ${d.poorFitR2} is flagged.`,
    `Window overlap: the shared part of two learning windows divided by the shorter window (0 disjoint, 1 nested).`,
    `Stages: every adjacent pair of capabilities in midpoint order is sequential: windows overlap at most ${d.stageMaxOverlap}, midpoints at least ${d.minSeparationDecades.toFixed(2)} decades apart (a factor of 2 in tokens) with a probed checkpoint between them, and the ${pc(d.ciLevel)} bootstrap interval of the separation above 0.`,
    `Slurry: all midpoints within ${d.slurryMaxSpreadDecades.toFixed(2)} decades of each other (a factor of 2 in tokens, the resolution of a log-spaced checkpoint schedule).`,
    `Overlapping waves: neither (ordered midpoints whose windows overlap). Undetermined: fewer than two capabilities enter the verdict.`,
    `Metric artefact: the discrete metric's width over the continuous metric's (paired bootstrap on the same items) is below ${d.artefactWidthRatio} with its interval below 1; similar sharpness: the ratio lies within a factor ${1 / d.artefactWidthRatio} of 1. A window with fewer than two probed checkpoints inside it is not resolved: its width counts as the span of the checkpoints around it, for this check and for window overlaps.`,
    `Abrupt slope change: between segments of at least ${d.slopeSegmentMinDecades} decades, the slope (normalised units per decade) changes by at least ${d.slopeChangeMin} and ${d.slopeChangeZ} standard errors.`,
    `Training loss: averaged in bins of ${d.lossBinDecades} decades of tokens; a bump is a rise above the running minimum of at least ${d.lossBumpMin} nats and ${d.lossBumpZ} standard errors; a slope change counts from ${d.lossSlopeChangeMin} nats per decade.`,
    `Time to target: tokens at which the fitted curve reaches a share (${d.targets.map(pc).join(', ')}) of the chance-to-ceiling range, inside the probed range.`,
    `Charts: the step-0 checkpoint is drawn as a diamond ${d.step0PlotOffsetDecades} decades left of the first checkpoint.`,
  ];
}
