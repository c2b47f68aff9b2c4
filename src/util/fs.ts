/**
 * The one write layer: every byte slurry writes (checkpoints, metrics, probes, corpora,
 * reports) goes through writeAllSync or writeAllAt, which loop until all is written.
 * Crash-safe file writes: write to a temporary name in the same directory, fsync, then
 * rename into place, so a reader never sees a half-written file and a crash loses nothing
 * that was there before; a failed write (no space left, an I/O error) removes the
 * temporary file and leaves what was there.
 *
 * Tests reach every write path through one hook, setWriteFault, which makes the next
 * writes fail as the device would (ENOSPC, EIO).
 */
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Decides, before each write to `path`, whether it fails: an error code such as 'ENOSPC', or null. */
export type WriteFault = (path: string) => string | null;

let fault: WriteFault | null = null;

/** Installs (or, with null, removes) a write fault; for fault-injection tests. */
export function setWriteFault(f: WriteFault | null): void {
  fault = f;
}

/** Throws the injected fault for a write to `path`, if any, shaped as the OS reports it: without a path. */
function checkFault(path: string): void {
  const code = fault?.(path);
  if (!code) return;
  const err = new Error(`${code}: injected fault, write`) as NodeJS.ErrnoException;
  Object.assign(err, { code, syscall: 'write' });
  throw err;
}

/**
 * Runs an I/O call on the file at `path`; an OS error it throws gets the path: write and
 * fsync report none of their own, so a full disk would otherwise say "no space left"
 * without saying where. Injected faults go through here too.
 */
function onFile<T>(path: string, io: () => T): T {
  try {
    return io();
  } catch (err) {
    throw withPath(err, path);
  }
}

async function onFileAsync<T>(path: string, io: () => Promise<T>): Promise<T> {
  try {
    return await io();
  } catch (err) {
    throw withPath(err, path);
  }
}

function withPath(err: unknown, path: string): unknown {
  const e = err as NodeJS.ErrnoException;
  if (err instanceof Error && typeof e.code === 'string' && e.path === undefined) e.path = path;
  return err;
}

/** Writes all of `data` to `fd` (at `position`, or the file's current position); `path` names it. */
export function writeAllSync(fd: number, data: Uint8Array, path: string, position?: number): void {
  onFile(path, () => {
    checkFault(path);
    let off = 0;
    while (off < data.byteLength)
      off += writeSync(fd, data, off, data.byteLength - off, position === undefined ? null : position + off);
  });
}

/** fsync of `fd`, the file at `path`; an error names it. */
export function fsyncNamed(fd: number, path: string): void {
  onFile(path, () => fsyncSync(fd));
}

/** fsync of an open file handle, the file at `path`; an error names it. */
export function syncNamed(fh: FileHandle, path: string): Promise<void> {
  return onFileAsync(path, () => fh.sync());
}

/** Writes all of `chunk` at `position` of an open file handle; `path` names it. */
export function writeAllAt(fh: FileHandle, chunk: Uint8Array, position: number, path: string): Promise<void> {
  return onFileAsync(path, async () => {
    checkFault(path);
    let done = 0;
    while (done < chunk.byteLength) {
      const { bytesWritten } = await fh.write(chunk, done, chunk.byteLength - done, position + done);
      done += bytesWritten;
    }
  });
}

let counter = 0;

function tempNameFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${counter++}`);
}

export function writeFileAtomic(path: string, data: string | Uint8Array | readonly Uint8Array[]): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = tempNameFor(path);
  const chunks = typeof data === 'string' ? [Buffer.from(data)] : data instanceof Uint8Array ? [data] : data;
  try {
    const fd = openSync(tmp, 'w');
    try {
      for (const chunk of chunks) writeAllSync(fd, chunk, path);
      fsyncNamed(fd, path);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

export function writeJsonAtomic(path: string, value: unknown): void {
  writeFileAtomic(path, JSON.stringify(value, null, 2) + '\n');
}
