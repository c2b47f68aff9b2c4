/**
 * Reading a text file a user handed over: it must exist, be a regular file (not a
 * directory), fit a size bound, and be well-formed UTF-8. A bad byte is named by line and
 * column rather than decoded silently to U+FFFD. Every refusal is one SlurryError line.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { SlurryError, systemError } from './errors.js';

/** Text files slurry reads (configs, suites, manifests, tokenizers) stay below this unless a caller says otherwise. */
export const MAX_TEXT_BYTES = 1 << 30;

/** The bytes of a regular file, at most `maxBytes` of them; `what` names the file's role in errors. */
export function readRegularFile(path: string, what = 'file', maxBytes = MAX_TEXT_BYTES): Buffer {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new SlurryError(`${path}: no such ${what}`);
    throw systemError(err, path);
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) throw new SlurryError(`${path}: is a directory, expected a ${what}`);
    if (!stat.isFile()) throw new SlurryError(`${path}: not a regular file, expected a ${what}`);
    if (stat.size > maxBytes)
      throw new SlurryError(`${path}: ${stat.size} bytes, more than the ${maxBytes} a ${what} may have`);
    const out = Buffer.alloc(stat.size);
    let done = 0;
    while (done < out.length) {
      const n = readSync(fd, out, done, out.length - done, done);
      if (n === 0) break;
      done += n;
    }
    return out.subarray(0, done);
  } catch (err) {
    throw err instanceof SlurryError ? err : systemError(err, path);
  } finally {
    closeSync(fd);
  }
}

/** A regular file's text, refused with line and column at the first byte that is not UTF-8. */
export function readUtf8File(path: string, what = 'file', maxBytes = MAX_TEXT_BYTES): string {
  return decodeUtf8(readRegularFile(path, what, maxBytes), path);
}

/** Strict UTF-8 decoding; `where` names the source in the error. */
export function decodeUtf8(bytes: Uint8Array, where: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const at = firstInvalidUtf8(bytes);
    const before = bytes.subarray(0, at);
    const line = before.filter((b) => b === 0x0a).length + 1;
    const column = at - (before.lastIndexOf(0x0a) + 1) + 1;
    throw new SlurryError(
      `${where}:${line}:${column}: not UTF-8 text (byte 0x${bytes[at]?.toString(16).padStart(2, '0')} at offset ${at})`,
    );
  }
}

/** Offset of the byte at which `bytes` stops being well-formed UTF-8 (a prefix cut mid-character still counts as well-formed). */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let lo = 0;
  let hi = bytes.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, mid), { stream: true });
      lo = mid;
    } catch {
      hi = mid - 1;
    }
  }
  return Math.min(lo, bytes.length - 1);
}
