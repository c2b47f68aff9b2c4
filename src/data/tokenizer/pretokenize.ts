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

const PRETOKENIZE = new RegExp(PRETOKENIZE_PATTERN, 'gu');

/** The pieces of `text`; their concatenation is `text`. */
export function pretokenize(text: string): string[] {
  return text.match(PRETOKENIZE) ?? [];
}

/** Calls `fn` on each piece without building an array (the encoder's hot path). */
export function forEachPiece(text: string, fn: (piece: string) => void): void {
  const re = new RegExp(PRETOKENIZE.source, 'gu');
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) fn(m[0]);
}
