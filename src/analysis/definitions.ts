/**
 * Every threshold the analysis uses, in one place, with the reason for its value. The
 * numbers are copied into analysis.json (`definitions`) and restated in the report, so a
 * reader can check each verdict by hand.
 *
 * Positions are in log10(tokens seen); widths and separations are in decades (a factor of
 * 10 in tokens). Every curve is normalised between its chance level (0) and its ceiling
 * (1). A capability's midpoint is where its fitted curve crosses MIDPOINT_LEVEL (half) of
 * that range inside the probed checkpoints; a curve that has not crossed it by the last
 * checkpoint has no midpoint (it is "still rising" or "flat") and never enters the verdict.
 * Its "learning window" is the span of its own fitted rise, from onset (10% of the rise)
 * to saturation (90%); the middle of that rise is the shape midpoint, a secondary figure.
 */

/**
 * Level of the chance-to-ceiling range whose crossing is a capability's midpoint. Half of
 * the range, not half of the curve's own rise: a curve that rises 15% of the way and
 * levels off has made no midpoint, however clean its sigmoid.
 */
export const MIDPOINT_LEVEL = 0.5;

/** Shares of a capability's own fitted rise that define onset, shape midpoint and saturation. */
export const ONSET_SHARE = 0.1;
export const MIDPOINT_SHARE = 0.5;
export const SATURATION_SHARE = 0.9;

/**
 * Each built-in suite's ceiling (a perfect model's score) and why; the probe records carry
 * the values, these sentences restate them in the report. A metric without a defined
 * ceiling (a margin, a loss gain) is scaled by the best value the run reached, so half of
 * its range is half of what this run achieved, not half of the capability: such a curve is
 * charted with its shape midpoint but kept out of the verdict.
 */
export const SUITE_CEILINGS: Record<string, { d: string; c: string }> = {
  tokens: {
    d: '1: every held-out window is predicted better than by the bigram model counted on the training split',
    c: '0 nats per token: certainty on every held-out token; natural text has entropy, so no model gets there and the continuous curve stays well below 1',
  },
  syntax: {
    d: '1: the grammatical sentence of every minimal pair is the more probable one',
    c: 'none: a log-probability margin has no upper bound',
  },
  recall: {
    d: '1: the answer ranks first among every value of its relation, in a training phrasing',
    c: '1: all the probability over the candidates on the answer',
  },
  facts: {
    d: '1: the answer ranks first among every value of its relation, in a phrasing held out of training; a held-out phrasing whose cue words the training text never uses cannot be answered by a model trained on it, so what a corpus lets a model reach can be lower (probes.jsonl records the accuracy of each template)',
    c: '1: all the probability over the candidates on the answer',
  },
  reasoning: {
    d: '1: greedy decoding writes every answer exactly',
    c: '0 nats per token: the answer is certain',
  },
  icl: {
    d: "1: every induction copy predicted top-1, and every text window's second half predicted better after its own beginning than after another window's",
    c: 'none: a loss gain has no defined maximum',
  },
  memorisation: {
    d: "1: greedy decoding writes the words after every copied passage's prefix exactly",
    c: '0 nats per token: those words are certain',
  },
};

/**
 * Probed checkpoints a fit needs: the logistic has 4 parameters, and 2 more points leave
 * residual degrees of freedom for R^2 and the bootstrap to mean anything.
 */
export const MIN_CHECKPOINTS_FOR_FIT = 6;

/** Fewer probe items than this make the bootstrap intervals coarse; the analysis warns. */
export const MIN_ITEMS_FOR_BOOTSTRAP = 20;

/** A group (paradigm, exposure bucket...) is fitted on its own from this many items. */
export const MIN_GROUP_ITEMS = 10;

/**
 * A curve "never leaves chance" when the rise its fit shows inside the probed range is
 * below FLAT_MIN_RISE of the chance-to-ceiling range (10%: one item in ten), or below
 * FLAT_NOISE_Z standard errors of a checkpoint mean (item noise), whichever is larger.
 */
export const FLAT_MIN_RISE = 0.1;
export const FLAT_NOISE_Z = 4;

/** A fit with R^2 below this is flagged: the curve is not logistic-shaped (or is noise). */
export const POOR_FIT_R2 = 0.8;

/**
 * Verdict rules, applied to the capabilities that rise through MIDPOINT_LEVEL of a defined
 * chance-to-ceiling range inside the probed range (with the upper end of the midpoint's
 * bootstrap interval inside it too), sorted by midpoint, looking at each adjacent pair
 * (earlier i, later j):
 *
 * - sequential: the windows overlap by at most STAGE_MAX_OVERLAP of the shorter window,
 *   the midpoints are at least MIN_SEPARATION_DECADES apart, at least one probed checkpoint
 *   lies between them (else the order is interpolation between two checkpoints), and the
 *   bootstrap interval (CI_LEVEL) of m_j - m_i excludes 0.
 * - stages: every adjacent pair is sequential.
 * - slurry: all midpoints lie within SLURRY_MAX_SPREAD_DECADES of each other.
 * - overlapping waves: anything else (ordered midpoints whose windows overlap).
 * - undetermined: fewer than two capabilities qualify.
 *
 * Why these values:
 * - STAGE_MAX_OVERLAP = 0.2. For two logistic windows of equal width w, overlap 0.2 means
 *   the midpoints are 0.8 w apart, so when the later capability reaches its onset (10%) the
 *   earlier one has completed about 80% of its rise: one lesson is mostly done before the
 *   next begins, which is what "stages" claims. Overlap 0 would demand more than fits of
 *   noisy probes can show.
 * - MIN_SEPARATION_DECADES = log10(2) ~ 0.3: a doubling of training tokens, the spacing of
 *   the log-spaced checkpoint schedule (steps 1, 2, 4, ...). Closer midpoints cannot be
 *   told apart by the schedule's early checkpoints.
 * - SLURRY_MAX_SPREAD_DECADES = the same doubling: capabilities whose midpoints are all
 *   within a factor of 2 in tokens are learned "at once" on the log-token axis on which
 *   training is watched; the ordering inside a doubling is below the resolution above.
 * - CI_LEVEL = 0.95, percentile bootstrap over probe items.
 */
