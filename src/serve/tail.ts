/**
 * Follows an append-only JSONL log (RUN/metrics.jsonl) as it grows: each poll reads only
 * the bytes added since the last one. A last line without its newline is a record still
 * being written: it is held back until it is whole, and reported as torn only when the
 * caller says the writer has finished. A file that shrank (replaced or truncated) is read
 * again from the start.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

export interface TailRead {
  /** Whole new lines, parsed (JSON values; shape checks are the caller's). */
  values: unknown[];
  /** Lines that are not valid JSON: "file:line: message". */
  errors: string[];
  /** True when the file was replaced or truncated and these values start it over. */
  reset: boolean;
  /** True when the read stopped at its byte limit before the end of the file. */
  more: boolean;
}

/** Bytes read per poll at most: a huge log is taken in slices, never all at once. */
const SLICE = 8 * 1024 * 1024;
/** A line longer than this is not a record: it is skipped up to its newline. */
const MAX_LINE = 16 * 1024 * 1024;

export class JsonlTail {
  private offset = 0;
  private line = 0;
  private pending = Buffer.alloc(0);
  /** Inside an overlong line: drop bytes up to the next newline. */
  private skipping = false;

  constructor(
    readonly file: string,
    readonly label: string,
  ) {}

  /**
   * Reads what was appended since the last call (a missing file reads as nothing), or the
   * next `limit` bytes of it at most.
   */
  read(limit = Infinity): TailRead {
    const out: TailRead = { values: [], errors: [], reset: false, more: false };
    let fd: number;
    try {
      fd = openSync(this.file, 'r');
    } catch {
      return out;
    }
    try {
      const size = fstatSync(fd).size;
      if (size < this.offset) {
        this.offset = 0;
        this.line = 0;
        this.pending = Buffer.alloc(0);
        this.skipping = false;
        out.reset = true;
      }
      const end = Math.min(size, this.offset + limit);
      out.more = end < size;
      while (this.offset < end) {
        const want = Math.min(SLICE, end - this.offset);
        const chunk = Buffer.allocUnsafe(want);
        const got = readSync(fd, chunk, 0, want, this.offset);
        if (got <= 0) break;
        this.offset += got;
        this.consume(chunk.subarray(0, got), out);
      }
    } finally {
      closeSync(fd);
    }
    return out;
  }

  /** The held-back partial last line, if any (a torn record once the writer has stopped). */
  tornTail(): string | null {
    const text = this.pending.toString('utf8').trim();
    return text === ''
      ? null
      : `${this.label}:${this.line + 1}: the last line is incomplete (${text.length} characters, no newline)`;
  }

  private consume(chunk: Buffer, out: TailRead): void {
    let data = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    let start = 0;
    if (this.skipping) {
      const nl = data.indexOf(0x0a);
      if (nl === -1) return;
      this.skipping = false;
      this.line++;
      start = nl + 1;
    }
    for (let nl = data.indexOf(0x0a, start); nl !== -1; nl = data.indexOf(0x0a, start)) {
      this.line++;
      const text = data.toString('utf8', start, nl).trim();
      start = nl + 1;
      if (text === '') continue;
      try {
        out.values.push(JSON.parse(text));
      } catch (err) {
        out.errors.push(`${this.label}:${this.line}: not valid JSON (${(err as Error).message})`);
      }
    }
    data = data.subarray(start);
    if (data.length > MAX_LINE) {
      // No record is this long: drop it rather than hold an unbounded buffer.
      out.errors.push(`${this.label}:${this.line + 1}: a line longer than ${MAX_LINE} bytes was skipped`);
      this.skipping = true;
      data = Buffer.alloc(0);
    }
    this.pending = Buffer.from(data);
  }
}
