/**
 * `slurry analyze RUN`: from a run directory's probes and metrics to RUN/analysis.json.
 * analyzeRunData is pure (data in, analysis out, every random choice from the seed);
 * analyzeRun adds the file I/O at the edges.
 */
import { CAPABILITY_SUITES, EXPOSURE_SUITES } from '../run/capabilities.js';
import { runPaths } from '../run/layout.js';
import type { InterpData } from '../run/interp-records.js';
import { analyzeInterp, loadInterp } from './interp.js';
import type { ProbeRecord } from '../run/records.js';
import { writeJsonAtomic } from '../util/fs.js';
import { Rng } from '../util/rng.js';
import { analyzeCurves, compareMetrics, insufficiency, type CurveResult } from './capability.js';
import { capabilityItems, selectItems, suiteMatrix, type MetricKind, type SuiteMatrix } from './curves.js';
import {
  DEFAULT_RESAMPLES,
  definitionsRecord,
  MIN_GROUP_ITEMS,
  MIN_ITEMS_FOR_BOOTSTRAP,
  SLOPE_CHANGE_MIN,
  SLOPE_CHANGE_Z,
} from './definitions.js';
import { factsByExposure, groupKeyOf, groupOrder } from './facts.js';
import { loadRun, type RunData } from './load-run.js';
import { analyzeLosses, finiteOrNull } from './losses.js';
import { slopeChanges } from './transitions.js';
import {
  ANALYSIS_VERSION,
  type Analysis,
  type CapabilityAnalysis,
  type Problem,
  type SlopeChange,
  type SuiteGroups,
} from './types.js';
import { decideVerdict } from './verdict.js';

export interface AnalyzeOptions {
  /** Seed of the bootstrap resampling (recorded in analysis.json). Default 0. */
  seed?: number;
  /** Bootstrap resamples over probe items. Default DEFAULT_RESAMPLES (200). */
  resamples?: number;
  /** Metric for the verdict and groups: 'd' discrete (default) or 'c' continuous. */
  primaryMetric?: MetricKind;
  /** The run's interp records (RUN/interp.jsonl, RUN/interp/across.json), to fit on the same timeline. */
  interp?: InterpData;
}

/** The built-in suites in the order of the claimed stages; others follow by name. */
function suiteRank(name: string): [number, string] {
  const i = CAPABILITY_SUITES.indexOf(name);
  return [i < 0 ? CAPABILITY_SUITES.length : i, name];
}

function bySuiteOrder(a: string, b: string): number {
  const [ra, na] = suiteRank(a);
  const [rb, nb] = suiteRank(b);
  return ra - rb || (na < nb ? -1 : na > nb ? 1 : 0);
}

/** Analyses a run directory and writes RUN/analysis.json; returns what it wrote. */
export function analyzeRun(run: string, opts: AnalyzeOptions = {}): Analysis {
  const analysis = analyzeRunData(loadRun(run), { interp: loadInterp(run) ?? undefined, ...opts });
  writeJsonAtomic(runPaths(run).analysis, analysis);
  return analysis;
}

export function analyzeRunData(data: RunData, opts: AnalyzeOptions = {}): Analysis {
  const seed = opts.seed ?? 0;
  const resamples = opts.resamples ?? DEFAULT_RESAMPLES;
  const primary = opts.primaryMetric ?? 'd';
  const other: MetricKind = primary === 'd' ? 'c' : 'd';
  const problems: Problem[] = [...inputProblems(data)];
  const warnings = [...data.warnings];

  const bySuite = new Map<string, ProbeRecord[]>();
  for (const r of data.probes) bySuite.set(r.suite, [...(bySuite.get(r.suite) ?? []), r]);
  const suites = [...bySuite.keys()].sort(bySuiteOrder);

  const capabilities: CapabilityAnalysis[] = [];
  const results = new Map<string, Record<MetricKind, CurveResult>>();
  const groups: SuiteGroups[] = [];
  const slopes: SlopeChange[] = [];
  for (const suite of suites) {
    const all = suiteMatrix(bySuite.get(suite)!);
    warnings.push(...all.warnings);
    // The capability is judged without its control items; the groups chart shows them.
    const m = capabilityItems(all);
    const g = suiteGroups(all, primary, seed, resamples);
    if (g.groups.length > 0) groups.push(g);
    if (m.ids.length === 0) {
      problems.push({
        subject: suite,
        what: 'every item is a control; there is no capability curve to fit',
        fix: 'probe with items outside the control groups (do they fit the model context?)',
      });
      continue;
    }
    if (m.ids.length < MIN_ITEMS_FOR_BOOTSTRAP) {
      warnings.push(`suite ${suite}: only ${m.ids.length} items; bootstrap intervals over so few items are coarse`);
    }
    const rng = Rng.derive(seed, 'bootstrap', suite);
    const r = analyzeCurves(m, ['d', 'c'], { resamples, rng }, `suite '${suite}'`, data.checkpoints.length) as Record<
      MetricKind,
      CurveResult
    >;
    results.set(suite, r);
    const lacking = insufficiency(m, `suite '${suite}'`, data.checkpoints.length);
    if (lacking) problems.push({ subject: suite, ...lacking });
    capabilities.push({
      name: suite,
      items: m.ids.length,
      discrete: r.d.analysis,
      continuous: r.c.analysis,
      metricComparison: compareMetrics(r.d, r.c),
    });
    slopes.push(...curveSlopeChanges(suite, r.d), ...curveSlopeChanges(suite, r.c));
  }

  const inputs = (kind: MetricKind) =>
    suites.flatMap((name) => (results.has(name) ? [{ name, curve: results.get(name)![kind] }] : []));
  const { losses, transitions: lossTransitions } = analyzeLosses(data.train, data.val, data.probes);
  const behaviour = new Map([...results.entries()].map(([name, r]) => [name, r[primary]]));
  const interp = opts.interp?.records.length
    ? analyzeInterp(opts.interp.records, opts.interp.across, behaviour, lossTransitions, seed)
    : undefined;
  return {
    ...(interp ? { interp } : {}),
    version: ANALYSIS_VERSION,
    run: data.run,
    settings: { seed, resamples, primaryMetric: primary },
    definitions: definitionsRecord(),
    checkpoints: probedCheckpoints(data.probes),
    problems,
    warnings,
    capabilities,
    verdict: decideVerdict(inputs(primary), primary),
    verdictOtherMetric: decideVerdict(inputs(other), other),
    transitions: { capabilities: slopes, loss: lossTransitions },
    groups,
    exposure: groups.filter((g) => EXPOSURE_SUITES.includes(g.suite)).flatMap((g) => factsByExposure(g) ?? []),
    losses,
  };
}