export const STAGE_MAX_OVERLAP = 0.2;
export const MIN_SEPARATION_DECADES = Math.log10(2);
export const SLURRY_MAX_SPREAD_DECADES = Math.log10(2);
export const CI_LEVEL = 0.95;

/** Bootstrap resamples over probe items (percentile intervals); overridable per call. */
export const DEFAULT_RESAMPLES = 200;

/**
 * Discrete against continuous: the width ratio w_d / w_c of the two fitted windows. When
 * its bootstrap interval lies below 1 and the ratio is below ARTEFACT_WIDTH_RATIO, the
 * discrete metric makes the capability look at least twice as abrupt as the continuous
 * one does on the same items: that part of the "emergence" is the metric's doing
 * (Schaeffer et al. 2023).
 */
export const ARTEFACT_WIDTH_RATIO = 0.5;

/**
 * Transitions in a capability curve: an abrupt slope change at a checkpoint, where the
 * slope (normalised units per decade) of the segment after it differs from the segment
 * before it by at least SLOPE_CHANGE_MIN and by SLOPE_CHANGE_Z standard errors (from item
 * noise at the three checkpoints involved). SLOPE_CHANGE_MIN = 2: a logistic's steepest
 * slope is ln(9)/(2 w) per decade for a 10-90% width w, so only capabilities that go from
 * chance to ceiling within about half a decade (w < 0.55, a factor 3.5 in tokens) can
 * show such a change: ordinary, gradual sigmoids are not reported as transitions.
 */
export const SLOPE_CHANGE_MIN = 2;
export const SLOPE_CHANGE_Z = 4;
/**
 * Each slope spans at least this many decades (0.1: a factor 1.26 in tokens), so the dense
 * checkpoints of the linear part of the schedule do not turn item noise into huge slopes.
 */
export const SLOPE_SEGMENT_MIN_DECADES = 0.1;

/**
 * The training loss is averaged in bins of LOSS_BIN_DECADES of log10(tokens) (smoothing
 * that keeps early steps apart and pools many late ones). A bump is a rise of the binned
 * loss above its running minimum by at least LOSS_BUMP_MIN nats and LOSS_BUMP_Z standard
 * errors; a slope change in the binned loss counts when it reaches LOSS_SLOPE_CHANGE_MIN
 * nats per decade and SLOPE_CHANGE_Z standard errors.
 */
export const LOSS_BIN_DECADES = 0.05;
export const LOSS_BUMP_MIN = 0.02;
export const LOSS_BUMP_Z = 4;
export const LOSS_SLOPE_CHANGE_MIN = 1;

/** Shares of the ceiling for "time to target" (tokens to reach a share of the ceiling). */
export const TARGETS = [0.25, 0.5, 0.75, 0.9] as const;

/** Charts draw the step-0 checkpoint (0 tokens) this many decades left of the first one. */
export const STEP0_PLOT_OFFSET_DECADES = 0.5;

/** The thresholds as a record, written into analysis.json. */
export function definitionsRecord() {
  return {
    midpointLevel: MIDPOINT_LEVEL,
    onsetShare: ONSET_SHARE,
    midpointShare: MIDPOINT_SHARE,
    saturationShare: SATURATION_SHARE,
    minCheckpointsForFit: MIN_CHECKPOINTS_FOR_FIT,
    minItemsForBootstrap: MIN_ITEMS_FOR_BOOTSTRAP,
    minGroupItems: MIN_GROUP_ITEMS,
    flatMinRise: FLAT_MIN_RISE,
    flatNoiseZ: FLAT_NOISE_Z,
    poorFitR2: POOR_FIT_R2,
    stageMaxOverlap: STAGE_MAX_OVERLAP,
    minSeparationDecades: MIN_SEPARATION_DECADES,
    slurryMaxSpreadDecades: SLURRY_MAX_SPREAD_DECADES,
    ciLevel: CI_LEVEL,
    artefactWidthRatio: ARTEFACT_WIDTH_RATIO,
    slopeChangeMin: SLOPE_CHANGE_MIN,
    slopeChangeZ: SLOPE_CHANGE_Z,
    slopeSegmentMinDecades: SLOPE_SEGMENT_MIN_DECADES,
    lossBinDecades: LOSS_BIN_DECADES,
    lossBumpMin: LOSS_BUMP_MIN,
    lossBumpZ: LOSS_BUMP_Z,
    lossSlopeChangeMin: LOSS_SLOPE_CHANGE_MIN,
    targets: [...TARGETS],
    step0PlotOffsetDecades: STEP0_PLOT_OFFSET_DECADES,
    suiteCeilings: SUITE_CEILINGS,
  };
}

export type Definitions = ReturnType<typeof definitionsRecord>;
