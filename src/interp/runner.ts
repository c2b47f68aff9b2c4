/**
 * `slurry interp RUN`: every checkpoint in RUN/checkpoints/index.json without an interp
 * record gets one, appended to RUN/interp.jsonl, with its CKA rows and SAE cached under
 * RUN/interp/; then RUN/interp/across.json is rewritten from the caches. Resumable and
 * idempotent like `slurry probe`: a recorded checkpoint is never measured again, a crash
 * loses at most the checkpoint in progress, one process per run (RUN/interp/interp.lock).
 * Every checkpoint's SAE reads the site the first record names; another --sae-site is refused.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openCorpus } from '../data/corpus.js';
import { readLexicon } from '../data/probe-files.js';
import { readModelConfig } from '../model/checkpoint.js';
import { checkHookNames } from '../model/hooks.js';
import { openCheckpoint } from '../model/load-checkpoint.js';
import { readSafetensors, writeSafetensors } from '../model/safetensors.js';
import { recordedKeys, runCorpus } from '../probes/runner.js';
import { readCheckpointIndex } from '../run/checkpoint.js';
import { interpAcrossSchema, interpRecordSchema, type InterpAcross } from '../run/interp-records.js';
import { checkpointDirName, runPaths } from '../run/layout.js';
import { lockRun } from '../run/lock.js';
import { SlurryError } from '../util/errors.js';
import { writeJsonAtomic } from '../util/fs.js';
import { appendJsonl } from '../util/jsonl.js';
import { parseWith } from '../util/schema.js';
import { computeAcross, type CheckpointCache } from './across.js';
import { measureCheckpoint, type Measured, type MeasureOptions } from './measure.js';
import { buildSample, DEFAULT_SAMPLE, type InterpSample } from './sample.js';
import type { Sae } from './sae.js';

export interface InterpRunOptions extends MeasureOptions {
  corpus?: string;
  log: (line: string) => void;
  progress?: (p: { done: number; total: number; note: string }) => void;
}

export interface InterpRunResult {
  measured: { step: number; seconds: Record<string, number> }[];
  failed: { step: number; message: string }[];
  upToDate: number;
  across: InterpAcross | null;
}

/** The run's sample: read from RUN/interp/sample.json, or built from the corpus and kept there. */
export function runSample(run: string, context: number, seed: number, corpus?: string): InterpSample {
  const path = runPaths(run).interpSample;
  if (existsSync(path)) return readSample(path);
  const sample = sampleFromCorpus(corpus ?? runCorpus(run), context, seed);
  mkdirSync(runPaths(run).interpDir, { recursive: true });
  writeJsonAtomic(path, sample);
  return sample;
}

export function sampleFromCorpus(dir: string, context: number, seed: number): InterpSample {
  const corpus = openCorpus(dir, { verify: 'size' });
  const lexicon = existsSync(join(dir, 'knowledge', 'lexicon.json')) ? readLexicon(dir) : null;
  return buildSample(corpus, lexicon, { context, seed, ...DEFAULT_SAMPLE });
}

function readSample(path: string): InterpSample {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as InterpSample;
  } catch (err) {
    throw new SlurryError(`${path}: not valid JSON (${(err as Error).message}); delete it to rebuild the sample`);
  }
}

/** Refuses a checkpoint whose vocabulary or context differ from the sample's (the run's). */
export function checkCompatible(sample: InterpSample, vocabSize: number, context: number, where: string): void {
  if (vocabSize !== sample.vocabSize) {
    throw new SlurryError(
      `${where}: vocabulary of ${vocabSize} tokens, but the run's interp sample uses ${sample.vocabSize} (a checkpoint of another corpus?)`,
    );
  }
  if (context < sample.context) {
    throw new SlurryError(`${where}: context ${context} is shorter than the sample's windows (${sample.context})`);
  }
}

const actsFile = (run: string, step: number) =>
  join(runPaths(run).interpActs, `${checkpointDirName(step)}.safetensors`);
const saeFile = (run: string, step: number) => join(runPaths(run).interpSae, `${checkpointDirName(step)}.safetensors`);

/**
 * The SAE site of this run: the one its records were measured on (one site for every
 * checkpoint, so the curves compare like with like), or `requested`, checked against the
 * model's hook names even when every checkpoint is already measured.
 */
function parseJsonOrNull(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return null;
  }
}

function runSaeSite(run: string, firstCheckpoint: string, requested: string | undefined): string | undefined {
  const file = runPaths(run).interp;
  // The first record names the site (a torn or odd line is the resume's business, not this check's).
  const firstLine = existsSync(file) ? readFileSync(file, 'utf8').split('\n', 1)[0] : '';
  const parsed = firstLine ? interpRecordSchema.safeParse(parseJsonOrNull(firstLine)) : null;
  const recorded = parsed?.success ? parsed.data.sae.site : null;
  if (requested !== undefined) checkHookNames(readModelConfig(firstCheckpoint), [requested]);
  if (requested !== undefined && recorded !== null && requested !== recorded) {
    throw new SlurryError(
      `--sae-site ${requested}: ${file} was measured with the SAE on ${recorded}; keep that site, or remove ${file} and ${runPaths(run).interpDir} to measure again`,
    );
  }
  return requested ?? recorded ?? undefined;
}