function inputProblems(data: RunData): Problem[] {
  const out: Problem[] = [];
  if (!data.present.probes)
    out.push({
      subject: 'probes',
      what: 'no probes.jsonl in the run, so no capability curves',
      fix: 'run `slurry probe RUN`',
    });
  else if (data.probes.length === 0)
    out.push({ subject: 'probes', what: 'probes.jsonl is empty', fix: 'run `slurry probe RUN`' });
  if (!data.present.metrics)
    out.push({
      subject: 'metrics',
      what: 'no metrics.jsonl in the run, so no loss curves',
      fix: 'metrics.jsonl is written by `slurry train`',
    });
  else if (data.train.length === 0)
    out.push({
      subject: 'metrics',
      what: 'metrics.jsonl has no training records',
      fix: 'train the run (`slurry train`)',
    });
  else if (data.val.length === 0)
    out.push({
      subject: 'metrics',
      what: 'metrics.jsonl has no validation records, so no per-source validation curves',
      fix: 'train with validation enabled',
    });
  if (!data.present.samples)
    out.push({
      subject: 'samples',
      what: 'no samples.jsonl in the run, so no sample table',
      fix: 'run `slurry probe RUN`',
    });
  return out;
}

function probedCheckpoints(probes: ProbeRecord[]): { step: number; tokens: number }[] {
  const byStep = new Map<number, number>();
  for (const r of probes) if (!byStep.has(r.step)) byStep.set(r.step, r.tokens);
  return [...byStep.entries()].sort((a, b) => a[0] - b[0]).map(([step, tokens]) => ({ step, tokens }));
}

function curveSlopeChanges(subject: string, curve: CurveResult): SlopeChange[] {
  if (curve.analysis.status === 'insufficient') return [];
  const pts = curve.analysis.points.filter((p) => p.tokens > 0 && Number.isFinite(p.normalized));
  const kinks = slopeChanges(
    pts.map((p) => ({ x: Math.log10(p.tokens), y: p.normalized, se: p.se })),
    SLOPE_CHANGE_MIN,
    SLOPE_CHANGE_Z,
  );
  return kinks.map((k) => ({
    subject,
    metric: curve.analysis.metric,
    metricName: curve.analysis.metricName,
    step: pts[k.index].step,
    tokens: pts[k.index].tokens,
    kind: k.kind,
    slopeBefore: k.slopeBefore,
    slopeAfter: k.slopeAfter,
    z: finiteOrNull(k.z),
  }));
}

/** Every group of a suite with enough items, fitted on its own under the primary metric. */
function suiteGroups(m: SuiteMatrix, primary: MetricKind, seed: number, resamples: number): SuiteGroups {
  const columns = new Map<string, number[]>();
  m.groups.forEach((g, i) => {
    if (g === undefined) return;
    const key = groupKeyOf(m.suite, g);
    columns.set(key, [...(columns.get(key) ?? []), i]);
  });
  const out: SuiteGroups['groups'] = [];
  const mids: { group: string; midpoint: number }[] = [];
  for (const [group, cols] of [...columns.entries()].sort((a, b) => groupOrder(m.suite, a[0], b[0]))) {
    if (cols.length < MIN_GROUP_ITEMS) continue;
    const rng = Rng.derive(seed, 'bootstrap', m.suite, 'group', group);
    const curve = analyzeCurves(
      selectItems(m, cols),
      [primary],
      { resamples, rng },
      `group '${group}' of suite '${m.suite}'`,
    )[primary]!;
    out.push({ group, curve: curve.analysis });
    if (curve.point?.status === 'crossed') mids.push({ group, midpoint: curve.point.midpoint! });
  }
  return { suite: m.suite, groups: out, order: mids.sort((a, b) => a.midpoint - b.midpoint).map((g) => g.group) };
}
