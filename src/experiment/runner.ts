/**
 * An experiment from start to end, as sweep cells in DIR:
 *
 *   DIR/experiment.json     written first (name, scale, seeds); at the end the cells and the answer
 *   DIR/corpora/<name>/     the experiment's corpora, built when missing
 *   DIR/cells/<hash>/       one run per arm and seed (train, probe, analyze), keyed by config hash
 *   DIR/report.md           the answer first, then the question, the design and the numbers
 *
 * Arms without `from` train first; arms with `from` continue from the last checkpoint of
 * that arm's cell at the same seed, so they are planned once those cells are done. Every
 * stage skips what is on disk: the same command after a crash or Ctrl-C goes on where it
 * stopped (finished cells are kept, interrupted ones resume from their last checkpoint).
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import type { Analysis } from '../analysis/types.js';
import { buildCorpus } from '../data/build.js';
import { resolveCheckpointDir } from '../run/checkpoint.js';
import { runPaths } from '../run/layout.js';
import type { SampleRecord } from '../run/records.js';
import { sampleRecordSchema } from '../run/schemas.js';
import type { SweepEvents } from '../sweep/events.js';
import { runLocalPool, type PoolResult } from '../sweep/local-pool.js';
import { planCell, type PlannedCell } from '../sweep/plan.js';
import { corpusInfoReader, pendingJobs } from '../sweep/sweep.js';
import { SlurryError } from '../util/errors.js';
import { writeFileAtomic, writeJsonAtomic } from '../util/fs.js';
import { jsonObject, readJsonFile } from '../util/json.js';
import { readJsonlStrict } from '../util/jsonl.js';
import type { ProgressMode } from '../util/progress.js';
import { renderReport } from './report.js';
import type { Answer, Arm, Experiment, MeasuredRun, Scale } from './types.js';

export const EXPERIMENT_VERSION = 1;

export interface ExperimentOptions {
  out: string;
  scale: Scale;
  seeds: number;
  workers: number;
  threads?: number;
  progress: ProgressMode;
  log: (line: string) => void;
  /** The progress view of one wave of cells (the CLI's sweep view). */
  events: (total: number, alreadyDone: number) => SweepEvents & { close(summary: string): void };
  /** Receives the pool's stop() while cells run (the CLI calls it on SIGINT/SIGTERM). */
  onPool?: (stop: (() => void) | null) => void;
}

export interface ExperimentResult {
  dir: string;
  answer: Answer;
  report: string;
  cells: CellEntry[];
  seconds: number;
}

interface CellEntry {
  arm: string;
  seed: number;
  hash: string;
  dir: string;
}

const markerSchema = z.object({ version: z.number(), name: z.string(), scale: z.string() }).loose();
export const experimentJsonPath = (dir: string) => join(dir, 'experiment.json');

/** Refuses a directory that holds another experiment (or this one at another scale). */
export function checkOutDir(dir: string, experiment: Experiment, scale: Scale): void {
  const path = experimentJsonPath(dir);
  if (!existsSync(path)) return;
  const held = readJsonFile(path, markerSchema, `give --out a new directory`);
  if (held.name !== experiment.name)
    throw new SlurryError(
      `--out ${dir}: holds the experiment "${held.name}" (${path}); give another directory for "${experiment.name}"`,
    );
  if (held.scale !== scale)
    throw new SlurryError(
      `--out ${dir}: holds "${held.name}" at --scale ${held.scale}; rerun with --scale ${held.scale} or give another directory`,
    );
}

export function checkSeeds(seeds: number): void {
  if (!Number.isSafeInteger(seeds) || seeds < 1) throw new SlurryError(`--seeds ${seeds}: expected an integer >= 1`);
}

