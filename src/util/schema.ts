/**
 * Validation at the boundary: parse a value with a zod schema and turn every issue into
 * one SlurryError that names where the value came from, the field path and what was
 * expected (e.g. `run.yaml: field "model.n_head": Too small: expected number to be >0`),
 * one line per issue.
 */
import type { z } from 'zod';
import { SlurryError } from './errors.js';

export function parseWith<S extends z.ZodType>(schema: S, value: unknown, where: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    const path = fieldPath(issue.path);
    const keys = issue.code === 'unrecognized_keys' ? ` (${(issue as { keys: string[] }).keys.join(', ')})` : '';
    return `${where}: ${path ? `field "${path}": ` : ''}${issue.message}${keys}`;
  });
  throw new SlurryError(lines.join('\n'));
}

/** A zod issue path as `sources[2].kind`. */
export function fieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, key) => (typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)), '');
}
