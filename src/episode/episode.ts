/**
 * An episode is slurry's whole experiment from one command: build the corpus, train,
 * probe every checkpoint, analyse, write the report. Each stage writes into the episode
 * directory and is skipped or resumed when its output is already there, so an interrupted
 * episode continues where it stopped:
 *
 *   EPISODE/corpus/          `slurry data build` output
 *   EPISODE/run/             the training run (probes, analysis, report inside)
 *   EPISODE/runs/<schedule>/ with --compare: one run per data schedule at equal tokens
 *   EPISODE/report/          with --compare or --seeds: the report over every run
 *   EPISODE/seeds/seed-<s>/  with --seeds N: one run per seed (initialisation and data order)
 *   EPISODE/seeds.json       with --seeds N: verdicts and midpoints side by side and across seeds
 *
 * Bad input (a seed count, a suite file that is missing, malformed, or has items longer
 * than the model's context) is refused before anything is trained: rows before the corpus
 * is built, lengths (which need its tokenizer) right after.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { analyzeRun } from '../analysis/analyze-run.js';
import { aggregateSeeds, type SeedsAnalysis } from '../analysis/seeds.js';
import type { Analysis } from '../analysis/types.js';
import { buildCorpus } from '../data/build.js';
import { presetConfig, type BuildConfig } from '../data/config.js';
import { openCorpus } from '../data/corpus.js';
import { readItemFile } from '../probes/items.js';
import { BUILTIN_SUITES, prepareFileSuite, resolveSuites, type SuiteSpec } from '../probes/registry.js';
import { probeRun } from '../probes/runner.js';
import { writeReport } from '../report/write-report.js';
import { runPaths } from '../run/layout.js';
import { kernels } from '../engine/backend.js';
import { checkResumePrecision, type PrecisionChoice } from '../engine/precision.js';
import { layeredConfig } from '../train/config-file.js';
import { parseTrainConfig } from '../train/config.js';
import { train, type TrainOptions } from '../train/trainer.js';
import { SlurryError } from '../util/errors.js';
import { writeJsonAtomic } from '../util/fs.js';
import { startProgress, type ProgressMode } from '../util/progress.js';
import { EPISODE_PRESETS, type EpisodePresetName } from './presets.js';

/** The data schedules `--compare` trains at equal tokens (the compare-* training presets). */
export const COMPARE_SCHEDULES = ['mix', 'staged', 'anneal', 'adaptive'] as const;

export interface EpisodeOptions {
  preset: EpisodePresetName;
  /** The episode directory. */
  out: string;
  /** Train one run per data schedule and compare them instead of one run. */
  compare?: boolean;
  /** Seed of the (first) run: initialisation and data order. */
  seed?: number;
  /** Runs of the same config with seeds seed, seed + 1, ... (default 1: one run in EPISODE/run). */
  seeds?: number;
  /** External suite files (BLiMP minimal pairs or cloze items), probed at every checkpoint beside the built-ins. */
  suiteFiles?: readonly string[];
  /** Built-in suites to probe (default: every one). */
  builtinSuites?: readonly string[];
  /** The corpus to build (default: the preset's). */
  corpusConfig?: BuildConfig;
  /** Training config keys over the preset's (a smaller model, fewer steps). */
  trainOverrides?: Record<string, unknown>;
  /** Arithmetic of the matrix products (default: the preset's); a continued run must keep its own. */
  precision?: PrecisionChoice;
  progress?: ProgressMode;
  /** One line per stage (default: stderr). */
  log?: (line: string) => void;
  /** Hooks into training's progress (the CLI draws its bar with them). */
  trainHooks?: Pick<TrainOptions, 'onStart' | 'onProgress' | 'log'> & { onDone?: (finalLoss: number) => void };
}

export interface EpisodeResult {
  corpus: string;
  runs: { label: string; dir: string; analysis: Analysis }[];
  /** With more than one seed: the runs side by side and across seeds (also EPISODE/seeds.json). */
  seeds: SeedsAnalysis | null;
  report: string;
  seconds: number;
}

interface Plan {
  label: string;
  preset: string;
  dir: string;
  /** The seed this run must use (initialisation and data order); undefined: the preset's. */
  seed?: number;
}

/** The runs an episode trains. */
function plans(opts: EpisodeOptions, out: string, seeds: number): Plan[] {
  if (opts.compare)
    return COMPARE_SCHEDULES.map((s) => ({
      label: s,
      preset: `compare-${s}`,
      dir: join(out, 'runs', s),
      seed: opts.seed,
    }));
  const preset = EPISODE_PRESETS[opts.preset].train;
  if (seeds === 1) return [{ label: opts.preset, preset, dir: join(out, 'run'), seed: opts.seed }];
  const first = opts.seed ?? 0;
  return Array.from({ length: seeds }, (_, k) => {
    const seed = first + k;
    return { label: `seed-${seed}`, preset, dir: join(out, 'seeds', `seed-${seed}`), seed };
  });
}

