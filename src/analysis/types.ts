/**
 * The shape of RUN/analysis.json, written by `slurry analyze` and read by the report, the
 * episode command and anyone checking a verdict by hand.
 *
 * Units: positions on the token axis are log10(tokens seen) (`value`, `lo`, `hi`) with the
 * token count beside them (`tokens`); widths and separations are in decades. An interval
 * bound is null when it lies beyond the probed range on that side (censored resamples).
 * Curves are normalised: 0 = chance, 1 = ceiling.
 */
import type { Definitions } from './definitions.js';
import type { CurveStatus } from './curve-summary.js';
import type { InterpAnalysis } from './interp.js';

export const ANALYSIS_VERSION = 3;

export interface Analysis {
  version: typeof ANALYSIS_VERSION;
  /** The run directory as given to analyzeRun. */
  run: string;
  settings: { seed: number; resamples: number; primaryMetric: 'd' | 'c' };
  definitions: Definitions;
  /** Checkpoints probed by at least one suite, sorted by step. */
  checkpoints: { step: number; tokens: number }[];
  /** What kept a part of the analysis from being done, and how to get it. */
  problems: Problem[];
  /** Things worth knowing that did not stop anything (duplicates, missing items...). */
  warnings: string[];
  capabilities: CapabilityAnalysis[];
  /** Stage verdict under the primary metric (discrete by default) and the other one. */
  verdict: Verdict;
  verdictOtherMetric: Verdict;
  transitions: { capabilities: SlopeChange[]; loss: LossTransition[] };
  /** Per suite, its groups (paradigms, exposure buckets, digit counts...) fitted apart. */
  groups: SuiteGroups[];
  /** Facts by exposure bucket (head, torso, tail, unseen): which were learned first. */
  /** Facts by exposure bucket, one entry per suite whose items carry buckets (facts, recall). */
  exposure: FactsByExposure[];
  losses: LossAnalysis;
  /** The internal view (slurry interp) on the same timeline; absent when the run has no interp records. */
  interp?: InterpAnalysis;
}

export interface Problem {
  /** Which part: a suite name, 'probes', 'metrics', 'samples'. */
  subject: string;
  what: string;
  fix: string;
}

/** A position on the token axis with its bootstrap interval. */
export interface Position {
  /** log10(tokens). */
  value: number;
  tokens: number;
  lo: number | null;
  hi: number | null;
}

/** A scalar with its bootstrap interval (decades, ratios...). */
export interface Estimate {
  value: number;
  lo: number | null;
  hi: number | null;
}

export interface CurvePoint {
  step: number;
  tokens: number;
  /** Mean of the raw metric over items. */
  mean: number;
  /** (mean - chance) / (ceiling - chance). */
  normalized: number;
  /** Standard error of `normalized` over items. */
  se: number;
}

export interface TimeToTarget {
  /** Share of the ceiling (normalised level). */
  target: number;
  /** reached: inside the probed range; before_first: at or before the first probed checkpoint; not_reached: not by the last one. */
  status: 'reached' | 'before_first' | 'not_reached';
  at: Position | null;
}

export interface CurveAnalysis {
  metric: 'd' | 'c';
  /** The probe's name for the metric: 'accuracy', 'margin', 'p_answer'... */
  metricName: string;
  items: number;
  chance: number;
  ceiling: number;
  ceilingKind: 'defined' | 'empirical';
  points: CurvePoint[];
  /** 'insufficient' when there were too few checkpoints to fit (see message). */
  status: CurveStatus | 'insufficient';
  /** Plain words on the status: why there is no midpoint, what to do. */
  message: string | null;
  fit: { floor: number; ceiling: number; midpoint: number; slope: number; r2: number | null; rmse: number } | null;
  /**
   * Where the curve crosses half of its chance-to-ceiling range (definitions.MIDPOINT_LEVEL);
   * null unless it does so inside the probed checkpoints (status 'crossed').
   */
  midpoint: Position | null;
  /**
   * Secondary: the middle of the curve's own fitted rise (floor to ceiling of the fit),
   * whatever level that is; null unless it lies inside the probed range.
   */
  shapeMidpoint: Position | null;
  /** 10% and 90% of the curve's own fitted rise (null without a visible rise; may be extrapolated). */
  onset: Position | null;
  saturation: Position | null;
  /** Onset to saturation, decades. */
  width: Estimate | null;
  /** Fitted level at the last probed checkpoint (normalised); null when not fitted. */
  lastLevel: number | null;
  /**
   * widthUnresolved: fewer than two probed checkpoints inside the window, so the width is
   * only bounded by the checkpoints around it (the verdict then widens the window to them).
   */
  flags: { onsetExtrapolated: boolean; saturationExtrapolated: boolean; poorFit: boolean; widthUnresolved: boolean };
  timeToTarget: TimeToTarget[];
  /** How the bootstrap resamples came out: counts per status. */
  bootstrap: { resamples: number; statuses: Partial<Record<CurveStatus, number>> };
}

