/**
 * The mixture sampler. Batch k is a pure function of (data seed, k, weights, batch size,
 * context length): no state, so any batch can be recomputed and shown again (Pythia's
 * batch viewer), a run resumes exactly, and weights may change every step (curricula,
 * annealing, bandits) without disturbing anything else.
 *
 * Each row is a window of T+1 consecutive tokens from one source's training shard (read
 * cyclically, so a shard shorter than a window still serves). Rows are assigned to
 * sources by systematic sampling: with a random start r in [0,1), row b takes the source
 * whose cumulative weight interval holds (b + r)/B, so each source gets within one row of
 * B times its weight. The window's start is uniform over the shard.
 *
 * With `repeats` > 0, that fraction of rows (each chosen by a hash of seed, step and row;
 * one fraction for every source, or one per source by name)
 * holds a span of its window followed at once by the same span again, then the text that
 * follows the span: natural text with a repeated span, the pattern from which induction
 * heads form (Olsson et al. 2022, "In-context learning and induction heads"). The span is
 * T/8 to T/2 tokens long. The text is the source's own training text, so nothing held out
 * enters training.
 */
import { SlurryError } from '../util/errors.js';
import { MAX_BATCH_TOKENS, overBudget } from '../util/limits.js';
import { hashUniform } from './random.js';

export interface BatchRequest {
  /** The data seed (separate from the model seed). */
  seed: number;
  /** The step k: which batch. */
  step: number;
  /** Mixture weight per source name; unnamed sources get 0. Normalised internally. */
  weights: Readonly<Record<string, number>>;
  batchSize: number;
  context: number;
  /**
   * Fraction of rows that repeat a span of their window (0 when absent): one for every
   * source, or per source name (sources left out: 0).
   */
  repeats?: number | Readonly<Record<string, number>>;
}

export interface BatchRow {
  /** Source index (position in the manifest's sources). */
  source: number;
  /** Start of the window in the source's training shard. */
  offset: number;
  /** Length of the span written twice at the row's start, when the row repeats one. */
  repeat?: number;
}

/** Salts of the per-row hashes that decide repeats, apart from the offset's. */
const REPEAT_SALT = 0x7e9ea7;
const SPAN_SALT = 0x59a2;

/** B rows of T tokens: what a training or validation step consumes. */
export interface Batch {
  /** [B*T] input ids, row-major. */
  inputs: Int32Array;
  /** [B*T] next-token targets: targets[b*T+t] follows inputs[b*T+t]. */
  targets: Int32Array;
  /** [B*T] source index of each target token. */
  sources: Uint8Array;
}

/** A batch as the sampler draws it from the corpus: with each row's source and offset. */
export interface SampledBatch extends Batch {
  rows: BatchRow[];
}

/** The token streams the sampler reads: one training shard per source, in source order. */
export interface SamplerShards {
  names: readonly string[];
  train: readonly Uint16Array[];
}

function checkInt(value: number, field: string, min: number): void {
  if (!Number.isSafeInteger(value) || value < min)
    throw new SlurryError(`batch request: field "${field}" must be an integer >= ${min}, got ${value}`);
}

/** B x T within MAX_BATCH_TOKENS, and `batches` such batches within the memory budget, before allocating. */
function checkBatchSize(batchSize: number, context: number, batches = 1): void {
  checkInt(batchSize, 'batchSize', 1);
  checkInt(context, 'context', 1);
  const tokens = batchSize * context;
  if (tokens > MAX_BATCH_TOKENS) {
    throw new SlurryError(
      `batch request: batchSize x context = ${batchSize} x ${context} tokens, more than ${MAX_BATCH_TOKENS} per batch`,
    );
  }
  const tooBig = overBudget(batches * tokens * 9, `batch request: ${batches} batches of ${tokens} tokens`);
  if (tooBig) throw new SlurryError(tooBig);
}

/**
 * Checks mixture weights against the source names and returns each source's probability.
 * Errors name the field: an unknown source, a negative or non-finite weight, all zero, or
 * weight on a source with no training tokens.
 */
export function mixtureProbabilities(weights: Readonly<Record<string, number>>, shards: SamplerShards): Float64Array {
  if (typeof weights !== 'object' || weights === null)
    throw new SlurryError('field "weights": expected an object of source name -> weight');
  const p = new Float64Array(shards.names.length);
  for (const [name, w] of Object.entries(weights)) {
    const i = shards.names.indexOf(name);
    if (i < 0)
      throw new SlurryError(
        `field "weights.${name}": unknown source "${name}"; sources are ${shards.names.join(', ')}`,
      );
    if (typeof w !== 'number' || !Number.isFinite(w) || w < 0)
      throw new SlurryError(`field "weights.${name}": must be a finite number >= 0, got ${String(w)}`);
    if (w > 0 && shards.train[i]!.length === 0)
      throw new SlurryError(`field "weights.${name}": source "${name}" has no training tokens`);
    p[i] = w;
  }
  const total = p.reduce((a, b) => a + b, 0);
  if (!(total > 0))
    throw new SlurryError(
      `field "weights": all weights are zero; give at least one of ${shards.names.join(', ')} a positive weight`,
    );
  for (let i = 0; i < p.length; i++) p[i]! /= total;
  return p;
}

