/**
 * Everything that happens before the first step: validating the config against the corpus,
 * creating the run directory (a fresh run) or finding and checking the last checkpoint (a
 * resume). Every refusal (a bad key, a missing corpus, an existing run, an edited config, a
 * damaged checkpoint) is a SlurryError raised here, before any training.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { kernels } from '../engine/backend.js';
import { readModelConfig } from '../model/checkpoint.js';
import type { GPTConfig } from '../model/config.js';
import { GPT } from '../model/gpt.js';
import { checkpointEntry, listCheckpointSteps, removeTornCheckpoints } from '../run/checkpoint.js';
import { checkpointDir, checkpointDirName, runPaths, STATE_FILE, TOKENIZER_FILE } from '../run/layout.js';
import type { CheckpointEntry } from '../run/records.js';
import { SlurryError } from '../util/errors.js';
import { writeJsonAtomic } from '../util/fs.js';
import { jsonObject, readJsonFile } from '../util/json.js';
import {
  newestGoodCheckpoint,
  readCheckpointModel,
  readTrainingState,
  restoreOptimizer,
  type TrainingState,
} from './checkpoint-io.js';
import { describeDifference, firstDifference } from './config-diff.js';
import { parseTrainConfig, resolveTrainConfig, type ResolvedTrainConfig } from './config.js';
import { makeOptimizer, type Optimizer } from './optimizer.js';
import type { TrainingData } from './training-data.js';

/** Opens the corpus at a directory (the trainer's default: the corpus of `slurry data build`). */
export type DataOpener = (dir: string) => TrainingData;

export interface RunSetup {
  run: string;
  config: ResolvedTrainConfig;
  data: TrainingData;
  model: GPT;
  optimizer: Optimizer;
  /** The state to continue from (step 0 for a fresh run). */
  state: TrainingState;
  /** Checkpoints already on disk (a resume). */
  checkpoints: CheckpointEntry[];
  /** True when the run continues from a checkpoint. */
  resumed: boolean;
}

export interface SetupOptions {
  /** Names the config's origin in errors (e.g. the YAML file). */
  where?: string;
  data?: TrainingData;
  openData: DataOpener;
  /** Takes the run's train lock (called before anything is written, or read on a resume). */
  lock?: () => void;
  /** One-line warnings (a checkpoint skipped on resume). */
  warn?: (line: string) => void;
}

/** A new run in an empty (or absent) directory. */
export function setupFresh(raw: unknown, run: string, o: SetupOptions): RunSetup {
  const where = o.where ?? 'config';
  const paths = runPaths(run);
  if (existsSync(paths.config) || existsSync(paths.metrics) || existsSync(paths.checkpoints)) {
    throw new SlurryError(`${run}: already holds a run (use --resume to continue it, or another --out)`);
  }
  const parsed = parseTrainConfig(withInitModel(raw, where), where);
  const data = openData(parsed.corpus, o, where);
  const config = resolveWith(raw, data, where);
  if (config.init_from) checkSameTokenizer(config.init_from, data);
  const start = freshStart(run, config, data);
  mkdirSync(run, { recursive: true });
  o.lock?.();
  if (existsSync(paths.config))
    throw new SlurryError(`${run}: already holds a run (use --resume to continue it, or another --out)`);
  writeJsonAtomic(paths.config, config);
  return start;
}

/** Step 0 of a run: initial (or init_from) weights, a new optimizer, the initial state. */
function freshStart(run: string, config: ResolvedTrainConfig, data: TrainingData): RunSetup {
  const model = config.init_from ? readCheckpointModel(config.init_from) : GPT.init(config.model, config.seed);
  return {
    run,
    config,
    data,
    model,
    optimizer: makeOptimizer(model, config.optimizer),
    state: initialState(config, data),
    checkpoints: [],
    resumed: false,
  };
}

/**
 * Continues the run in `run` from its last checkpoint (or from the start, when it was
 * killed before the first). `raw`, when given, must resolve to the run's config.
 */
