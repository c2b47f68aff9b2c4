/**
 * Text generation with a KV cache: the prompt is run once, then each new token
 * costs one single-position forward pass. Greedy (temperature 0), temperature sampling and
 * top-k; every random draw comes from a seeded generator.
 */
import { BufferPool } from '../engine/buffer-pool.js';
import { Rng } from '../util/rng.js';
import type { GPT } from './gpt.js';
import { KVCache } from './kv-cache.js';
import { argmaxOf } from '../util/argmax.js';

export interface GenerateOptions {
  maxNewTokens: number;
  /** 0 = greedy (argmax). */
  temperature?: number;
  /** Sample among the k most likely tokens only (0 or undefined: all). */
  topK?: number;
  seed?: number;
  /** Stop after emitting this token (e.g. the end-of-text id). */
  stopToken?: number;
}

/** Continues `prompt` (token ids); returns the new tokens only. */
export function generate(model: GPT, prompt: readonly number[], opts: GenerateOptions): number[] {
  if (prompt.length === 0) throw new Error('generate: the prompt needs at least one token');
  const temperature = opts.temperature ?? 0;
  const rng = new Rng(opts.seed ?? 0);
  const cache = new KVCache(model.config);
  const pool = new BufferPool();
  const out: number[] = [];
  // Keep the most recent tokens when the prompt does not fit, leaving room to generate.
  let context = prompt.slice(-Math.max(1, cache.capacity - Math.min(opts.maxNewTokens, cache.capacity >> 1)));
  let logits = step(model, cache, pool, context);
  while (out.length < opts.maxNewTokens) {
    const next = pick(logits, temperature, opts.topK ?? 0, rng);
    out.push(next);
    if (next === opts.stopToken || out.length === opts.maxNewTokens) break;
    context = [...context, next];
    if (cache.length === cache.capacity) {
      // The context is full: slide the window to its second half and prefill again.
      context = context.slice(-(cache.capacity >> 1));
      cache.reset();
      logits = step(model, cache, pool, context);
    } else {
      logits = step(model, cache, pool, [next]);
    }
  }
  return out;
}

/** Runs `tokens` through the model after the cached ones; returns the last position's logits. */
function step(model: GPT, cache: KVCache, pool: BufferPool, tokens: readonly number[]): Float32Array {
  const g = model.graph(false, { pool });
  const logits = model.forward(g, Int32Array.from(tokens), 1, tokens.length, { cache });
  const V = model.config.vocab_size;
  const last = Float32Array.from(logits.data.subarray((tokens.length - 1) * V, tokens.length * V));
  g.release();
  return last;
}

function pick(logits: Float32Array, temperature: number, topK: number, rng: Rng): number {
  if (temperature <= 0) return argmaxOf(logits, 0, logits.length);
  let candidates = Array.from(logits.keys());
  if (topK > 0 && topK < logits.length)
    candidates = candidates.sort((a, b) => logits[b] - logits[a] || a - b).slice(0, topK);
  let max = -Infinity;
  for (const i of candidates) max = Math.max(max, logits[i]);
  const weights = candidates.map((i) => Math.exp((logits[i] - max) / temperature));
  const total = weights.reduce((a, b) => a + b, 0);
  let r = rng.next() * total;
  for (let j = 0; j < candidates.length; j++) {
    r -= weights[j];
    if (r <= 0) return candidates[j];
  }
  return candidates[candidates.length - 1];
}
