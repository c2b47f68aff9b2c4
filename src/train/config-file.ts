/**
 * Builds a training config from its layers: a preset, then a YAML or JSON file, then
 * command-line flags, each overriding the one before. Paths in a file (corpus, init_from)
 * are relative to the file. Syntax errors name the file, line and column.
 */
import { dirname, isAbsolute, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { SlurryError } from '../util/errors.js';
import { readUtf8File } from '../util/text-file.js';
import { trainPreset } from './presets.js';

type Json = Record<string, unknown>;

/** A config file is a page of keys; anything much larger is not one. */
const MAX_CONFIG_BYTES = 1 << 20;

/**
 * YAML text as plain values. Syntax errors name the line and column; aliases are expanded
 * at most MAX_ALIASES times, so a "billion laughs" document is refused, not expanded.
 */
export function parseYaml(text: string, path: string): unknown {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length) {
    const e = doc.errors[0];
    const at = e.linePos?.[0] ? `:${e.linePos[0].line}:${e.linePos[0].col}` : '';
    throw new SlurryError(`${path}${at}: ${e.message.split('\n')[0]}`);
  }
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (err) {
    throw new SlurryError(`${path}: ${(err as Error).message} (at most ${MAX_ALIASES} alias expansions)`);
  }
}

const MAX_ALIASES = 100;

/** Reads a YAML (or JSON, which is YAML) config file into a plain object. */
export function readConfigFile(path: string): Json {
  const value = (parseYaml(readUtf8File(path, 'config file', MAX_CONFIG_BYTES), path) ?? {}) as Json;
  if (typeof value !== 'object' || Array.isArray(value))
    throw new SlurryError(
      `${path}: expected a mapping of config keys, got ${Array.isArray(value) ? 'a list' : typeof value}`,
    );
  const base = dirname(resolve(path));
  for (const key of ['corpus', 'init_from']) {
    if (typeof value[key] === 'string' && !isAbsolute(value[key])) value[key] = resolve(base, value[key]);
  }
  return value;
}

export interface ConfigLayers {
  /** A preset name; a file may also name one with `preset:` (the flag wins). */
  preset?: string;
  file?: string;
  /** Flags: already in config shape ({ steps: 100 }, { corpus: '/abs' }). */
  overrides?: Json;
}

/** The merged (unvalidated) config of the layers; validation comes with resolution. */
export function layeredConfig(layers: ConfigLayers): Json {
  const file = layers.file ? readConfigFile(layers.file) : {};
  const { preset: filePreset, ...fileRest } = file;
  if (filePreset !== undefined && typeof filePreset !== 'string')
    throw new SlurryError(`${layers.file}: preset: expected a preset name`);
  const presetName = layers.preset ?? (filePreset as string | undefined);
  const overrides = layers.overrides ?? {};
  let config: Json = {};
  if (layers.preset !== undefined) config = trainPreset(layers.preset) as Json;
  else if (presetName !== undefined) {
    try {
      config = trainPreset(presetName) as Json;
    } catch (err) {
      // Named in the file: the error names the file, not a flag.
      throw err instanceof SlurryError ? new SlurryError(`${layers.file}: ${err.message}`) : err;
    }
  }
  // Continued pretraining takes the checkpoint's model: a preset's model would contradict it.
  if ((fileRest.init_from ?? overrides.init_from) !== undefined) delete config.model;
  for (const layer of [fileRest, overrides]) {
    // A layer that sets a budget (steps or tokens) replaces the budget of the layers below.
    if (layer.steps !== undefined || layer.tokens !== undefined) {
      delete config.steps;
      delete config.tokens;
    }
    config = mergeConfig(config, layer);
  }
  return config;
}

/**
 * Deep merge: objects merge key by key; anything else (arrays, scalars) is replaced. An
 * object whose `kind` changes (a schedule of another kind) is replaced whole, since its
 * other keys belong to the old kind.
 */
export function mergeConfig(base: Json, over: Json): Json {
  const out: Json = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const prev = out[key];
    if (isObject(prev) && isObject(value) && (value.kind === undefined || value.kind === prev.kind))
      out[key] = mergeConfig(prev, value);
    else out[key] = value;
  }
  return out;
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
