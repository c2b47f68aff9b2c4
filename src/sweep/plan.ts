/**
 * A sweep's plan: every cell's training config, resolved against its corpus as
 * `slurry train` would (so a bad cell is refused before anything runs, naming its axis
 * and value), and identified by a hash of that resolved config. The cell's run directory
 * is DIR/cells/<hash>, so the same config always lands in the same place: a re-run finds
 * its finished, interrupted and failed cells there.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { parameterSpecs } from '../model/gpt.js';
import { parseTrainConfig, resolveTrainConfig, type ResolvedTrainConfig } from '../train/config.js';
import type { SourceInfo } from '../train/training-data.js';
import { SlurryError } from '../util/errors.js';
import { assignments, cellLabel, composeCell, gridSize, type Assignment } from './expand.js';
import type { SweepSpec, TokenRule } from './spec.js';

/** Grids larger than this need --yes. */
export const MAX_CELLS_WITHOUT_YES = 10_000;

/** What resolution needs to know about a corpus. */
export interface CorpusInfo {
  sources: readonly SourceInfo[];
  vocabSize: number;
}

export interface PlannedCell {
  /** sha256 of the resolved config (canonical JSON), first 16 hex digits. */
  hash: string;
  /** DIR/cells/<hash>, relative to the sweep directory. */
  dir: string;
  label: string;
  values: Assignment;
  /** The composed config handed to the trainer (it resolves to `resolved`). */
  config: Record<string, unknown>;
  resolved: ResolvedTrainConfig;
  /** Non-embedding parameters (Kaplan et al.'s N). */
  parameters: number;
}

export interface PlanOptions {
  /** Names the sweep's origin in errors (the file, or the preset). */
  where: string;
  /** The corpus's sources and vocabulary (cached by the caller). */
  corpus: (dir: string) => CorpusInfo;
  /** Allow more than MAX_CELLS_WITHOUT_YES cells. */
  yes?: boolean;
}

export function planSweep(spec: SweepSpec, opts: PlanOptions): PlannedCell[] {
  const size = spec.sample.kind === 'random' ? spec.sample.count : gridSize(spec.axes);
  if (size > MAX_CELLS_WITHOUT_YES && !opts.yes) {
    const axes = Object.entries(spec.axes)
      .map(([k, a]) => `${k} (${Array.isArray(a) ? a.length : 'range'})`)
      .join(' x ');
    throw new SlurryError(
      `${opts.where}: ${size.toLocaleString('en-US')} cells (${axes}) is more than ${MAX_CELLS_WITHOUT_YES.toLocaleString('en-US')}; pass --yes to run them all`,
    );
  }
  const seen = new Map<string, PlannedCell>();
  for (const values of assignments(spec)) {
    const cell = planCell(spec.base, values, { ...opts, derived: spec.derived });
    // Random draws may repeat a cell: it runs once.
    if (!seen.has(cell.hash)) seen.set(cell.hash, cell);
  }
  return [...seen.values()];
}

/**
 * One cell: `values` composed onto `base`, resolved against its corpus and hashed. Sweeps
 * call it per assignment; experiments per arm and seed.
 */
export function planCell(
  base: Record<string, unknown>,
  values: Assignment,
  opts: PlanOptions & { derived?: SweepSpec['derived'] },
): PlannedCell {
  const label = cellLabel(values);
  try {
    const config = composeCell(base, values);
    const parsed = parseTrainConfig(config, 'config');
    const parameters = nonEmbeddingParameters(parsed.model);
    if (opts.derived?.tokens) {
      delete config.steps;
      config.tokens = derivedTokens(opts.derived.tokens, parameters);
    }
    const checked = parseTrainConfig(config, 'config');
    if (!checked.corpus)
      throw new SlurryError('corpus: missing (set base.corpus in the sweep file, or pass --corpus DIR)');
    const corpus = opts.corpus(checked.corpus);
    const resolved = resolveTrainConfig(checked, {
      sources: corpus.sources,
      vocabSize: corpus.vocabSize,
      where: 'config',
    });
    const hash = configHash(resolved);
    return { hash, dir: join('cells', hash), label, values, config, resolved, parameters };
  } catch (err) {
    if (!(err instanceof SlurryError)) throw err;
    throw new SlurryError(
      `${opts.where}: ${culprit(values, err.message) ?? `cell ${label}`}: ${err.message.replace(/^config: /gm, '')}`,
    );
  }
}

/** `axis model.n_embd = 33` when the message names one of the cell's axis keys. */
function culprit(values: Assignment, message: string): string | null {
  const keys = Object.keys(values).sort((a, b) => b.length - a.length);
  const key = keys.find((k) => message.includes(k) || message.includes(k.split('.').pop()!));
  return key ? `axis ${key} = ${JSON.stringify(values[key])} (cell ${cellLabel(values)})` : null;
}

function derivedTokens(rule: TokenRule, parameters: number): number {
  const tokens = 'per_parameter' in rule ? rule.per_parameter * parameters : rule.flops / (6 * parameters);
  return Math.max(1, Math.round(tokens));
}

/**
 * Parameters outside the token and position embeddings (and an untied unembedding): the
 * N of the scaling-law papers (Kaplan et al. 2020), whose training compute is 6 N D.
 */
export function nonEmbeddingParameters(model: {
  n_layer: number;
  n_head: number;
  n_embd: number;
  n_inner?: number;
  layer_norm?: boolean;
}): number {
  const specs = parameterSpecs({
    vocab_size: 1,
    n_positions: 1,
    n_inner: model.n_inner ?? 4 * model.n_embd,
    activation_function: 'gelu_new',
    layer_norm: model.layer_norm ?? true,
    layer_norm_epsilon: 1e-5,
    tie_word_embeddings: true,
    initializer_range: 0.02,
    ...model,
  } as Parameters<typeof parameterSpecs>[0]);
  return specs
    .filter((s) => !['transformer.wte.weight', 'transformer.wpe.weight', 'lm_head.weight'].includes(s.name))
    .reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1), 0);
}

/** The identity of a resolved config: sha256 over canonical JSON (keys sorted), 16 hex digits. */
export function configHash(config: unknown): string {
  return createHash('sha256').update(canonicalJson(config)).digest('hex').slice(0, 16);
}

export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
