/**
 * RUN/metrics.jsonl, appended with buffered writes: lines collect in memory and go to the
 * file about once a second, and always (with fsync) before a checkpoint is written. So at
 * every checkpoint the file holds every record up to that step, and a resume can cut it
 * back to exactly those lines: the file then equals an uninterrupted run's. Language runs
 * log MetricsRecords, grokking runs their GrokRecords: any record with a step.
 */
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { fsyncNamed, writeAllSync, writeFileAtomic } from '../util/fs.js';
import type { MetricsRecord } from './records.js';

const FLUSH_INTERVAL_MS = 1000;
const FLUSH_LINES = 256;

export class MetricsLog<R extends { step: number } = MetricsRecord> {
  private fd: number;
  private pending: string[] = [];
  private lastFlush = Date.now();

  /**
   * Opens the log for appending. With `keepThroughStep`, first cuts the file back to the
   * records of steps <= keepThroughStep (a resume from that checkpoint); without, starts empty.
   */
  constructor(
    readonly path: string,
    keepThroughStep?: number,
  ) {
    const kept = keepThroughStep === undefined ? [] : linesThrough(path, keepThroughStep);
    writeFileAtomic(path, kept.map((l) => l + '\n').join(''));
    this.fd = openSync(path, 'a');
  }

  append(record: R): void {
    this.pending.push(JSON.stringify(record));
    if (this.pending.length >= FLUSH_LINES || Date.now() - this.lastFlush >= FLUSH_INTERVAL_MS) this.flush();
  }

  /** Writes the buffered lines; with `durable`, also fsyncs (before a checkpoint). */
  flush(durable = false): void {
    if (this.pending.length) {
      writeAllSync(this.fd, Buffer.from(this.pending.join('\n') + '\n'), this.path);
      this.pending.length = 0;
    }
    this.lastFlush = Date.now();
    if (durable) fsyncNamed(this.fd, this.path);
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}

/** The lines of a metrics file whose records have step <= maxStep (a torn last line is dropped). */
function linesThrough(path: string, maxStep: number): string[] {
  if (!existsSync(path)) return [];
  const out: string[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line) continue;
    let record: { step?: unknown };
    try {
      record = JSON.parse(line);
    } catch {
      continue; // the write a kill interrupted
    }
    if (typeof record.step === 'number' && record.step <= maxStep) out.push(line);
  }
  return out;
}
