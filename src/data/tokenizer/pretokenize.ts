/**
 * Pre-tokenisation: the text is split into pieces that BPE never merges across. GPT-2's
 * pattern, except that every digit is its own piece (as in LLaMA), so numbers are
 * written digit by digit and arithmetic is learnable from a few million tokens.
 *
 * The same pattern goes into tokenizer.json as a Hugging Face `Split` pre-tokenizer
 * (Oniguruma), so both implementations split identically: keep it to syntax that means
 * the same in JavaScript (flag u) and Oniguruma.
 */

export const PRETOKENIZE_PATTERN = "'(?:[sdmt]|ll|ve|re)| ?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

/** A fresh global regex for the pattern (its lastIndex is state: one per user). */
export function pretokenizer(): RegExp {
  return new RegExp(PRETOKENIZE_PATTERN, 'gu');
}

const PRETOKENIZE = pretokenizer();

/** The pieces of `text`; their concatenation is `text`. */
export function pretokenize(text: string): string[] {
  return text.match(PRETOKENIZE) ?? [];
}
