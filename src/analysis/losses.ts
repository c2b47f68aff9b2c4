/**
 * Loss curves: the training loss averaged in log-token bins (the smoothing that keeps
 * early steps apart and pools many late ones), validation loss, per-source curves, and the
 * bumps and slope changes of the binned training loss.
 */
import type { ProbeRecord } from '../run/records.js';
import { LOSS_BIN_DECADES, LOSS_BUMP_MIN, LOSS_BUMP_Z, LOSS_SLOPE_CHANGE_MIN, SLOPE_CHANGE_Z } from './definitions.js';
import { median } from './curve-summary.js';
import type { TrainLine, ValLine } from './load-run.js';
import { bumps, slopeChanges, type NoisyPoint } from './transitions.js';
import type { LossAnalysis, LossPoint, LossTransition, SourceLoss } from './types.js';

export interface Binned extends LossPoint {
  n: number;
  se: number;
}

/**
 * Means of `loss` over bins of LOSS_BIN_DECADES in log10(tokens); records at 0 tokens are
 * left out (there is no loss before the first step). A bin's standard error is the local
 * step-to-step noise over sqrt(n): the noise is the MAD of successive differences,
 * robust to the trend, over the bin's steps widened to at least NOISE_WINDOW differences
 * (a bin of one or two early steps cannot estimate its own spread).
 */
export function binLoss(series: { tokens: number; loss: number }[]): Binned[] {
  const pts = series.filter((r) => r.tokens > 0 && Number.isFinite(r.loss)).sort((a, b) => a.tokens - b.tokens);
  const diffs = pts.map((p, i) => (i === 0 ? NaN : Math.abs(p.loss - pts[i - 1].loss)));
  const out: Binned[] = [];
  let a = 0;
  while (a < pts.length) {
    const bin = Math.floor(Math.log10(pts[a].tokens) / LOSS_BIN_DECADES);
    let b = a;
    let sx = 0;
    let s = 0;
    while (b < pts.length && Math.floor(Math.log10(pts[b].tokens) / LOSS_BIN_DECADES) === bin) {
      sx += Math.log10(pts[b].tokens);
      s += pts[b].loss;
      b++;
    }
    const n = b - a;
    let lo = Math.max(1, a);
    let hi = Math.min(pts.length, b + 1);
    while (hi - lo < NOISE_WINDOW && (lo > 1 || hi < pts.length)) {
      lo = Math.max(1, lo - 1);
      hi = Math.min(pts.length, hi + 1);
    }
    const noise = hi > lo ? median(diffs.slice(lo, hi)) / (0.6745 * Math.SQRT2) : 0;
    out.push({ tokens: 10 ** (sx / n), loss: s / n, n, se: noise / Math.sqrt(n) });
    a = b;
  }
  return out;
}

const NOISE_WINDOW = 32;

export function lossTransitions(binned: Binned[]): LossTransition[] {
  const pts: NoisyPoint[] = binned.map((b) => ({ x: Math.log10(b.tokens), y: b.loss, se: b.se }));
  const out: LossTransition[] = bumps(pts, LOSS_BUMP_MIN, LOSS_BUMP_Z).map((b) => ({
    kind: 'bump',
    tokens: binned[b.start].tokens,
    peakTokens: binned[b.peak].tokens,
    size: b.height,
    z: finiteOrNull(b.z),
  }));
  // On -loss, so that "speed_up" means the loss starts falling faster.
  const negated = pts.map((p) => ({ ...p, y: -p.y }));
  for (const k of slopeChanges(negated, LOSS_SLOPE_CHANGE_MIN, SLOPE_CHANGE_Z)) {
    out.push({
      kind: k.kind,
      tokens: binned[k.index].tokens,
      peakTokens: null,
      size: k.slopeBefore - k.slopeAfter,
      z: finiteOrNull(k.z),
    });
  }
  return out.sort((a, b) => a.tokens - b.tokens);
}

export const finiteOrNull = (v: number): number | null => (Number.isFinite(v) ? v : null);

/** Tokens at which a decreasing series first makes half of its first-to-last drop. */
export function halfDropTokens(series: LossPoint[]): number | null {
  if (series.length < 2) return null;
  const initial = series[0].loss;
  const final = series[series.length - 1].loss;
  if (!(initial > final)) return null;
  const half = (initial + final) / 2;
  for (let i = 1; i < series.length; i++) {
    const a = series[i - 1];
    const b = series[i];
    if (b.loss > half) continue;
    if (a.tokens <= 0) return b.tokens; // no log-interpolation from 0 tokens
    const f = (a.loss - half) / (a.loss - b.loss);
    return 10 ** (Math.log10(a.tokens) + f * (Math.log10(b.tokens) - Math.log10(a.tokens)));
  }
  return null;
}

export function sourceLosses(train: TrainLine[], val: ValLine[]): SourceLoss[] {
  const names = new Set<string>();
  for (const r of val) for (const s of Object.keys(r.loss_by_source)) names.add(s);
  for (const r of train) for (const s of Object.keys(r.loss_by_source)) names.add(s);
  return [...names].sort().map((source) => {
    const v = val
      .filter((r) => Number.isFinite(r.loss_by_source[source]))
      .map((r) => ({ tokens: r.tokens, loss: r.loss_by_source[source] }));
    const t = binLoss(
      train
        .filter((r) => source in r.loss_by_source)
        .map((r) => ({ tokens: r.tokens, loss: r.loss_by_source[source] })),
    );
    return {
      source,
      val: v,
      train: t.map(({ tokens, loss }) => ({ tokens, loss })),
      initial: v.length ? v[0].loss : null,
      final: v.length ? v[v.length - 1].loss : null,
      halfDropTokens: halfDropTokens(v),
    };
  });
}

/** Reference losses the tokens probe reports in its metrics (uniform_loss, unigram_loss, bigram_loss). */
export function referenceLosses(probes: ProbeRecord[]): { name: string; loss: number }[] {
  const tokens = probes.filter((r) => r.suite === 'tokens').sort((a, b) => a.step - b.step);
  const last = tokens[tokens.length - 1];
  if (!last) return [];
  return Object.entries(last.metrics)
    .filter(([k, v]) => /^(uniform|unigram|bigram)_loss$/.test(k) && Number.isFinite(v) && v > 0)
    .map(([name, loss]) => ({ name, loss }));
}

export function analyzeLosses(
  train: TrainLine[],
  val: ValLine[],
  probes: ProbeRecord[],
): { losses: LossAnalysis; transitions: LossTransition[] } {
  const binned = binLoss(train);
  return {
    losses: {
      train: binned,
      val: val.map((r) => ({ step: r.step, tokens: r.tokens, loss: r.loss })),
      sources: sourceLosses(train, val),
      references: referenceLosses(probes),
    },
    transitions: lossTransitions(binned),
  };
}
