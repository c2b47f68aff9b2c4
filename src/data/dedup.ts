/**
 * Deduplication across sources: exact duplicates by a hash of the whitespace- and
 * case-normalised text, near duplicates by MinHash signatures over word shingles with
 * locality-sensitive hashing (Broder 1997; Leskovec et al., Mining of Massive Datasets,
 * ch. 3), as in the GPT-3, The Pile and SlimPajama pipelines. Documents are offered in
 * build order; the first of a group is kept and later ones are reported.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { hashInts, mix32 } from './random.js';

export const DedupOptions = z.strictObject({
  /** false: no document is removed as a duplicate (the dedup experiment's "off"). */
  enabled: z.boolean().default(true),
  /** Estimated Jaccard similarity of shingle sets at or above which a document is a near duplicate. */
  threshold: z.number().gt(0).lt(1).default(0.8),
  /** MinHash signature length. */
  numPerm: z.number().int().min(8).max(512).default(128),
  /** Words per shingle. */
  shingleSize: z.number().int().positive().default(5),
  /** Seed of the hash family (part of the corpus config). */
  seed: z.number().int().default(1),
});
export type DedupOptions = z.infer<typeof DedupOptions>;

/** Word tokens for shingling: lower-case runs of letters, digits and underscores. */
export function shingleWords(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}_]+/gu) ?? [];
}

function wordHash(w: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < w.length; i++) h = Math.imul(h ^ w.charCodeAt(i), 0x01000193);
  return mix32(h);
}

/** The distinct 32-bit hashes of a text's word k-shingles (the whole text if shorter), sorted. */
export function shingleHashes(text: string, k: number): Uint32Array {
  const words = shingleWords(text);
  const hashes = new Uint32Array(words.length);
  for (let i = 0; i < words.length; i++) hashes[i] = wordHash(words[i]!);
  const n = Math.max(1, words.length - k + 1);
  const shingles = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    let h = 0x2545f491;
    for (let j = i; j < Math.min(words.length, i + k); j++) h = mix32(h ^ hashes[j]!) + j - i;
    shingles[i] = h >>> 0;
  }
  shingles.sort();
  let w = 0;
  for (let i = 0; i < n; i++) if (i === 0 || shingles[i] !== shingles[w - 1]) shingles[w++] = shingles[i]!;
  return shingles.subarray(0, w);
}

/** MinHash signature: for each of numPerm hash functions, the minimum over the shingles. */
export function minhashSignature(shingles: Uint32Array, salts: Uint32Array): Uint32Array {
  const sig = new Uint32Array(salts.length).fill(0xffffffff);
  for (let p = 0; p < salts.length; p++) {
    const salt = salts[p]!;
    let min = 0xffffffff;
    for (let i = 0; i < shingles.length; i++) {
      const h = mix32(shingles[i]! ^ salt);
      if (h < min) min = h;
    }
    sig[p] = min;
  }
  return sig;
}

/** Fraction of equal positions: an unbiased estimate of the Jaccard similarity. */
export function signatureSimilarity(a: Uint32Array, b: Uint32Array): number {
  let eq = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) eq++;
  return eq / a.length;
}

/**
 * Bands b and rows r (b*r <= numPerm) for LSH at `threshold`: the pair minimising the
 * sum of the false-positive and false-negative areas under the S-curve 1-(1-s^r)^b, as
 * datasketch chooses them.
 */
export function lshParams(threshold: number, numPerm: number): { bands: number; rows: number } {
  const integrate = (f: (s: number) => number, a: number, b: number) => {
    const steps = 200;
    const h = (b - a) / steps;
    let area = 0;
    for (let i = 0; i < steps; i++) area += f(a + (i + 0.5) * h) * h;
    return area;
  };
  let best = { bands: 1, rows: numPerm, error: Infinity };
  for (let bands = 1; bands <= numPerm; bands++) {
    for (let rows = 1; rows * bands <= numPerm; rows++) {
      const p = (s: number) => 1 - Math.pow(1 - Math.pow(s, rows), bands);
      const error = integrate(p, 0, threshold) + integrate((s) => 1 - p(s), threshold, 1);
      if (error < best.error) best = { bands, rows, error };
    }
  }
  return { bands: best.bands, rows: best.rows };
}

export type DuplicateKind = 'exact' | 'near';

/** Streams documents through exact and near-duplicate detection. */
export class Deduplicator {
  private readonly exact = new Set<string>();
  private readonly buckets = new Map<string, number[]>();
  private readonly signatures: Uint32Array[] = [];
  private readonly salts: Uint32Array;
  private readonly bands: number;
  private readonly rows: number;

  constructor(readonly options: DedupOptions) {
    this.salts = Uint32Array.from({ length: options.numPerm }, (_, i) => hashInts(options.seed, i));
    ({ bands: this.bands, rows: this.rows } = lshParams(options.threshold, options.numPerm));
  }

  /** Returns how `text` duplicates an earlier kept document, or null (and keeps it). */
  offer(text: string): DuplicateKind | null {
    const key = createHash('sha1').update(text.toLowerCase().replace(/\s+/g, ' ').trim()).digest('base64');
    if (this.exact.has(key)) return 'exact';
    const sig = minhashSignature(shingleHashes(text, this.options.shingleSize), this.salts);
    const bandKeys: string[] = [];
    const candidates = new Set<number>();
    for (let b = 0; b < this.bands; b++) {
      const k = `${b}:${hashInts(...sig.subarray(b * this.rows, (b + 1) * this.rows))}`;
      bandKeys.push(k);
      for (const c of this.buckets.get(k) ?? []) candidates.add(c);
    }
    for (const c of candidates)
      if (signatureSimilarity(sig, this.signatures[c]!) >= this.options.threshold) return 'near';
    this.exact.add(key);
    const id = this.signatures.length;
    this.signatures.push(sig);
    for (const k of bandKeys) {
      const list = this.buckets.get(k);
      if (list) list.push(id);
      else this.buckets.set(k, [id]);
    }
    return null;
  }
}
