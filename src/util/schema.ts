/**
 * Validation at the boundary: parse a value with a zod schema and turn every issue into
 * one SlurryError that names where the value came from, the field path and what was
 * expected (e.g. "run.yaml: model.n_head: Too small: expected number to be >0").
 */
import type { z } from 'zod';
import { SlurryError } from './errors.js';

export function parseWith<S extends z.ZodType>(schema: S, value: unknown, where: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    const path = issue.path.map(String).join('.');
    const keys = issue.code === 'unrecognized_keys' ? ` (${(issue as { keys: string[] }).keys.join(', ')})` : '';
    return `${where}${path ? `: ${path}` : ''}: ${issue.message}${keys}`;
  });
  throw new SlurryError(lines.join('\n'));
}