export interface CapabilityAnalysis {
  /** Suite name. */
  name: string;
  items: number;
  discrete: CurveAnalysis;
  continuous: CurveAnalysis;
  /** The "emergence is a metric artefact" check on the same items (paired bootstrap). */
  metricComparison: MetricComparison;
}

export interface MetricComparison {
  /** Discrete width over continuous width; < 1: the discrete metric looks sharper. */
  widthRatio: Estimate | null;
  /** Discrete midpoint minus continuous midpoint, decades. */
  midpointShift: Estimate | null;
  /**
   * artefact: the discrete width is below ARTEFACT_WIDTH_RATIO (0.5) of the continuous one,
   * with the ratio's interval below 1 (or, when the discrete rise falls between two
   * checkpoints, the bound on its width gives a ratio below 0.5); same_sharpness: the ratio
   * lies within a factor 2 of 1; discrete_smoother: above 2 with its interval above 1;
   * undetermined otherwise (a metric not fitted, a width not resolved, an interval across 1).
   */
  finding: 'artefact' | 'same_sharpness' | 'discrete_smoother' | 'undetermined';
  explanation: string;
}

export interface PairRelation {
  earlier: string;
  later: string;
  /** m_later - m_earlier, decades, with the bootstrap interval of the difference. */
  separation: Estimate;
  /** Shared part of the two windows over the shorter window (0 = disjoint, 1 = nested). */
  overlap: number;
  checkpointBetween: boolean;
  orderResolved: boolean;
  relation: 'sequential' | 'overlapping' | 'simultaneous';
}

export interface Verdict {
  metric: 'd' | 'c';
  verdict: 'stages' | 'overlapping_waves' | 'slurry' | 'undetermined';
  /** Capabilities in midpoint order (those that cross half of a defined range inside the probed checkpoints). */
  order: { name: string; midpoint: Position; onset: Position; saturation: Position }[];
  /**
   * Capabilities left out, and why, with their last measured level (normalised mean at the
   * last probed checkpoint) and its tokens.
   */
  excluded: { name: string; status: string; reason: string; last: { tokens: number; normalized: number } | null }[];
  /** Max - min midpoint, decades. */
  spread: number | null;
  adjacent: PairRelation[];
  /** Overlap of every pair's windows (upper triangle, in `order`). */
  overlaps: { a: string; b: string; overlap: number }[];
  /** Share of bootstrap resamples that give each verdict (point criteria per resample). */
  bootstrapShares: Record<'stages' | 'overlapping_waves' | 'slurry' | 'undetermined', number>;
  /** The rule that decided, with its numbers, in one sentence. */
  reason: string;
}

export interface SlopeChange {
  subject: string;
  metric: 'd' | 'c';
  metricName: string;
  step: number;
  tokens: number;
  kind: 'speed_up' | 'slow_down';
  /** Slopes of the segments before and after, normalised units per decade. */
  slopeBefore: number;
  slopeAfter: number;
  /** |change| over its standard error; null when the points carry no noise (se = 0). */
  z: number | null;
}

export interface LossTransition {
  kind: 'bump' | 'speed_up' | 'slow_down';
  /** Where it starts (bump: the running minimum before it; slope change: the kink). */
  tokens: number;
  /** bump: the top of the bump. */
  peakTokens: number | null;
  /** bump: height in nats; slope change: change of slope in nats per decade. */
  size: number;
  /** size over its standard error; null when the points carry no noise. */
  z: number | null;
}

export interface SuiteGroups {
  suite: string;
  groups: { group: string; curve: CurveAnalysis }[];
  /** Groups with a midpoint in range, earliest first. */
  order: string[];
}

export interface FactsByExposure {
  suite: string;
  buckets: { bucket: string; items: number; curve: CurveAnalysis }[];
  /** Buckets with a midpoint in range, earliest first. */
  order: string[];
  /** Buckets that never left chance. */
  neverLearned: string[];
  summary: string;
}

export interface LossPoint {
  tokens: number;
  loss: number;
}

export interface LossAnalysis {
  /** Training loss averaged in log-token bins (see definitions.lossBinDecades). */
  train: (LossPoint & { n: number; se: number })[];
  val: (LossPoint & { step: number })[];
  sources: SourceLoss[];
  /** Reference losses found in the tokens probe's metrics (uniform, unigram, bigram), nats. */
  references: { name: string; loss: number }[];
}

export interface SourceLoss {
  source: string;
  val: LossPoint[];
  train: LossPoint[];
  initial: number | null;
  final: number | null;
  /** Tokens at which the validation loss had made half of its total drop. */
  halfDropTokens: number | null;
}
