/**
 * Checkpoint directories of a run (RUN/checkpoints/step-0000128/, files named in layout.ts)
 * as files on disk: written atomically with a manifest, verified against it, listed,
 * resolved from what a user types, and indexed in RUN/checkpoints/index.json. What goes
 * into the files (weights, optimizer moments, state) is the writer's business: training
 * and grokking encode them, this module keeps them whole.
 *
 * A checkpoint is written into a temporary directory that is renamed into place once every
 * file is on disk, so a kill leaves either the whole checkpoint or none; a checkpoint whose
 * files do not match its manifest is reported by file name and never loaded.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { SlurryError } from '../util/errors.js';
import { syncNamed, writeAllAt, writeJsonAtomic } from '../util/fs.js';
import { readJsonFile } from '../util/json.js';
import { checkpointDir, checkpointDirName, MANIFEST_FILE, MODEL_FILE, runPaths } from './layout.js';
import type { CheckpointEntry, CheckpointIndex } from './records.js';
import { checkpointIndexSchema, manifestSchema, type Manifest } from './schemas.js';

/** A file of a checkpoint: its name and its bytes, in chunks (one per tensor, say). */
export type CheckpointFile = [name: string, chunks: readonly Uint8Array[]];

/**
 * Writes the checkpoint of `step` atomically with a manifest; returns its directory. The
 * chunks are written concurrently by positional writes on libuv's thread pool while this
 * thread hashes them from memory: about 150 MB for configuration B, in well under a second.
 */
export async function writeCheckpointDir(run: string, step: number, files: readonly CheckpointFile[]): Promise<string> {
  const root = runPaths(run).checkpoints;
  const name = checkpointDirName(step);
  const final = join(root, name);
  const tmp = join(root, `.tmp-${name}-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const writes = files.map(([file, chunks]) => writeChunks(join(tmp, file), chunks));
  const manifest: Manifest = { files: {} };
  for (const [file, chunks] of files) {
    const hash = createHash('sha256');
    let bytes = 0;
    for (const chunk of chunks) {
      hash.update(chunk);
      bytes += chunk.byteLength;
    }
    manifest.files[file] = { sha256: hash.digest('hex'), bytes };
  }
  try {
    await Promise.all(writes);
    await writeChunks(join(tmp, MANIFEST_FILE), [jsonBytes(manifest)]);
  } catch (err) {
    // No space, an I/O error: nothing half-written stays behind (and the space comes back).
    await Promise.allSettled(writes);
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
  rmSync(final, { recursive: true, force: true });
  renameSync(tmp, final);
  return final;
}

/** A JSON value as the bytes of a checkpoint file (pretty-printed, newline at the end). */
export function jsonBytes(value: unknown): Uint8Array {
  return Buffer.from(JSON.stringify(value, null, 2) + '\n');
}

/** Writes chunks at their offsets concurrently, then fsyncs. */
async function writeChunks(path: string, chunks: readonly Uint8Array[]): Promise<void> {
  const fh = await open(path, 'w');
  try {
    let position = 0;
    await Promise.all(
      chunks.map((chunk) => {
        const at = position;
        position += chunk.byteLength;
        return writeAllAt(fh, chunk, at, path);
      }),
    );
    await syncNamed(fh, path);
  } finally {
    await fh.close();
  }
}

/** Checks every file of a checkpoint against its manifest; throws naming the first bad file. */
export function verifyCheckpoint(dir: string): void {
  const path = join(dir, MANIFEST_FILE);
  if (!existsSync(path)) throw new SlurryError(`${path}: missing (an incomplete or foreign checkpoint)`);
  const manifest = readJsonFile(path, manifestSchema);
  const unlisted = readdirSync(dir).filter((n) => n !== MANIFEST_FILE && !Object.hasOwn(manifest.files, n));
  if (unlisted.length)
    throw new SlurryError(`${path}: does not list ${unlisted.join(', ')} (a foreign or altered checkpoint)`);
  for (const [name, want] of Object.entries(manifest.files)) {
    const file = join(dir, name);
    if (!existsSync(file)) throw new SlurryError(`${file}: missing (listed in ${MANIFEST_FILE})`);
    const bytes = readFileSync(file);
    if (bytes.length !== want.bytes) {
      const says = `${MANIFEST_FILE} says ${want.bytes}`;
      throw new SlurryError(`${file}: ${bytes.length} bytes, ${says} (damaged or truncated)`);
    }
    if (sha256(bytes) !== want.sha256) {
      throw new SlurryError(`${file}: sha256 does not match ${MANIFEST_FILE} (damaged)`);
    }
  }
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Steps of the complete checkpoints (directories named step-N) of a run, ascending. */
export function listCheckpointSteps(run: string): number[] {
  const root = runPaths(run).checkpoints;
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .map((n) => /^step-(\d+)$/.exec(n))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
}

/** Removes the temporary directories of checkpoints a kill interrupted. */
export function removeTornCheckpoints(run: string): void {
  const root = runPaths(run).checkpoints;
  if (!existsSync(root)) return;
  for (const n of readdirSync(root)) {
    if (n.startsWith('.tmp-step-')) rmSync(join(root, n), { recursive: true, force: true });
  }
}

export function checkpointEntry(step: number, tokens: number): CheckpointEntry {
  return { step, tokens, dir: checkpointDirName(step) };
}

export function writeCheckpointIndex(run: string, entries: readonly CheckpointEntry[]): void {
  const index: CheckpointIndex = { checkpoints: [...entries].sort((a, b) => a.step - b.step) };
  writeJsonAtomic(runPaths(run).checkpointIndex, index);
}

/** The entries of RUN/checkpoints/index.json, by step; a missing or bad index is an error naming it. */
export function readCheckpointIndex(run: string): CheckpointEntry[] {
  const path = runPaths(run).checkpointIndex;
  if (!existsSync(path)) {
    throw new SlurryError(`${path}: missing (is ${run} a run directory made by \`slurry train\`?)`);
  }
  return [...readJsonFile(path, checkpointIndexSchema).checkpoints].sort((a, b) => a.step - b.step);
}

/**
 * The checkpoint directory a user means: a checkpoint directory itself, or a run directory
 * (its checkpoint at `step`, or its latest). Errors list what there is.
 */
export function resolveCheckpointDir(path: string, step?: number): string {
  if (!existsSync(path)) throw new SlurryError(`${path}: no such run or checkpoint directory`);
  if (existsSync(join(path, MODEL_FILE))) {
    if (step !== undefined) {
      throw new SlurryError(`${path} is a checkpoint already; --step picks a checkpoint of a run directory`);
    }
    return path;
  }
  const steps = listCheckpointSteps(path);
  if (!steps.length) {
    throw new SlurryError(`${path}: neither a checkpoint (no ${MODEL_FILE}) nor a run with checkpoints`);
  }
  const chosen = step ?? steps[steps.length - 1];
  if (!steps.includes(chosen)) {
    throw new SlurryError(`${path}: no checkpoint at step ${chosen} (there are ${steps.join(', ')})`);
  }
  return checkpointDir(path, chosen);
}
