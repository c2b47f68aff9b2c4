/**
 * Probing a run: every checkpoint in RUN/checkpoints/index.json that lacks a record of a
 * requested suite gets one, appended to RUN/probes.jsonl (samples to RUN/samples.jsonl)
 * suite by suite, so a crash loses at most the suite in progress and a rerun continues
 * where it stopped (idempotent: what is recorded is never probed again). A checkpoint that
 * is missing or damaged is reported by name and the others are still probed. One process
 * probes a run at a time (RUN/probes.lock).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { openCheckpoint } from '../model/load-checkpoint.js';
import type { GPT } from '../model/gpt.js';
import { readCheckpointIndex } from '../run/checkpoint.js';
import { checkpointDirName, runPaths } from '../run/layout.js';
import { lockRun, type LockWait } from '../run/lock.js';
import type { CheckpointEntry, ProbeFailureRecord, ProbeRecord, SampleRecord } from '../run/records.js';
import { SlurryError } from '../util/errors.js';
import { jsonObject, readJsonFile } from '../util/json.js';
import { ensureItemFiles } from './item-cache.js';
import { appendJsonl, repairTornTail, type BadRowPolicy } from '../util/jsonl.js';
import { prepareFileSuite, type SuiteSpec } from './registry.js';
import type { PreparedSuite, SuiteOutcome } from './suite.js';
import type { Tokenizer } from '../data/tokenizer/tokenizer.js';

export interface ProbeOptions {
  suites: readonly SuiteSpec[];
  /** Rows of external suite files that do not parse: refuse the file or skip the row. */
  badRows: BadRowPolicy;
  /** Corpus to build the built-in items from (default: the run's config.json `corpus`). */
  corpus?: string;
  /** Where the built-in items are cached (default RUN/probe-items). */
  itemsDir?: string;
  /** Probe only these steps (inline probing of a new checkpoint). */
  steps?: readonly number[];
  /** Warnings and failures, one line each. */
  log: (line: string) => void;
  /** After each checkpoint: how many of the checkpoints with work are done, and each suite's time. */
  progress?: (p: { done: number; total: number; step: number; note: string }) => void;
  /** Wait this long for another process's probes.lock on the run instead of refusing at once. */
  lockWait?: LockWait;
}

export interface ProbeRunResult {
  probed: { step: number; suites: string[]; seconds: number }[];
  /**
   * Checkpoints (or one suite on a checkpoint: `suite`) that could not be probed, with the
   * reason; each is also appended to RUN/probe-failures.jsonl and left unrecorded in
   * probes.jsonl, so the next `slurry probe RUN` tries again.
   */
  failed: ProbeFailure[];
  /** Checkpoints with every requested suite already recorded. */
  upToDate: number;
}

export interface ProbeFailure {
  step: number;
  dir: string;
  suite?: string;
  message: string;
}

/** Appends a failure to RUN/probe-failures.jsonl. */
export function recordProbeFailure(run: string, failure: ProbeFailure): void {
  const record: ProbeFailureRecord = {
    step: failure.step,
    ...(failure.suite !== undefined ? { suite: failure.suite } : {}),
    message: failure.message,
    time: new Date().toISOString(),
  };
  appendJsonl(runPaths(run).probeFailures, [record]);
}

/** An error's message; a bug (not a SlurryError) keeps its class name and first frame, to be findable. */
export function describeFailure(err: unknown): string {
  if (err instanceof SlurryError) return err.message;
  if (!(err instanceof Error)) return String(err);
  const frame = err.stack
    ?.split('\n')
    .find((l) => l.trim().startsWith('at '))
    ?.trim();
  return `${err.name}: ${err.message}${frame ? ` (${frame})` : ''}`;
}

/**
 * (step, suite) pairs already recorded in an append-only log; a torn last line (a crash
 * mid-append) is cut off first, other unreadable lines are reported and ignored.
 */
export function recordedKeys(
  file: string,
  keyOf: (row: Record<string, unknown>) => string | null,
  log: (line: string) => void,
): Set<string> {
  const done = new Set<string>();
  const torn = repairTornTail(file);
  if (torn !== null)
    log(
      `${file}: removed an incomplete last line (${torn.length} bytes, a crash mid-write); its checkpoint is probed again`,
    );
  if (!existsSync(file)) return done;
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      if (line.trim() === '') return;
      let key: string | null = null;
      try {
        key = keyOf(JSON.parse(line));
      } catch {
        key = null;
      }
      if (key === null) log(`${file}:${i + 1}: not a record this command wrote; ignored`);
      else done.add(key);
    });
  return done;
}

const probeKey = (step: unknown, suite: unknown) =>
  typeof step === 'number' && typeof suite === 'string' ? `${step}/${suite}` : null;

/** The corpus directory a run was trained on (RUN/config.json `corpus`). */
export function runCorpus(run: string): string {
  const path = runPaths(run).config;
  if (!existsSync(path)) throw new SlurryError(`${path}: missing; pass --corpus DIR to build the probe items`);
  const corpus = readJsonFile(path, jsonObject).corpus;
  if (typeof corpus !== 'string') throw new SlurryError(`${path}: no "corpus" directory recorded; pass --corpus DIR`);
  for (const candidate of [corpus, resolve(run, corpus)]) if (existsSync(candidate)) return candidate;
  throw new SlurryError(`${path}: corpus ${corpus} does not exist; pass --corpus DIR`);
}

/**
 * Prepares the requested suites for checkpoints with this tokenizer and context length:
 * built-in items come from (or are first built into) `itemsDir`.
 */
