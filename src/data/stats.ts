/**
 * Corpus statistics for `slurry data stats`: per-source sizes, filter and dedup counts
 * (from the manifest) and the most frequent tokens (counted from the training shards).
 */
import type { Corpus } from './corpus.js';

export interface TokenCount {
  id: number;
  /** The token's text (its bytes as UTF-8; a cut multi-byte character shows as U+FFFD). */
  text: string;
  count: number;
  /** Share of all training tokens. */
  fraction: number;
}

/** The `n` most frequent token ids over every source's training shard (ties by id). */
export function topTokens(corpus: Corpus, n: number): TokenCount[] {
  const counts = new Float64Array(corpus.tokenizer.vocabSize);
  let total = 0;
  for (const s of corpus.sources) {
    const t = corpus.tokens(s.name, 'train');
    for (let i = 0; i < t.length; i++) counts[t[i]!]!++;
    total += t.length;
  }
  const ids = Array.from(counts.keys()).sort((a, b) => counts[b]! - counts[a]! || a - b);
  return ids.slice(0, n).map((id) => ({
    id,
    text: corpus.tokenizer.decode([id]),
    count: counts[id]!,
    fraction: total ? counts[id]! / total : 0,
  }));
}