export async function runExperiment(experiment: Experiment, opts: ExperimentOptions): Promise<ExperimentResult> {
  const t0 = performance.now();
  checkSeeds(opts.seeds);
  const dir = resolve(opts.out);
  checkOutDir(dir, experiment, opts.scale);
  const marker = { version: EXPERIMENT_VERSION, name: experiment.name, scale: opts.scale, seeds: opts.seeds };
  writeJsonAtomic(experimentJsonPath(dir), { ...marker, status: 'running' });

  const corpora = await buildCorpora(experiment, dir, opts);
  const arms = experiment.arms(opts.scale);
  checkArms(experiment, arms, corpora);
  const seeds = Array.from({ length: opts.seeds }, (_, s) => s);
  const cells: (CellEntry & { planned: PlannedCell })[] = [];
  const info = corpusInfoReader();
  for (const wave of [arms.filter((a) => !a.from), arms.filter((a) => a.from)]) {
    if (wave.length === 0) continue;
    const planned = wave.flatMap((arm) =>
      seeds.map((seed) => {
        const corpus = corpora[arm.corpus ?? Object.keys(corpora)[0]];
        const from = arm.from ? cells.find((c) => c.arm === arm.from && c.seed === seed)! : null;
        const fromCheckpoint = from ? resolveCheckpointDir(join(dir, from.dir)) : null;
        const config = arm.config({ scale: opts.scale, seed, corpus: info(corpus), fromCheckpoint });
        const base = { ...experiment.base(opts.scale), corpus };
        const cell = planCell(
          base,
          { ...config, seed },
          { where: `experiment ${experiment.name}, arm ${arm.name}`, corpus: info },
        );
        cell.label = `${arm.name} seed=${seed}`;
        return { arm: arm.name, seed, hash: cell.hash, dir: cell.dir, planned: cell };
      }),
    );
    cells.push(...planned);
    await runWave(
      dir,
      planned.map((c) => c.planned),
      experiment.suites(opts.scale),
      opts,
    );
  }

  const runs: MeasuredRun[] = cells.map((c) => ({
    arm: c.arm,
    seed: c.seed,
    dir: join(dir, c.dir),
    analysis: readJsonFile(
      runPaths(join(dir, c.dir)).analysis,
      jsonObject,
      `run \`slurry analyze ${join(dir, c.dir)}\``,
    ) as unknown as Analysis,
    samples: readSamples(join(dir, c.dir)),
  }));
  const answer = experiment.answer(runs);
  const entries = cells.map(({ planned: _, ...c }) => c);
  const report = join(dir, 'report.md');
  writeFileAtomic(report, renderReport(experiment, answer, { scale: opts.scale, seeds: opts.seeds, cells: entries }));
  const seconds = (performance.now() - t0) / 1000;
  writeJsonAtomic(experimentJsonPath(dir), {
    ...marker,
    status: 'done',
    question: experiment.question,
    design: experiment.design,
    arms: arms.map((a) => ({ name: a.name, corpus: a.corpus ?? Object.keys(corpora)[0], from: a.from ?? null })),
    cells: entries,
    answer,
    seconds,
  });
  return { dir, answer, report, cells: entries, seconds };
}

function readSamples(run: string): SampleRecord[] {
  const path = runPaths(run).samples;
  return existsSync(path) ? readJsonlStrict(path, sampleRecordSchema) : [];
}

/** Each corpus at DIR/corpora/<name>, built the first time; name -> absolute path. */
async function buildCorpora(
  experiment: Experiment,
  dir: string,
  opts: ExperimentOptions,
): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [name, config] of Object.entries(experiment.corpora(opts.scale))) {
    const path = join(dir, 'corpora', name);
    if (!existsSync(join(path, 'manifest.json'))) {
      opts.log(`corpus ${name}: building into ${path}`);
      await buildCorpus({ config, out: path, progress: opts.progress, log: opts.log, force: existsSync(path) });
    }
    out[name] = path;
  }
  return out;
}

/** A module's arms must name its corpora and earlier arms: a programming error otherwise. */
function checkArms(experiment: Experiment, arms: readonly Arm[], corpora: Record<string, string>): void {
  for (const arm of arms) {
    if (arm.corpus !== undefined && !(arm.corpus in corpora))
      throw new Error(`experiment ${experiment.name}: arm ${arm.name} names corpus ${arm.corpus}, which it lacks`);
    if (arm.from !== undefined && !arms.some((a) => a.name === arm.from && !a.from))
      throw new Error(`experiment ${experiment.name}: arm ${arm.name} continues ${arm.from}, not a first-wave arm`);
  }
}

async function runWave(
  dir: string,
  cells: readonly PlannedCell[],
  suites: string[],
  opts: ExperimentOptions,
): Promise<void> {
  const { jobs, alreadyDone } = pendingJobs(dir, cells, suites);
  opts.log(`${cells.length} cells, ${alreadyDone} already done, ${jobs.length} to run`);
  const view = opts.events(cells.length, alreadyDone);
  const pool = runLocalPool(jobs, { workers: opts.workers, threads: opts.threads, events: view });
  opts.onPool?.(() => pool.stop());
  let r: PoolResult;
  try {
    r = await pool.result;
  } finally {
    opts.onPool?.(null);
  }
  view.close(`${r.done.length} run, ${r.failed.length} failed`);
  if (r.interrupted)
    throw new SlurryError('interrupted; run the same command again to continue (finished cells are kept)', 130);
  if (r.failed.length)
    throw new SlurryError(
      `${r.failed.length} cell(s) failed (rerun to retry them): ${r.failed.map((f) => `${f.hash}: ${f.message}`).join('; ')}`,
    );
}
