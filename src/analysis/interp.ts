/**
 * The internal view on the capabilities' timeline: interp curves (RUN/interp.jsonl and
 * RUN/interp/across.json) fitted with the same logistic-in-log-tokens machinery as the
 * capabilities, with bootstrap intervals (over sequences, windows or features; over CKA
 * rows for CKA), and their order against the matching behaviour:
 *
 *   induction (best final head's prefix matching)  vs  the icl suite and the interp ICL score
 *   induction window                               vs  loss bumps (analysis.transitions.loss)
 *   POS probe selectivity (best layer)             vs  the syntax suite
 *   source probe selectivity (best layer)          vs  the tokens suite
 *   CKA to the final checkpoint (mean over layers) vs  the tokens suite
 *
 * A relation is 'before' or 'after' when the bootstrap interval of the midpoint difference
 * excludes 0, 'with' when it contains 0, 'undetermined' when a midpoint is missing.
 */
import { existsSync, readFileSync } from 'node:fs';
import {
  interpAcrossSchema,
  interpRecordSchema,
  type InterpAcross,
  type InterpData,
  type InterpRecord,
} from '../run/interp-records.js';
import { runPaths } from '../run/layout.js';
import { readJsonlStrict } from '../util/jsonl.js';
import { parseWith } from '../util/schema.js';
import { SlurryError } from '../util/errors.js';
import { Rng } from '../util/rng.js';
import { analyzeCurves, type CurveResult } from './capability.js';
import { percentileInterval, summarizeCurve } from './curve-summary.js';
import type { SuiteMatrix } from './curves.js';
import { CI_LEVEL, DEFAULT_RESAMPLES, MIN_CHECKPOINTS_FOR_FIT } from './definitions.js';
import { logisticFitter } from './logistic.js';
import type { CurveAnalysis, Estimate, LossTransition } from './types.js';

export interface InterpCurve {
  name: string;
  what: string;
  curve: CurveAnalysis;
}

export interface InterpRelation {
  a: string;
  b: string;
  /** midpoint(b) - midpoint(a), decades. */
  separation: Estimate | null;
  relation: 'before' | 'with' | 'after' | 'undetermined';
  /** Plain words: "a rises before b". */
  sentence: string;
}

export interface InterpAnalysis {
  curves: InterpCurve[];
  relations: InterpRelation[];
  /** Loss bumps inside the induction window [onset, saturation], if the window exists. */
  inductionLossBumps: LossTransition[] | null;
  statements: string[];
}

interface Series {
  name: string;
  what: string;
  steps: number[];
  tokens: number[];
  ids: string[];
  /** item-major [item * checkpoints + checkpoint] */
  values: Float64Array;
  chance: number;
  ceiling: number | null;
}

function matrix(s: Series): SuiteMatrix {
  return {
    suite: s.name,
    metricNames: { d: s.name, c: s.name },
    steps: s.steps,
    tokens: s.tokens,
    x: s.tokens.map((t) => (t > 0 ? Math.log10(t) : -Infinity)),
    ids: s.ids,
    groups: s.ids.map(() => undefined),
    control: s.ids.map(() => false),
    d: s.values,
    c: s.values,
    complete: !s.values.some(Number.isNaN),
    chance: { d: s.chance, c: s.chance },
    ceiling: { d: s.ceiling ?? s.chance, c: s.ceiling },
    warnings: [],
  };
}

/** Items aligned by id across records (NaN where missing). */
function series(
  name: string,
  what: string,
  records: InterpRecord[],
  items: (r: InterpRecord) => { id: string; v: number }[],
  chance: number,
  ceiling: number | null,
): Series {
  const ids = [...new Set(records.flatMap((r) => items(r).map((i) => i.id)))];
  const T = records.length;
  const values = new Float64Array(ids.length * T).fill(NaN);
  records.forEach((r, t) => items(r).forEach((i) => (values[ids.indexOf(i.id) * T + t] = i.v)));
  return {
    name,
    what,
    steps: records.map((r) => r.step),
    tokens: records.map((r) => r.tokens),
    ids,
    values,
    chance,
    ceiling,
  };
}

