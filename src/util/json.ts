/**
 * JSON files in: read, parse and validate with a zod schema. Every failure is one
 * SlurryError that names the file: missing, not valid JSON, or the field that does not fit.
 */
import { z } from 'zod';
import { SlurryError } from './errors.js';
import { parseWith } from './schema.js';
import { readUtf8File } from './text-file.js';

/** Any JSON object, its fields unchecked (for files read field by field, or compared whole). */
export const jsonObject = z.record(z.string(), z.unknown());

/** Parses JSON text; `where` (a file, a flag) names it in the error. */
export function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new SlurryError(`${where}: not valid JSON (${(err as Error).message})`);
  }
}

/**
 * Reads the JSON file at `path` and validates it with `schema`. `hint`, when given, ends
 * every error about the file (say what to do: "run `slurry analyze RUN` again").
 */
export function readJsonFile<S extends z.ZodType>(path: string, schema: S, hint?: string): z.output<S> {
  try {
    return parseWith(schema, parseJson(readUtf8File(path), path), path);
  } catch (err) {
    if (hint === undefined || !(err instanceof SlurryError)) throw err;
    throw new SlurryError(`${err.message}; ${hint}`);
  }
}
