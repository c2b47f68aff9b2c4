/**
 * A set of the training text's sentences, stored as sorted 52-bit hashes
 * (knowledge/sentences.bin, float64 little-endian), so probes can check in microseconds
 * that a sentence they build (a minimal pair, a held-out template) never occurs in
 * training. Sentences are compared after normalisation: NFC, lower case, every run of
 * non-alphanumeric characters one space. A hash collision could report a novel sentence
 * as seen (never the reverse): at 10^6 sentences the chance is about 10^-4.
 */
import { hashString, mix32 } from './random.js';

/** Sentence boundaries: after . ! ? (optionally closing quotes/brackets) and whitespace, or at a newline. */
const BOUNDARY = /(?<=[.!?]["')\]]?)\s+|\n+/;

export function splitSentences(text: string): string[] {
  return text.split(BOUNDARY).filter((s) => /[\p{L}\p{N}]/u.test(s));
}

export function normalizeSentence(sentence: string): string {
  return sentence
    .normalize('NFC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** A 52-bit hash (exact in a float64) of a normalised sentence. */
export function sentenceHash(normalized: string): number {
  const a = hashString(normalized);
  let b = 0x3c6ef372;
  for (let i = 0; i < normalized.length; i++) b = mix32(b ^ normalized.charCodeAt(i)) + i;
  return (a & 0xfffff) * 4294967296 + (b >>> 0);
}

/** Collects sentence hashes; `finish` returns them sorted and unique. */
export class SentenceIndexBuilder {
  private readonly hashes: number[] = [];

  addText(text: string): void {
    for (const s of splitSentences(text)) {
      const n = normalizeSentence(s);
      if (n) this.hashes.push(sentenceHash(n));
    }
  }

  finish(): Float64Array {
    const sorted = Float64Array.from(this.hashes).sort();
    let w = 0;
    for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[w - 1]) sorted[w++] = sorted[i]!;
    return sorted.slice(0, w);
  }
}

export class SentenceIndex {
  constructor(private readonly sorted: Float64Array) {}

  get size(): number {
    return this.sorted.length;
  }

  /** Whether `sentence` (normalised as above) occurs as a sentence of the training text. */
  has(sentence: string): boolean {
    const n = normalizeSentence(sentence);
    if (!n) return false;
    const h = sentenceHash(n);
    let lo = 0;
    let hi = this.sorted.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const v = this.sorted[mid]!;
      if (v === h) return true;
      if (v < h) lo = mid + 1;
      else hi = mid - 1;
    }
    return false;
  }
}

/** File bytes of an index (float64 little-endian). */
export function sentenceIndexBytes(sorted: Float64Array): Uint8Array {
  const out = new Uint8Array(sorted.length * 8);
  const dv = new DataView(out.buffer);
  sorted.forEach((h, i) => dv.setFloat64(i * 8, h, true));
  return out;
}

export function sentenceIndexFromBytes(bytes: Uint8Array): SentenceIndex {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const sorted = new Float64Array(bytes.byteLength / 8);
  for (let i = 0; i < sorted.length; i++) sorted[i] = dv.getFloat64(i * 8, true);
  return new SentenceIndex(sorted);
}
