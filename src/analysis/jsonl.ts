/**
 * Reading a run's JSON Lines logs at the boundary: every line is parsed and validated, and
 * a bad line fails with the file and line number, so a damaged run points at its own damage.
 */
import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { parseJsonlStrict } from '../util/jsonl.js';

export function readJsonl<S extends z.ZodType>(file: string, schema: S): z.output<S>[] {
  return parseJsonlStrict(readFileSync(file, 'utf8'), schema, file);
}