export function analyzeInterp(
  records: InterpRecord[],
  across: InterpAcross | null,
  behaviour: Map<string, CurveResult>,
  lossTransitions: LossTransition[],
  seed: number,
): InterpAnalysis {
  const recs = [...records].sort((a, b) => a.step - b.step);
  const final = recs[recs.length - 1];
  const fitted = new Map<string, CurveResult>();
  const curves: InterpCurve[] = [];
  const fit = (s: Series, useC = s.ceiling === null) => {
    const r = analyzeCurves(
      matrix(s),
      [useC ? 'c' : 'd'],
      { resamples: DEFAULT_RESAMPLES, rng: Rng.derive(seed, 'interp', s.name) },
      s.name,
    )[useC ? 'c' : 'd']!;
    fitted.set(s.name, r);
    curves.push({ name: s.name, what: s.what, curve: r.analysis });
  };

  // Induction: the head with the highest prefix matching at the final checkpoint.
  const pm = final.heads.prefix_matching;
  let best = { l: 0, h: 0 };
  pm.mean.forEach((heads, l) => heads.forEach((v, h) => v > pm.mean[best.l][best.h] && (best = { l, h })));
  fit(
    series(
      'induction',
      `prefix matching of head L${best.l}H${best.h} (best at the final checkpoint), per repeated sequence`,
      recs,
      (r) => r.heads.prefix_matching.items[best.l][best.h].map((v, i) => ({ id: String(i), v })),
      pm.chance,
      1,
    ),
  );
  fit(
    series(
      'icl_score',
      'early-minus-late loss on natural text windows (nats)',
      recs,
      (r) => r.icl.items.map((i) => ({ id: i.id, v: i.c })),
      0,
      null,
    ),
  );
  for (const family of ['pos', 'source'] as const) {
    const p = final.probes[family];
    if (!p) continue;
    const layer = p.selectivity.indexOf(Math.max(...p.selectivity));
    const what = `${family} probe selectivity at layer ${layer} (${p.selectivity_basis} basis), per held-out window`;
    fit(
      series(
        `${family}_selectivity`,
        what,
        recs,
        (r) => {
          const q = r.probes[family]!;
          const base = (it: (typeof q.items)[number]) =>
            q.selectivity_basis === 'control' ? it.control_hits[layer] : it.hits[0];
          return q.items.map((it) => ({ id: it.id, v: (it.hits[layer] - base(it)) / Math.max(1, it.n) }));
        },
        0,
        null,
      ),
    );
  }
  if (across && across.features.items.length > 0) {
    const sub = recs.filter((r) => across.steps.includes(r.step));
    fit(
      series(
        'sae_features',
        `share of the final SAE's features present (decoder cosine >= ${across.features.match_cosine})`,
        sub,
        (r) => across.features.items.map((f, i) => ({ id: String(i), v: f[across.steps.indexOf(r.step)] })),
        0,
        1,
      ),
    );
  }
  // Fewer checkpoints than a fit needs: no CKA curve (the other curves say why they have no fit).
  const cka = across && across.steps.length >= MIN_CHECKPOINTS_FOR_FIT ? ckaCurve(across, seed) : null;
  if (cka) curves.push(cka.curve);

  const relations: InterpRelation[] = [];
  const relate = (a: string, ra: CurveResult | undefined, b: string, rb: CurveResult | undefined) =>
    relations.push(relation(a, ra, b, rb));
  relate('induction', fitted.get('induction'), 'icl suite', behaviour.get('icl'));
  relate('induction', fitted.get('induction'), 'icl_score', fitted.get('icl_score'));
  relate('pos_selectivity', fitted.get('pos_selectivity'), 'syntax suite', behaviour.get('syntax'));
  relate('source_selectivity', fitted.get('source_selectivity'), 'tokens suite', behaviour.get('tokens'));
  if (cka) relations.push(relationOfMidpoints('cka_to_final', cka.midpoints, 'tokens suite', behaviour.get('tokens')));

  const ind = fitted.get('induction')?.analysis;
  const inductionLossBumps =
    ind?.onset && ind.saturation
      ? lossTransitions.filter(
          (t) =>
            t.kind === 'bump' &&
            Math.log10(Math.max(1, t.peakTokens ?? t.tokens)) >= (ind.onset!.lo ?? ind.onset!.value) &&
            Math.log10(Math.max(1, t.tokens)) <= (ind.saturation!.hi ?? ind.saturation!.value),
        )
      : null;
  const statements = relations.map((r) => r.sentence);
  if (inductionLossBumps) {
    statements.push(
      inductionLossBumps.length
        ? `${inductionLossBumps.length} loss bump(s) fall inside the induction-head window: the phase change shows in the loss.`
        : 'no loss bump falls inside the induction-head window.',
    );
  } else
    statements.push(
      'the induction-head curve has no fitted window, so its coincidence with a loss bump is undetermined.',
    );
  return { curves, relations, inductionLossBumps, statements };
}

