/**
 * The sweep file: a base training config (a preset with overrides, as `slurry train`
 * reads) and axes over config keys by dotted path, crossed as a grid or sampled at random.
 *
 *   base: { preset: tiny, corpus: ../corpora/quick, steps: 40 }
 *   axes:
 *     seed: [0, 1, 2]
 *     model: [{ n_layer: 1, n_head: 2, n_embd: 32 }, { n_layer: 2, n_head: 2, n_embd: 64 }]
 *     optimizer.lr: { min: 0.001, max: 0.03, log: true }   # a range: random sampling only
 *   sample: { kind: random, count: 8, seed: 0 }             # default: { kind: grid }
 *   derived: { tokens: { per_parameter: 20 } }              # or { flops: 1.0e13 }
 *   suites: [tokens, syntax]                                # probe suites (default: every built-in)
 *
 * Paths in `base` (corpus, init_from) are relative to the file.
 */
import { isAbsolute, resolve, dirname } from 'node:path';
import { z } from 'zod';
import { readConfigFile } from '../train/config-file.js';
import { trainConfigSchema } from '../train/config.js';
import { SlurryError } from '../util/errors.js';
import { parseWith } from '../util/schema.js';

/** An axis value list, or a numeric range that random sampling draws from. */
const rangeSchema = z
  .object({
    min: z.number().finite(),
    max: z.number().finite(),
    /** Draw uniformly in log space (min > 0). */
    log: z.boolean().default(false),
    /** Round each draw to an integer. */
    int: z.boolean().default(false),
  })
  .strict();
export type AxisRange = z.output<typeof rangeSchema>;
const axisSchema = z.union([z.array(z.unknown()), rangeSchema], {
  error: 'expected a list of values or a range { min, max, log?, int? }',
});
export type Axis = z.output<typeof axisSchema>;

/** tokens = per_parameter x N, or tokens = flops / (6 N), N the model's non-embedding parameters. */
const tokenRuleSchema = z.union(
  [
    z.object({ per_parameter: z.number().positive().finite() }).strict(),
    z.object({ flops: z.number().positive().finite() }).strict(),
  ],
  { error: 'expected { per_parameter: r } (tokens = r x parameters) or { flops: C } (tokens = C / (6 x parameters))' },
);
export type TokenRule = z.output<typeof tokenRuleSchema>;

export const sweepSpecSchema = z
  .object({
    /** The training config every cell starts from: a preset name and/or config keys. */
    base: z.record(z.string(), z.unknown()).default({}),
    axes: z
      .record(z.string(), axisSchema)
      .refine((a) => Object.keys(a).length > 0, { error: 'expected at least one axis' }),
    sample: z
      .discriminatedUnion('kind', [
        z.object({ kind: z.literal('grid') }).strict(),
        z
          .object({
            kind: z.literal('random'),
            count: z.number().int().positive(),
            seed: z.number().int().nonnegative().default(0),
          })
          .strict(),
      ])
      .default({ kind: 'grid' }),
    derived: z.object({ tokens: tokenRuleSchema.optional() }).strict().default({}),
    /** Probe suites run on every checkpoint of every cell (built-in names or files); default: every built-in. */
    suites: z.array(z.string().min(1)).default([]),
  })
  .strict();
export type SweepSpec = z.output<typeof sweepSpecSchema>;

/** Validates a sweep spec; axis keys must name config keys, axes must not be empty. */
export function parseSweepSpec(value: unknown, where: string): SweepSpec {
  const spec = parseWith(sweepSpecSchema, value, where);
  for (const [key, axis] of Object.entries(spec.axes)) {
    if (!isConfigKey(key))
      throw new SlurryError(
        `${where}: axes.${key}: not a training config key (e.g. seed, model.n_embd, optimizer.lr, data.schedule, preset)`,
      );
    if (Array.isArray(axis) && axis.length === 0)
      throw new SlurryError(`${where}: axes.${key}: empty (give at least one value)`);
    if (!Array.isArray(axis)) {
      if (spec.sample.kind === 'grid')
        throw new SlurryError(
          `${where}: axes.${key}: a range has no grid; sample it (sample: { kind: random, count: N })`,
        );
      if (axis.min > axis.max) throw new SlurryError(`${where}: axes.${key}: min ${axis.min} exceeds max ${axis.max}`);
      if (axis.log && axis.min <= 0)
        throw new SlurryError(`${where}: axes.${key}: a log range needs min > 0 (got ${axis.min})`);
    }
  }
  if (spec.derived.tokens && ('tokens' in spec.axes || 'steps' in spec.axes)) {
    throw new SlurryError(
      `${where}: derived.tokens: the budget is also an axis (${'tokens' in spec.axes ? 'tokens' : 'steps'}); keep one`,
    );
  }
  return spec;
}

/** Reads a sweep file (YAML or JSON); base.corpus and base.init_from are taken relative to it. */
export function readSweepFile(path: string): SweepSpec {
  const spec = parseSweepSpec(readConfigFile(path), path);
  const dir = dirname(resolve(path));
  for (const key of ['corpus', 'init_from']) {
    const v = spec.base[key];
    if (typeof v === 'string' && !isAbsolute(v)) spec.base[key] = resolve(dir, v);
  }
  return spec;
}

/** True when a dotted path names a key of the training config schema (or `preset`). */
export function isConfigKey(path: string): boolean {
  if (path === 'preset') return true;
  return hasPath(trainConfigSchema, path.split('.'));
}

type AnySchema = z.core.$ZodType;

function hasPath(schema: AnySchema, keys: string[]): boolean {
  const s = unwrap(schema);
  if (keys.length === 0) return true;
  const def = s._zod.def as {
    type: string;
    shape?: Record<string, AnySchema>;
    options?: AnySchema[];
    valueType?: AnySchema;
  };
  if (def.type === 'object') {
    const child = def.shape![keys[0]];
    return child !== undefined && hasPath(child, keys.slice(1));
  }
  if (def.type === 'union') return def.options!.some((o) => hasPath(o, keys));
  if (def.type === 'record') return hasPath(def.valueType!, keys.slice(1));
  return false;
}

function unwrap(schema: AnySchema): AnySchema {
  let s = schema;
  for (;;) {
    const def = s._zod.def as { type: string; innerType?: AnySchema; out?: AnySchema };
    if (['optional', 'default', 'prefault', 'nullable', 'readonly'].includes(def.type) && def.innerType)
      s = def.innerType;
    else if (def.type === 'pipe' && def.out)
      s = def.out; // z.preprocess: the schema after the transform
    else return s;
  }
}
