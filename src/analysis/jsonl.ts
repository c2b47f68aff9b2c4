/**
 * Reading JSON Lines at the boundary: every line is parsed and validated, and a bad line
 * fails with the file and line number, so a damaged run points at its own damage.
 */
import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { SlurryError } from '../util/errors.js';
import { parseWith } from '../util/schema.js';

/** Parses the JSONL text of `file`; blank lines are skipped. */
export function parseJsonl<S extends z.ZodType>(text: string, schema: S, file: string): z.output<S>[] {
  const out: z.output<S>[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      const truncated = i === lines.length - 1 && !text.endsWith('\n') ? ' (the last line is incomplete: is a writer still running?)' : '';
      throw new SlurryError(`${file}:${i + 1}: not valid JSON${truncated}: ${(err as Error).message}`);
    }
    out.push(parseWith(schema, value, `${file}:${i + 1}`));
  }
  return out;
}

export function readJsonl<S extends z.ZodType>(file: string, schema: S): z.output<S>[] {
  return parseJsonl(readFileSync(file, 'utf8'), schema, file);
}