/** Checks what can be checked before anything is written; returns the suites to probe. */
function checkInput(opts: EpisodeOptions): { seeds: number; suites: SuiteSpec[] } {
  const seeds = opts.seeds ?? 1;
  if (!Number.isSafeInteger(seeds) || seeds < 1)
    throw new SlurryError(`--seeds ${opts.seeds}: expected an integer >= 1`);
  if (opts.compare && opts.preset !== 'quick') {
    throw new SlurryError(
      `--compare trains the quick model under each schedule; use it with --preset quick (got ${opts.preset})`,
    );
  }
  if (opts.compare && seeds > 1)
    throw new SlurryError('--seeds with --compare: give one of them (seeds of one config, or one run per schedule)');
  const files = opts.suiteFiles ?? [];
  for (const f of files)
    if (!f.endsWith('.jsonl'))
      throw new SlurryError(`--suite ${f}: expected a .jsonl file of BLiMP pairs or cloze items`);
  const suites = resolveSuites([...(opts.builtinSuites ?? BUILTIN_SUITES.map((s) => s.name)), ...files]);
  // Every row must parse now, before the corpus is built.
  for (const s of suites) if (s.kind === 'file') readItemFile(s.path, 'refuse');
  return { seeds, suites };
}

/** The context of the model a plan trains (what probe items must fit). */
function modelContext(plan: Plan, config: Record<string, unknown> | undefined): number {
  if (config) {
    const c = parseTrainConfig(config, `--preset ${plan.preset}`);
    return c.model.n_positions ?? c.context;
  }
  const saved = JSON.parse(readFileSync(runPaths(plan.dir).config, 'utf8')) as { model: { n_positions: number } };
  return saved.model.n_positions;
}

export async function runEpisode(opts: EpisodeOptions): Promise<EpisodeResult> {
  const t0 = performance.now();
  const out = resolve(opts.out);
  const log = opts.log ?? ((line: string) => process.stderr.write(`slurry: ${line}\n`));
  const progress = opts.progress ?? 'auto';
  const { seeds, suites } = checkInput(opts);
  const planned = plans(opts, out, seeds).map((plan) => ({ ...plan, resume: existsSync(runPaths(plan.dir).config) }));
  // A continued run keeps its precision: a --precision it does not train in is refused before the corpus.
  if (opts.precision)
    for (const plan of planned) if (plan.resume) checkResumePrecision(plan.dir, opts.precision, kernels());

  const corpus = join(out, 'corpus');
  if (existsSync(join(corpus, 'manifest.json'))) {
    log(`corpus: reusing ${corpus}`);
  } else {
    const corpusPreset = EPISODE_PRESETS[opts.preset].corpus;
    log(`corpus: building the ${corpusPreset} corpus into ${corpus}`);
    await buildCorpus({ config: opts.corpusConfig ?? presetConfig(corpusPreset), out: corpus, progress, log });
  }

  const runPlans = planned.map((plan) => {
    const overrides: Record<string, unknown> = { corpus, ...opts.trainOverrides };
    if (opts.precision) overrides.precision = opts.precision;
    // A seed sets both the initialisation and the data order, both recorded in config.json.
    if (plan.seed !== undefined) Object.assign(overrides, { seed: plan.seed, data: { seed: plan.seed } });
    return { ...plan, config: plan.resume ? undefined : layeredConfig({ preset: plan.preset, overrides }) };
  });
  const files = suites.filter((s) => s.kind === 'file');
  if (files.length) {
    // Item lengths need the tokenizer: checked before any training.
    const { tokenizer } = openCorpus(corpus);
    for (const context of new Set(runPlans.map((p) => modelContext(p, p.config)))) {
      for (const f of files) prepareFileSuite(f.name, f.path, tokenizer, context, 'refuse', log);
    }
  }

  const runs: EpisodeResult['runs'] = [];
  for (const plan of runPlans) {
    log(`train ${plan.label}: ${plan.resume ? 'continuing' : 'starting'} ${plan.dir}`);
    const { onDone, ...hooks } = opts.trainHooks ?? {};
    const trained = await train(plan.config, {
      out: plan.dir,
      resume: plan.resume,
      where: `--preset ${plan.preset}`,
      ...hooks,
    });
    onDone?.(trained.finalLoss);

    log(`probe ${plan.label}: every checkpoint`);
    let bar: ReturnType<typeof startProgress> | null = null;
    const probed = probeRun(plan.dir, {
      suites,
      badRows: 'refuse',
      corpus,
      log,
      progress: (p) => {
        bar ??= startProgress('probe', { total: p.total, unit: 'checkpoints', mode: progress });
        bar.update(p.done, p.note);
      },
    });
    (bar as ReturnType<typeof startProgress> | null)?.done();
    if (probed.failed.length)
      log(`probe ${plan.label}: ${probed.failed.length} probe(s) failed (see above; rerun to retry them)`);

    log(`analyze ${plan.label}`);
    runs.push({ label: plan.label, dir: plan.dir, analysis: analyzeRun(plan.dir) });
  }

  let seedsAnalysis: SeedsAnalysis | null = null;
  if (seeds > 1) {
    seedsAnalysis = aggregateSeeds(
      runs.map((r, k) => ({ label: r.label, seed: runPlans[k].seed!, analysis: r.analysis })),
    );
    writeJsonAtomic(join(out, 'seeds.json'), seedsAnalysis);
  }
  const reportDir = runs.length > 1 ? join(out, 'report') : runPaths(runs[0].dir).reportDir;
  log(`report: writing ${reportDir}`);
  const report = await writeReport(
    runs.map((r) => r.dir),
    { outDir: reportDir, seeds: seedsAnalysis ?? undefined },
  );
  for (const w of report.warnings) log(`report: ${w}`);
  return { corpus, runs, seeds: seedsAnalysis, report: report.index, seconds: (performance.now() - t0) / 1000 };
}
