/**
 * DIR/sweep.json: what the sweep is (its spec, where it came from) and its cells (hash,
 * run directory, axis values, parameters, budget), written before any cell runs. The
 * report and the dashboard find a sweep's runs through it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { SlurryError } from '../util/errors.js';
import { writeJsonAtomic } from '../util/fs.js';
import { parseWith } from '../util/schema.js';
import type { PlannedCell } from './plan.js';
import type { SweepSpec } from './spec.js';

export const SWEEP_MANIFEST_VERSION = 1;

const manifestSchema = z.object({
  version: z.literal(SWEEP_MANIFEST_VERSION),
  where: z.string(),
  axes: z.array(z.string()),
  spec: z.record(z.string(), z.unknown()),
  cells: z.array(
    z.object({
      hash: z.string(),
      dir: z.string(),
      label: z.string(),
      values: z.record(z.string(), z.unknown()),
      parameters: z.number(),
      steps: z.number(),
      tokens: z.number(),
    }),
  ),
});
export type SweepManifest = z.output<typeof manifestSchema>;

export const sweepManifestPath = (dir: string) => join(dir, 'sweep.json');

export function isSweepDir(dir: string): boolean {
  return existsSync(sweepManifestPath(dir));
}

export function writeSweepManifest(
  dir: string,
  where: string,
  spec: SweepSpec,
  cells: readonly PlannedCell[],
): SweepManifest {
  const manifest: SweepManifest = {
    version: SWEEP_MANIFEST_VERSION,
    where,
    axes: Object.keys(spec.axes),
    spec: spec as unknown as Record<string, unknown>,
    cells: cells.map((c) => ({
      hash: c.hash,
      dir: c.dir,
      label: c.label,
      values: c.values,
      parameters: c.parameters,
      steps: c.resolved.steps,
      tokens: c.resolved.tokens,
    })),
  };
  writeJsonAtomic(sweepManifestPath(dir), manifest);
  return manifest;
}

export function readSweepManifest(dir: string): SweepManifest {
  const path = sweepManifestPath(dir);
  if (!existsSync(path))
    throw new SlurryError(`${path}: missing (is ${dir} a sweep directory made by \`slurry sweep\`?)`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new SlurryError(`${path}: not valid JSON (${(err as Error).message})`);
  }
  return parseWith(manifestSchema, raw, path);
}
