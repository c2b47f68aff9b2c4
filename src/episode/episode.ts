/**
 * An episode is slurry's whole experiment from one command: build the corpus, train,
 * probe every checkpoint, analyse, write the report. Each stage writes into the episode
 * directory and is skipped or resumed when its output is already there, so an interrupted
 * episode continues where it stopped:
 *
 *   EPISODE/corpus/          `slurry data build` output
 *   EPISODE/run/             the training run (probes, analysis, report inside)
 *   EPISODE/runs/<schedule>/ with --compare: one run per data schedule at equal tokens
 *   EPISODE/report/          with --compare: the comparison report
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { analyzeRun } from '../analysis/analyze-run.js';
import type { Analysis } from '../analysis/types.js';
import { buildCorpus } from '../data/build.js';
import { presetConfig, type PresetName } from '../data/config.js';
import { resolveSuites } from '../probes/registry.js';
import { probeRun } from '../probes/runner.js';
import { writeReport } from '../report/write-report.js';
import { runPaths } from '../run/layout.js';
import { layeredConfig } from '../train/config-file.js';
import { train, type TrainOptions } from '../train/trainer.js';
import { SlurryError } from '../util/errors.js';
import { startProgress, type ProgressMode } from '../util/progress.js';

/** The data schedules `--compare` trains at equal tokens (the compare-* training presets). */
export const COMPARE_SCHEDULES = ['mix', 'staged', 'anneal', 'adaptive'] as const;

export interface EpisodeOptions {
  preset: PresetName;
  /** The episode directory. */
  out: string;
  /** Train one run per data schedule and compare them instead of one run. */
  compare?: boolean;
  seed?: number;
  progress?: ProgressMode;
  /** One line per stage (default: stderr). */
  log?: (line: string) => void;
  /** Hooks into training's progress (the CLI draws its bar with them). */
  trainHooks?: Pick<TrainOptions, 'onStart' | 'onProgress' | 'log'> & { onDone?: (finalLoss: number) => void };
}

export interface EpisodeResult {
  corpus: string;
  runs: { label: string; dir: string; analysis: Analysis }[];
  report: string;
  seconds: number;
}

export async function runEpisode(opts: EpisodeOptions): Promise<EpisodeResult> {
  const t0 = performance.now();
  const out = resolve(opts.out);
  const log = opts.log ?? ((line: string) => process.stderr.write(`slurry: ${line}\n`));
  const progress = opts.progress ?? 'auto';
  if (opts.compare && opts.preset !== 'quick') {
    throw new SlurryError(`--compare trains the quick model under each schedule; use it with --preset quick (got ${opts.preset})`);
  }

  const corpus = join(out, 'corpus');
  if (existsSync(join(corpus, 'manifest.json'))) {
    log(`corpus: reusing ${corpus}`);
  } else {
    log(`corpus: building the ${opts.preset} corpus into ${corpus}`);
    await buildCorpus({ config: presetConfig(opts.preset), out: corpus, progress, log });
  }

  const plans = opts.compare
    ? COMPARE_SCHEDULES.map((s) => ({ label: s, preset: `compare-${s}`, dir: join(out, 'runs', s) }))
    : [{ label: opts.preset, preset: opts.preset, dir: join(out, 'run') }];

  const runs: EpisodeResult['runs'] = [];
  for (const plan of plans) {
    const resume = existsSync(runPaths(plan.dir).config);
    log(`train ${plan.label}: ${resume ? 'continuing' : 'starting'} ${plan.dir}`);
    const overrides: Record<string, unknown> = { corpus };
    if (opts.seed !== undefined) overrides.seed = opts.seed;
    const config = resume ? undefined : layeredConfig({ preset: plan.preset, overrides });
    const { onDone, ...hooks } = opts.trainHooks ?? {};
    const trained = await train(config, { out: plan.dir, resume, where: `--preset ${plan.preset}`, ...hooks });
    onDone?.(trained.finalLoss);

    log(`probe ${plan.label}: every checkpoint`);
    let bar: ReturnType<typeof startProgress> | null = null;
    const probed = probeRun(plan.dir, {
      suites: resolveSuites([]),
      badRows: 'refuse',
      corpus,
      log,
      progress: (p) => {
        bar ??= startProgress('probe', { total: p.total, unit: 'checkpoints', mode: progress });
        bar.update(p.done, p.note);
      },
    });
    (bar as ReturnType<typeof startProgress> | null)?.done();
    if (probed.failed.length) log(`probe ${plan.label}: ${probed.failed.length} probe(s) failed (see above; rerun to retry them)`);

    log(`analyze ${plan.label}`);
    runs.push({ label: plan.label, dir: plan.dir, analysis: analyzeRun(plan.dir) });
  }

  const reportDir = opts.compare ? join(out, 'report') : runPaths(plans[0].dir).reportDir;
  log(`report: writing ${reportDir}`);
  const report = await writeReport(runs.map((r) => r.dir), { outDir: reportDir });
  for (const w of report.warnings) log(`report: ${w}`);
  return { corpus, runs, report: report.index, seconds: (performance.now() - t0) / 1000 };
}