/** Each source's fraction of repeating rows, checked: fractions in [0, 1], known source names. */
function repeatFractions(repeats: number | Readonly<Record<string, number>>, shards: SamplerShards): Float64Array {
  const fraction = (f: unknown, field: string) => {
    if (typeof f !== 'number' || !(f >= 0 && f <= 1))
      throw new SlurryError(`batch request: field "${field}" must be a fraction in [0, 1], got ${String(f)}`);
    return f;
  };
  if (typeof repeats === 'number') return new Float64Array(shards.names.length).fill(fraction(repeats, 'repeats'));
  const out = new Float64Array(shards.names.length);
  for (const [name, f] of Object.entries(repeats)) {
    const i = shards.names.indexOf(name);
    if (i < 0)
      throw new SlurryError(
        `batch request: field "repeats.${name}": unknown source "${name}"; sources are ${shards.names.join(', ')}`,
      );
    out[i] = fraction(f, `repeats.${name}`);
  }
  return out;
}

/** Batch `req.step`: see the module comment. */
export function sampleBatch(shards: SamplerShards, req: BatchRequest): SampledBatch {
  checkInt(req.seed, 'seed', 0);
  checkInt(req.step, 'step', 0);
  checkBatchSize(req.batchSize, req.context);
  const repeats = repeatFractions(req.repeats ?? 0, shards);
  const p = mixtureProbabilities(req.weights, shards);
  const B = req.batchSize;
  const T = req.context;
  const inputs = new Int32Array(B * T);
  const targets = new Int32Array(B * T);
  const sources = new Uint8Array(B * T);
  const rows: BatchRow[] = [];
  const start = hashUniform(req.seed, req.step, 0x5eed);
  let source = 0;
  let cumulative = p[0]!;
  for (let b = 0; b < B; b++) {
    const u = (b + start) / B;
    while (u >= cumulative && source < p.length - 1) cumulative += p[++source]!;
    // Guard against rounding at the top end: never land on a zero-weight source.
    let s = source;
    while (p[s] === 0) s--;
    const shard = shards.train[s]!;
    const n = shard.length;
    const offset = Math.floor(hashUniform(req.seed, req.step, b) * n);
    const base = b * T;
    if (repeats[s]! > 0 && hashUniform(req.seed, req.step, b, REPEAT_SALT) < repeats[s]!) {
      const shortest = Math.max(1, Math.floor(T / 8));
      const span =
        shortest + Math.floor(hashUniform(req.seed, req.step, b, SPAN_SALT) * (Math.floor(T / 2) - shortest + 1));
      rows.push({ source: s, offset, repeat: span });
      // Window position t reads the shard at offset + t, less the span once past its copy.
      const at = (t: number) => shard[(offset + (t < span ? t : t - span)) % n]!;
      for (let t = 0; t < T; t++) {
        inputs[base + t] = at(t);
        targets[base + t] = at(t + 1);
      }
    } else {
      rows.push({ source: s, offset });
      let pos = offset;
      let prev = shard[pos]!;
      for (let t = 0; t < T; t++) {
        pos = pos + 1 === n ? 0 : pos + 1;
        const next = shard[pos]!;
        inputs[base + t] = prev;
        targets[base + t] = next;
        prev = next;
      }
    }
    sources.fill(s, base, base + T);
  }
  return { inputs, targets, sources, rows };
}

/**
 * Fixed validation batches of one token stream: `count` windows of T+1 tokens at evenly
 * spaced starts (cyclic), grouped into batches of B rows. No randomness: the same corpus
 * always gives the same validation set.
 */
export function fixedBatches(
  tokens: Uint16Array,
  source: number,
  batches: number,
  batchSize: number,
  context: number,
): SampledBatch[] {
  checkInt(batches, 'batches', 1);
  checkBatchSize(batchSize, context, batches);
  const n = tokens.length;
  if (n === 0) return [];
  const T = context;
  const windows = batches * batchSize;
  const out: SampledBatch[] = [];
  for (let k = 0; k < batches; k++) {
    const inputs = new Int32Array(batchSize * T);
    const targets = new Int32Array(batchSize * T);
    const rows: BatchRow[] = [];
    for (let b = 0; b < batchSize; b++) {
      const offset = Math.floor(((k * batchSize + b) * n) / windows);
      rows.push({ source, offset });
      for (let t = 0; t < T; t++) {
        inputs[b * T + t] = tokens[(offset + t) % n]!;
        targets[b * T + t] = tokens[(offset + t + 1) % n]!;
      }
    }
    out.push({ inputs, targets, sources: new Uint8Array(batchSize * T).fill(source), rows });
  }
  return out;
}
