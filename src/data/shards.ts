/**
 * Token shards: flat files of uint16 little-endian token ids, the layout nanoGPT's
 * train.bin/val.bin use (np.memmap(path, dtype=np.uint16)). One shard per source and
 * split, so a token's source is the shard it lies in.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { endianness } from 'node:os';
import { SlurryError } from '../util/errors.js';

const LITTLE_ENDIAN_HOST = endianness() === 'LE';

/** A growable array of uint16 token ids. */
export class TokenBuffer {
  private data = new Uint16Array(1 << 16);
  length = 0;

  push(id: number): void {
    if (this.length === this.data.length) {
      const bigger = new Uint16Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = id;
  }

  /** The ids so far (a view, valid until the next push). */
  view(): Uint16Array {
    return this.data.subarray(0, this.length);
  }
}

/** The file bytes of a shard (little-endian regardless of the host). */
export function shardBytes(tokens: Uint16Array): Uint8Array {
  if (LITTLE_ENDIAN_HOST) return new Uint8Array(tokens.buffer, tokens.byteOffset, tokens.byteLength);
  const out = new Uint8Array(tokens.length * 2);
  const dv = new DataView(out.buffer);
  tokens.forEach((t, i) => dv.setUint16(i * 2, t, true));
  return out;
}

export function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Checks that `file` exists with exactly `bytes` bytes; errors name the file. */
export function checkFileSize(file: string, bytes: number, what: string): void {
  if (!existsSync(file)) throw new SlurryError(`${file}: missing ${what} (the corpus is incomplete; rebuild it)`);
  const actual = statSync(file).size;
  if (actual !== bytes)
    throw new SlurryError(
      `${file}: ${what} has ${actual} bytes, the manifest says ${bytes} (${actual < bytes ? 'truncated' : 'longer than recorded'}; rebuild the corpus)`,
    );
}

/** Reads a shard of `tokens` ids, checking its length and that every id is below `vocabSize`. */
export function readShard(file: string, tokens: number, vocabSize: number): Uint16Array {
  checkFileSize(file, tokens * 2, 'shard');
  const buf = readFileSync(file);
  // Copy into a fresh, aligned buffer (Buffer may share a pool at an odd offset).
  const out = new Uint16Array(tokens);
  if (LITTLE_ENDIAN_HOST) new Uint8Array(out.buffer).set(buf);
  else for (let i = 0; i < tokens; i++) out[i] = buf.readUInt16LE(i * 2);
  for (let i = 0; i < out.length; i++) {
    if (out[i]! >= vocabSize)
      throw new SlurryError(
        `${file}: token id ${out[i]} at position ${i} is outside the vocabulary (0..${vocabSize - 1}); rebuild the corpus`,
      );
  }
  return out;
}