export function interpRun(run: string, options: InterpRunOptions): InterpRunResult {
  const index = readCheckpointIndex(run);
  if (index.length === 0) throw new SlurryError(`${runPaths(run).checkpointIndex}: no checkpoints to measure`);
  const first = join(runPaths(run).checkpoints, index[0].dir || checkpointDirName(index[0].step));
  const opts = { ...options, saeSite: runSaeSite(run, first, options.saeSite) };
  mkdirSync(runPaths(run).interpDir, { recursive: true });
  const unlock = lockRun(runPaths(run).interpLock, run, 'measuring');
  try {
    const paths = runPaths(run);
    const stepKey = (r: Record<string, unknown>) => (typeof r.step === 'number' ? String(r.step) : null);
    const done = recordedKeys(paths.interp, stepKey, opts.log);
    const result: InterpRunResult = { measured: [], failed: [], upToDate: 0, across: null };
    const todo = index.filter(
      (e) => !(done.has(String(e.step)) && existsSync(actsFile(run, e.step)) && existsSync(saeFile(run, e.step))),
    );
    result.upToDate = index.length - todo.length;
    let sample: InterpSample | null = null;
    let prev: { step: number; acts: Float32Array[] } | null = null;
    let k = 0;
    for (const entry of index) {
      if (!todo.includes(entry)) {
        prev = { step: entry.step, acts: readActs(actsFile(run, entry.step)).acts };
        continue;
      }
      const dir = join(paths.checkpoints, entry.dir || checkpointDirName(entry.step));
      let measured: Measured;
      try {
        const { model, tokenizer } = openCheckpoint(dir);
        sample ??= runSample(run, Math.min(model.config.n_positions, 128), opts.seed, opts.corpus);
        checkCompatible(sample, model.config.vocab_size, model.config.n_positions, dir);
        measured = measureCheckpoint(model, tokenizer, sample, entry, prev, opts);
      } catch (err) {
        if (!(err instanceof SlurryError)) throw err;
        opts.log(`step ${entry.step}: not measured: ${err.message}`);
        result.failed.push({ step: entry.step, message: err.message });
        continue;
      }
      mkdirSync(paths.interpActs, { recursive: true });
      mkdirSync(paths.interpSae, { recursive: true });
      writeActs(actsFile(run, entry.step), measured.ckaActs, measured.ckaWidth);
      writeSae(saeFile(run, entry.step), measured.sae, measured.deadLatents);
      appendJsonl(paths.interp, [measured.record]);
      prev = { step: entry.step, acts: measured.ckaActs };
      result.measured.push({ step: entry.step, seconds: measured.record.seconds });
      const secs = Object.entries(measured.record.seconds).map(([f, s]) => `${f} ${s.toFixed(1)}s`);
      opts.progress?.({ done: ++k, total: todo.length, note: `step ${entry.step}: ${secs.join(', ')}` });
    }
    result.across = writeAcross(run, index, opts.seed);
    return result;
  } finally {
    unlock();
  }
}

function writeAcross(
  run: string,
  index: readonly { step: number; tokens: number }[],
  seed: number,
): InterpAcross | null {
  const caches: CheckpointCache[] = index
    .filter((e) => existsSync(actsFile(run, e.step)) && existsSync(saeFile(run, e.step)))
    .map((e) => ({
      step: e.step,
      tokens: e.tokens,
      ...readActs(actsFile(run, e.step)),
      decoder: readDecoder(saeFile(run, e.step), e.step),
    }));
  if (caches.length === 0) return null;
  const C = caches[0].C;
  const across = computeAcross(caches, C, seed);
  writeJsonAtomic(runPaths(run).interpAcross, across);
  return across;
}

/** RUN/interp/across.json, validated; null when absent. */
export function readAcross(run: string): InterpAcross | null {
  const path = runPaths(run).interpAcross;
  if (!existsSync(path)) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new SlurryError(`${path}: not valid JSON (${(err as Error).message})`);
  }
  return parseWith(interpAcrossSchema, raw, path);
}

function writeActs(path: string, acts: Float32Array[], C: number): void {
  writeSafetensors(
    path,
    acts.map((data, l) => ({ name: `layer.${l}`, shape: [data.length / C, C], data })),
  );
}

function readActs(path: string): { acts: Float32Array[]; C: number } {
  const file = readSafetensors(path);
  const names = [...file.tensors.keys()]
    .filter((k) => k.startsWith('layer.'))
    .sort((a, b) => Number(a.slice(6)) - Number(b.slice(6)));
  if (names.length === 0)
    throw new SlurryError(`${path}: no layer.N tensors (delete it to measure the checkpoint again)`);
  return {
    acts: names.map((k) => Float32Array.from(file.tensors.get(k)!.data)),
    C: file.tensors.get(names[0])!.shape[1],
  };
}

function writeSae(path: string, sae: Sae, dead: number[]): void {
  const live = new Float32Array(sae.m).fill(1);
  for (const f of dead) live[f] = 0;
  writeSafetensors(
    path,
    [
      { name: 'W_enc', shape: [sae.m, sae.d], data: sae.wEnc },
      { name: 'b_enc', shape: [sae.m], data: sae.bEnc },
      { name: 'W_dec', shape: [sae.m, sae.d], data: sae.wDec },
      { name: 'b_dec', shape: [sae.d], data: sae.bDec },
      { name: 'live', shape: [sae.m], data: live },
    ],
    { scale: String(sae.scale), k: String(sae.k) },
  );
}

function readDecoder(path: string, step: number): CheckpointCache['decoder'] {
  const file = readSafetensors(path);
  const w = file.tensors.get('W_dec');
  const live = file.tensors.get('live');
  if (!w || !live) throw new SlurryError(`${path}: missing W_dec or live (delete it to measure step ${step} again)`);
  const [m, d] = w.shape;
  const keep = [...Array(m).keys()].filter((f) => live.data[f] > 0);
  const rows = new Float32Array(keep.length * d);
  keep.forEach((f, i) => rows.set(w.data.subarray(f * d, (f + 1) * d), i * d));
  return { step, rows, m: keep.length };
}