export function setupResume(raw: unknown | undefined, run: string, o: SetupOptions): RunSetup {
  const paths = runPaths(run);
  if (!existsSync(paths.config))
    throw new SlurryError(`${paths.config}: missing (is ${run} a run directory? start one without --resume)`);
  o.lock?.();
  const stored = readJsonFile(paths.config, jsonObject);
  const parsed = parseTrainConfig(stored, paths.config);
  const data = openData(parsed.corpus, o, paths.config);
  const initModel = parsed.init_from ? readModelConfig(parsed.init_from) : undefined;
  const config = resolveTrainConfig(parsed, {
    sources: data.sources,
    vocabSize: data.tokenizer.vocabSize,
    initModel,
    where: paths.config,
  });
  const edited = firstDifference(stored, JSON.parse(JSON.stringify(config)));
  if (edited)
    throw new SlurryError(`${paths.config}: not a resolved run config (edited?): ${describeDifference(edited)}`);
  if (raw !== undefined) {
    const d = firstDifference(config, resolveWith(raw, data, o.where ?? 'config'));
    if (d) throw new SlurryError(`resume of ${run}: the given config differs from the run's ${describeDifference(d)}`);
  }

  removeTornCheckpoints(run);
  const steps = listCheckpointSteps(run);
  if (steps.length === 0) {
    // Killed before the first checkpoint: nothing to keep, start over with the same config.
    return freshStart(run, config, data);
  }
  // The newest checkpoint that verifies; newer ones that do not are passed over, saying why.
  const { good, skipped } = newestGoodCheckpoint(run, steps);
  for (const s of skipped) o.warn?.(`resume: skipping checkpoint ${checkpointDirName(s.step)}: ${s.reason}`);
  if (!good) {
    throw new SlurryError(
      `${paths.checkpoints}: none of the ${steps.length} checkpoints verifies (the newest: ${skipped[0]!.reason}); start a new run`,
    );
  }
  const { dir, step: last, model } = good;
  const state = readTrainingState(dir);
  if (state.step !== last)
    throw new SlurryError(
      `${join(dir, STATE_FILE)}: step ${state.step}, but the checkpoint is ${checkpointDirName(last)}`,
    );
  const changed = firstDifference(state.config, config);
  if (changed) {
    throw new SlurryError(
      `${paths.config}: edited since the run started (checkpoint ${checkpointDirName(last)} has ${describeDifference(changed)}); a resume needs the run's config. Start a new run for a new config.`,
    );
  }
  if (state.corpus_fingerprint !== data.fingerprint) {
    throw new SlurryError(
      `${data.dir}: the corpus changed since the run started (fingerprint ${state.corpus_fingerprint} at ${checkpointDirName(last)}, now ${data.fingerprint})`,
    );
  }
  const optimizer = makeOptimizer(model, config.optimizer);
  restoreOptimizer(dir, optimizer);
  // Every step is batch_size x context tokens, so the older checkpoints' tokens need no reading.
  const checkpoints = steps
    .filter((s) => s <= last)
    .map((s) => checkpointEntry(s, s * config.batch_size * config.context));
  return { run, config, data, model, optimizer, state, checkpoints, resumed: true };
}

function initialState(config: ResolvedTrainConfig, data: TrainingData): TrainingState {
  return {
    step: 0,
    tokens: 0,
    time: 0,
    data: { seed: config.data.seed, position: 0 },
    schedule: null,
    lr_scale: 1,
    rollbacks: [],
    corpus_fingerprint: data.fingerprint,
    config,
    backend: kernels().info(),
  };
}

function openData(corpus: string | undefined, o: SetupOptions, where: string): TrainingData {
  if (o.data) return o.data;
  if (!corpus)
    throw new SlurryError(
      `${where}: corpus: missing (a directory built by \`slurry data build\`; set \`corpus:\` or pass --corpus DIR)`,
    );
  if (!existsSync(corpus))
    throw new SlurryError(
      `${where}: corpus: ${corpus} does not exist (build it with \`slurry data build --preset quick --out ${corpus}\`)`,
    );
  return o.openData(corpus);
}

/** Parses and resolves a config given in code or a file against an opened corpus. */
function resolveWith(raw: unknown, data: TrainingData, where: string): ResolvedTrainConfig {
  const parsed = parseTrainConfig(withInitModel(raw, where), where);
  // A corpus handed over in code stands in for the config's `corpus:`.
  return resolveTrainConfig(
    { ...parsed, corpus: parsed.corpus ?? data.dir },
    {
      sources: data.sources,
      vocabSize: data.tokenizer.vocabSize,
      initModel: initFromModel(raw, where),
      where,
    },
  );
}

/**
 * Continued pretraining takes the architecture of the checkpoint it starts from: a config
 * with init_from and no model section gets the checkpoint's.
 */
function withInitModel(raw: unknown, where: string): unknown {
  const initModel = initFromModel(raw, where);
  if (!initModel || (raw as { model?: unknown }).model !== undefined) return raw;
  return { ...(raw as object), model: initModel };
}

/** The model config of init_from's checkpoint, if the config has one. */
function initFromModel(raw: unknown, where: string): GPTConfig | undefined {
  const from = typeof raw === 'object' && raw !== null ? (raw as { init_from?: unknown }).init_from : undefined;
  if (typeof from !== 'string') return undefined;
  const dir = resolve(from);
  if (!existsSync(dir))
    throw new SlurryError(`${where}: init_from: ${from} does not exist (expected RUN/checkpoints/step-N)`);
  if (existsSync(runPaths(dir).checkpoints)) {
    const last = listCheckpointSteps(dir).pop() ?? 0;
    const pick = `pick one of its checkpoints, e.g. ${checkpointDir(from, last)}`;
    throw new SlurryError(`${where}: init_from: ${from} is a run, not a checkpoint (${pick})`);
  }
  return readModelConfig(dir);
}

function checkSameTokenizer(checkpoint: string, data: TrainingData): void {
  const path = join(checkpoint, TOKENIZER_FILE);
  if (!existsSync(path))
    throw new SlurryError(`${path}: missing (init_from needs a checkpoint written by slurry train)`);
  if (readFileSync(path, 'utf8') !== data.tokenizerJson) {
    throw new SlurryError(
      `${path}: differs from the corpus tokenizer in ${data.dir}; continued pretraining needs the same tokenizer`,
    );
  }
}