export function prepareSuites(
  specs: readonly SuiteSpec[],
  tokenizer: Tokenizer,
  context: number,
  itemsDir: string,
  corpus: () => string,
  opts: Pick<ProbeOptions, 'badRows' | 'log'>,
): PreparedSuite[] {
  const builtins = specs.flatMap((s) => (s.kind === 'builtin' ? [s.def] : []));
  const files = ensureItemFiles(itemsDir, builtins, () => ({ corpus: corpus(), context }), opts.log);
  // Built-in item files are this program's own output: a bad row there is refused.
  return specs.map((s) =>
    s.kind === 'builtin'
      ? s.def.prepare(files.get(s.name)!, tokenizer, 'refuse')
      : prepareFileSuite(s.name, s.path, tokenizer, context, opts.badRows, opts.log),
  );
}

/** Runs one prepared suite; the record keeps only finite summary metrics. */
export function runSuite(suite: PreparedSuite & { kind: 'probe' }, model: GPT): SuiteOutcome {
  const outcome = suite.run(model);
  outcome.metrics = Object.fromEntries(Object.entries(outcome.metrics).filter(([, v]) => Number.isFinite(v)));
  return outcome;
}

export function probeRun(run: string, opts: ProbeOptions): ProbeRunResult {
  const index = readCheckpointIndex(run).filter((e) => !opts.steps || opts.steps.includes(e.step));
  // One prober per run at a time (say `slurry probe RUN` while training probes inline).
  const unlock = lockRun(runPaths(run).probesLock, run, 'probing', opts.lockWait);
  try {
    return probeCheckpoints(run, index, opts);
  } finally {
    unlock();
  }
}

function probeCheckpoints(run: string, index: readonly CheckpointEntry[], opts: ProbeOptions): ProbeRunResult {
  const paths = runPaths(run);
  const probeDone = recordedKeys(paths.probes, (r) => probeKey(r.step, r.suite), opts.log);
  const sampleDone = recordedKeys(paths.samples, (r) => probeKey(r.step, 'samples'), opts.log);
  const isDone = (step: number, suite: string) =>
    (suite === 'samples' ? sampleDone : probeDone).has(`${step}/${suite}`);
  const result: ProbeRunResult = { probed: [], failed: [], upToDate: 0 };
  const work = index.map((entry) => ({ entry, pending: opts.suites.filter((s) => !isDone(entry.step, s.name)) }));
  result.upToDate = work.filter((w) => w.pending.length === 0).length;
  const todo = work.filter((w) => w.pending.length > 0);
  let prepared: PreparedSuite[] | null = null;
  if (todo.length) opts.progress?.({ done: 0, total: todo.length, step: todo[0].entry.step, note: '' });
  const fail = (failure: ProbeFailure) => {
    opts.log(`step ${failure.step}: ${failure.suite ?? 'checkpoint'} not probed: ${failure.message}`);
    result.failed.push(failure);
    recordProbeFailure(run, failure);
  };
  for (const [k, { entry, pending }] of todo.entries()) {
    const dir = join(paths.checkpoints, entry.dir || checkpointDirName(entry.step));
    let model: GPT;
    let tokenizer: Tokenizer;
    try {
      ({ model, tokenizer } = openCheckpoint(dir));
    } catch (err) {
      if (!(err instanceof SlurryError)) throw err;
      fail({ step: entry.step, dir, message: err.message });
      opts.progress?.({ done: k + 1, total: todo.length, step: entry.step, note: `step ${entry.step} failed` });
      continue;
    }
    prepared ??= prepareSuites(
      opts.suites,
      tokenizer,
      model.config.n_positions,
      opts.itemsDir ?? runPaths(run).probeItems,
      () => opts.corpus ?? runCorpus(run),
      opts,
    );
    const t0 = performance.now();
    const times: string[] = [];
    const done: string[] = [];
    // One suite failing (a bug, a bad item) leaves the others' records intact.
    for (const suite of prepared.filter((p) => pending.some((s) => s.name === p.name))) {
      const ts = performance.now();
      // A suite that throws is recorded as failed; a record that cannot be written (no space
      // left, an I/O error) stops the whole probe, since every later one would fail alike.
      let write: () => void;
      try {
        if (suite.kind === 'samples') {
          const record: SampleRecord = { step: entry.step, tokens: entry.tokens, samples: suite.run(model) };
          write = () => appendJsonl(paths.samples, [record]);
        } else {
          const record: ProbeRecord = { step: entry.step, tokens: entry.tokens, ...runSuite(suite, model) };
          write = () => appendJsonl(paths.probes, [record]);
        }
      } catch (err) {
        fail({ step: entry.step, dir, suite: suite.name, message: describeFailure(err) });
        times.push(`${suite.name} failed`);
        continue;
      }
      write();
      done.push(suite.name);
      times.push(`${suite.name} ${((performance.now() - ts) / 1000).toFixed(1)}s`);
    }
    const seconds = (performance.now() - t0) / 1000;
    if (done.length) result.probed.push({ step: entry.step, suites: done, seconds });
    opts.progress?.({
      done: k + 1,
      total: todo.length,
      step: entry.step,
      note: `step ${entry.step}: ${times.join(', ')}`,
    });
  }
  return result;
}

/** The run a checkpoint directory belongs to (RUN/checkpoints/step-N), or null. */
export function runOfCheckpoint(dir: string): string | null {
  const run = dirname(dirname(resolve(dir)));
  return existsSync(runPaths(run).checkpointIndex) || existsSync(runPaths(run).config) ? run : null;
}
