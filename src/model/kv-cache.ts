/**
 * Keys and values of every layer for the tokens seen so far, so generation computes each
 * new token in O(context) instead of re-running the whole prefix.
 */
import type { GPTConfig } from './config.js';

export class KVCache {
  /** Tokens cached so far (the position of the next token). */
  length = 0;
  readonly keys: Float32Array[];
  readonly values: Float32Array[];

  constructor(readonly config: GPTConfig) {
    const size = config.n_positions * config.n_embd;
    this.keys = Array.from({ length: config.n_layer }, () => new Float32Array(size));
    this.values = Array.from({ length: config.n_layer }, () => new Float32Array(size));
  }

  get capacity(): number {
    return this.config.n_positions;
  }

  reset(): void {
    this.length = 0;
  }
}
