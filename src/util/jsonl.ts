/**
 * JSON Lines in and out: item files, corpus probe files and the run's logs (metrics.jsonl,
 * probes.jsonl, samples.jsonl). Reading names `file:line` for every bad row and either refuses the file
 * or skips the row, as the caller says. Appending first repairs a torn last line (a crash
 * mid-write leaves one without its newline), then writes whole lines in one call and
 * fsyncs, so a later read never meets half a record.
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync, truncateSync } from 'node:fs';
import { dirname } from 'node:path';
import type { z } from 'zod';
import { SlurryError } from './errors.js';
import { fsyncNamed, writeAllSync } from './fs.js';
import { describeIssues } from './schema.js';
import { readUtf8File } from './text-file.js';

/** What to do with a row that is not valid JSON or not the expected shape. */
export type BadRowPolicy = 'refuse' | 'skip';

export interface BadRow {
  line: number;
  message: string;
}

export interface ParsedRows<T> {
  rows: { value: T; line: number }[];
  skipped: BadRow[];
}

/**
 * Parses JSONL text row by row with `schema`. With 'refuse' the first bad row throws a
 * SlurryError naming file:line and the problem; with 'skip' bad rows are collected.
 */
export function parseJsonl<S extends z.ZodType>(
  text: string,
  schema: S,
  file: string,
  policy: BadRowPolicy,
): ParsedRows<z.output<S>> {
  const out: ParsedRows<z.output<S>> = { rows: [], skipped: [] };
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') continue;
    let problem: string;
    try {
      const result = schema.safeParse(JSON.parse(line));
      if (result.success) {
        out.rows.push({ value: result.data, line: i + 1 });
        continue;
      }
      problem = describeIssues(result.error).join('; ');
    } catch (err) {
      const torn =
        i === lines.length - 1 && !text.endsWith('\n')
          ? '; the last line is incomplete: is a writer still running?'
          : '';
      problem = `not valid JSON (${(err as Error).message}${torn})`;
    }
    if (policy === 'refuse') throw new SlurryError(`${file}:${i + 1}: ${problem}`);
    out.skipped.push({ line: i + 1, message: problem });
  }
  return out;
}

/** The rows of JSONL text, every one valid (the first bad row throws, naming file:line). */
export function parseJsonlStrict<S extends z.ZodType>(text: string, schema: S, file: string): z.output<S>[] {
  return parseJsonl(text, schema, file, 'refuse').rows.map((r) => r.value);
}

/** The rows of a JSONL file, every one valid (a missing file or a bad row throws, naming it). */
export function readJsonlStrict<S extends z.ZodType>(file: string, schema: S): z.output<S>[] {
  return readJsonlFile(file, schema, 'refuse').rows.map((r) => r.value);
}

/** Reads and parses a JSONL file; a missing file is an error naming it. */
export function readJsonlFile<S extends z.ZodType>(
  file: string,
  schema: S,
  policy: BadRowPolicy,
): ParsedRows<z.output<S>> {
  return parseJsonl(readUtf8File(file), schema, file, policy);
}

/**
 * Cuts a torn last line (no trailing newline) off an append-only log. Returns the dropped
 * text, or null when the file was whole.
 */
export function repairTornTail(file: string): string | null {
  if (!existsSync(file)) return null;
  const size = statSync(file).size;
  if (size === 0) return null;
  const text = readFileSync(file);
  if (text[size - 1] === 0x0a) return null;
  const keep = text.lastIndexOf(0x0a) + 1;
  truncateSync(file, keep);
  return text.subarray(keep).toString('utf8');
}

/** Appends values as whole lines in one write, then fsyncs. */
export function appendJsonl(file: string, values: readonly unknown[]): void {
  if (values.length === 0) return;
  mkdirSync(dirname(file), { recursive: true });
  const data = Buffer.from(values.map((v) => JSON.stringify(v) + '\n').join(''));
  const fd = openSync(file, 'a');
  try {
    writeAllSync(fd, data, file);
    fsyncNamed(fd, file);
  } finally {
    closeSync(fd);
  }
}