/** CKA to final (mean over layers), fitted on the point curve and on each row-bootstrap replicate. */
function ckaCurve(across: InterpAcross, seed: number) {
  const mean = (rows: number[][]) => rows.map((ls) => ls.reduce((a, b) => a + b, 0) / ls.length);
  const point = mean(across.cka_final);
  const reps = across.cka_final_replicates.map(mean);
  const s: Series = {
    name: 'cka_to_final',
    what: 'linear CKA with the final checkpoint, mean over layers (intervals: bootstrap over CKA rows)',
    steps: across.steps,
    tokens: across.tokens,
    ids: ['all'],
    values: Float64Array.from(point),
    chance: point[0],
    ceiling: 1,
  };
  const r = analyzeCurves(matrix(s), ['d'], { resamples: 0, rng: Rng.derive(seed, 'cka') }, s.name).d!;
  const x = across.tokens.map((t) => (t > 0 ? Math.log10(t) : -Infinity));
  const finite = x.filter(Number.isFinite);
  const scale = 1 - point[0] || 1;
  const frame = {
    x,
    xFirst: Math.min(...finite),
    xLast: Math.max(...finite),
    ceilingDefined: true,
    noise: 0,
    fit: logisticFitter(x),
  };
  const repMids = reps.map(
    (y) =>
      summarizeCurve(
        y.map((v) => (v - point[0]) / scale),
        frame,
      ).midpointCensored,
  );
  const interval = percentileInterval(repMids, CI_LEVEL);
  if (r.analysis.midpoint) r.analysis.midpoint = { ...r.analysis.midpoint, ...interval };
  return {
    curve: { name: s.name, what: s.what, curve: r.analysis },
    midpoints: { point: r.point?.midpointCensored ?? null, reps: repMids },
  };
}

function relation(a: string, ra: CurveResult | undefined, b: string, rb: CurveResult | undefined): InterpRelation {
  if (!ra?.point || !rb?.point)
    return {
      a,
      b,
      separation: null,
      relation: 'undetermined',
      sentence: `${a} vs ${b}: undetermined (a curve is missing).`,
    };
  return relationOfMidpoints(
    a,
    { point: ra.point.midpointCensored, reps: ra.replicates.map((s) => s.midpointCensored) },
    b,
    rb,
  );
}

function relationOfMidpoints(
  a: string,
  ma: { point: number | null; reps: number[] },
  b: string,
  rb: CurveResult | undefined,
): InterpRelation {
  const mb = rb?.point
    ? { point: rb.point.midpointCensored, reps: rb.replicates.map((s) => s.midpointCensored) }
    : null;
  if (!mb || ma.point === null || !Number.isFinite(ma.point) || !Number.isFinite(mb.point)) {
    return {
      a,
      b,
      separation: null,
      relation: 'undetermined',
      sentence: `${a} vs ${b}: undetermined (a midpoint lies outside the probed checkpoints).`,
    };
  }
  const n = Math.min(ma.reps.length, mb.reps.length);
  const diffs = Array.from({ length: n }, (_, i) => mb.reps[i] - ma.reps[i]);
  const ci = percentileInterval(diffs, CI_LEVEL);
  const value = mb.point - ma.point;
  const rel =
    ci.lo !== null && ci.lo > 0
      ? 'before'
      : ci.hi !== null && ci.hi < 0
        ? 'after'
        : ci.lo === null && ci.hi === null
          ? 'undetermined'
          : 'with';
  const words = {
    before: 'rises before',
    after: 'rises after',
    with: 'rises with',
    undetermined: 'has no resolved order against',
  }[rel];
  const fmt = (v: number | null) => (v === null ? 'open' : v.toFixed(2));
  return {
    a,
    b,
    separation: { value, ...ci },
    relation: rel,
    sentence: `${a} ${words} ${b}: midpoint gap ${value.toFixed(2)} decades [${fmt(ci.lo)}, ${fmt(ci.hi)}].`,
  };
}

/** The run's interp records and across file, validated; null when it has none. */
export function loadInterp(run: string): InterpData | null {
  const p = runPaths(run);
  if (!existsSync(p.interp)) return null;
  const byStep = new Map<number, InterpRecord>();
  for (const r of readJsonlStrict(p.interp, interpRecordSchema)) byStep.set(r.step, r);
  let across: InterpAcross | null = null;
  if (existsSync(p.interpAcross)) {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(p.interpAcross, 'utf8'));
    } catch (err) {
      throw new SlurryError(`${p.interpAcross}: not valid JSON (${(err as Error).message})`);
    }
    across = parseWith(interpAcrossSchema, raw, p.interpAcross);
  }
  return { records: [...byStep.values()], across };
}
