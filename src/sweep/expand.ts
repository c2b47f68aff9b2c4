/**
 * From axes to cells: every combination of axis values (grid) or `count` random draws,
 * each an assignment of values to dotted config keys, composed onto the base config in
 * layers as `slurry train` composes a preset, a file and flags.
 */
import { mergeConfig } from '../train/config-file.js';
import { trainPreset } from '../train/presets.js';
import { Rng } from '../util/rng.js';
import type { Axis, SweepSpec } from './spec.js';

type Json = Record<string, unknown>;

/** One cell's axis values, by dotted key, in axis order. */
export type Assignment = Record<string, unknown>;

/** Cells in a grid over these axes (before any is built). */
export function gridSize(axes: Record<string, Axis>): number {
  return Object.values(axes).reduce((n, a) => n * (Array.isArray(a) ? a.length : Infinity), 1);
}

/** The assignments of a sweep, in a stable order (the last axis varies fastest). */
export function assignments(spec: SweepSpec): Assignment[] {
  const keys = Object.keys(spec.axes);
  if (spec.sample.kind === 'random') {
    const rng = Rng.derive(spec.sample.seed, 'sweep');
    return Array.from({ length: spec.sample.count }, () =>
      Object.fromEntries(keys.map((k) => [k, draw(spec.axes[k], rng)])),
    );
  }
  let out: Assignment[] = [{}];
  for (const key of keys) {
    const values = spec.axes[key] as unknown[];
    out = out.flatMap((a) => values.map((v) => ({ ...a, [key]: v })));
  }
  return out;
}

function draw(axis: Axis, rng: Rng): unknown {
  if (Array.isArray(axis)) return axis[rng.int(axis.length)];
  const u = rng.next();
  const x = axis.log
    ? Math.exp(Math.log(axis.min) + u * (Math.log(axis.max) - Math.log(axis.min)))
    : axis.min + u * (axis.max - axis.min);
  // Rounded to 6 significant digits so the value reads well in labels and files.
  return axis.int ? Math.round(x) : Number(x.toPrecision(6));
}

/**
 * The cell's (unvalidated) training config: the base's preset (or the cell's `preset`
 * axis), then the base's keys, then the axis values. A layer that sets a budget (steps or
 * tokens) replaces the budget of the layers below, as in `slurry train`.
 */
export function composeCell(base: Json, cell: Assignment): Json {
  const { preset: basePreset, ...baseRest } = base;
  const { preset: cellPreset, ...values } = cell;
  const preset = (cellPreset ?? basePreset) as string | undefined;
  let config: Json = preset !== undefined ? (trainPreset(String(preset)) as Json) : {};
  const overrides = Object.entries(values).reduce<Json>(
    (acc, [key, value]) => mergeConfig(acc, nested(key, value)),
    {},
  );
  for (const layer of [baseRest, overrides]) {
    if (layer.steps !== undefined || layer.tokens !== undefined) {
      delete config.steps;
      delete config.tokens;
    }
    config = mergeConfig(config, layer);
  }
  return config;
}

/** `a.b.c`, v -> { a: { b: { c: v } } } */
function nested(path: string, value: unknown): Json {
  return path
    .split('.')
    .reverse()
    .reduce<unknown>((inner, key) => ({ [key]: inner }), value) as Json;
}

/** A short human label: `seed=1 model.n_embd=64`, objects as compact JSON. */
export function cellLabel(cell: Assignment): string {
  return Object.entries(cell)
    .map(([k, v]) => `${k}=${typeof v === 'object' && v !== null ? compactJson(v) : String(v)}`)
    .join(' ');
}

function compactJson(v: unknown): string {
  return JSON.stringify(v)
    .replace(/"([A-Za-z_][A-Za-z0-9_]*)":/g, '$1:')
    .replace(/"/g, '');
}
