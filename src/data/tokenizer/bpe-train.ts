/**
 * Byte-level BPE training (Sennrich et al. 2016; GPT-2): start from the 256 bytes and
 * repeatedly merge the most frequent adjacent pair of tokens within the pre-tokenised
 * pieces, until the vocabulary has the requested size.
 *
 * Pair counts are kept incrementally (only the pieces containing the merged pair are
 * revisited) and the most frequent pair comes from a lazy max-heap, so training on a few
 * megabytes takes seconds. Ties go to the smaller (left id, right id): deterministic.
 */

export interface BpeModel {
  /** The bytes of each token id; ids 0..255 are the single bytes in order. */
  vocab: Uint8Array[];
  /** Merges in rank order: [left id, right id, result id]. */
  merges: [number, number, number][];
}

const pairKey = (a: number, b: number) => a * 65536 + b;

/** A max-heap of (count, key), ordered by count descending then key ascending. */
class PairHeap {
  private counts: number[] = [];
  private keys: number[] = [];

  get size(): number {
    return this.counts.length;
  }

  private above(i: number, j: number): boolean {
    const ci = this.counts[i]!;
    const cj = this.counts[j]!;
    return ci > cj || (ci === cj && this.keys[i]! < this.keys[j]!);
  }

  private swap(i: number, j: number): void {
    [this.counts[i], this.counts[j]] = [this.counts[j]!, this.counts[i]!];
    [this.keys[i], this.keys[j]] = [this.keys[j]!, this.keys[i]!];
  }

  push(count: number, key: number): void {
    this.counts.push(count);
    this.keys.push(key);
    let i = this.counts.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.above(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  pop(): { count: number; key: number } {
    const top = { count: this.counts[0]!, key: this.keys[0]! };
    const lastCount = this.counts.pop()!;
    const lastKey = this.keys.pop()!;
    if (this.counts.length > 0) {
      this.counts[0] = lastCount;
      this.keys[0] = lastKey;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < this.counts.length && this.above(l, m)) m = l;
        if (r < this.counts.length && this.above(r, m)) m = r;
        if (m === i) break;
        this.swap(i, m);
        i = m;
      }
    }
    return top;
  }
}

export interface TrainOptions {
  /** Tokens to reach, bytes included (special tokens not included). */
  tokens: number;
  /** Pairs seen fewer times than this are never merged. */
  minCount?: number;
  /** Called after each merge with the number of tokens so far. */
  onMerge?: (tokens: number) => void;
}

/** Trains byte-level BPE on pieces with their counts (from a pre-tokenised sample). */
export function trainBpe(pieceCounts: ReadonlyMap<string, number>, opts: TrainOptions): BpeModel {
  const minCount = opts.minCount ?? 2;
  const encoder = new TextEncoder();
  const vocab: Uint8Array[] = Array.from({ length: 256 }, (_, b) => Uint8Array.of(b));
  const idOfBytes = new Map<string, number>(vocab.map((v, i) => [Buffer.from(v).toString('latin1'), i]));
  const merges: [number, number, number][] = [];

  // Pieces in a fixed order (sorted), so training never depends on Map insertion order.
  const pieces = [...pieceCounts.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const words: number[][] = pieces.map(([p]) => [...encoder.encode(p)]);
  const freq: number[] = pieces.map(([, c]) => c);

  const counts = new Map<number, number>();
  const where = new Map<number, Set<number>>();
  const addPairs = (w: number, sign: 1 | -1, changed: Set<number> | null) => {
    const s = words[w]!;
    for (let i = 0; i + 1 < s.length; i++) {
      const k = pairKey(s[i]!, s[i + 1]!);
      counts.set(k, (counts.get(k) ?? 0) + sign * freq[w]!);
      if (sign > 0) {
        let set = where.get(k);
        if (!set) where.set(k, (set = new Set()));
        set.add(w);
        changed?.add(k);
      }
    }
  };
  for (let w = 0; w < words.length; w++) addPairs(w, 1, null);

  const heap = new PairHeap();
  for (const [k, c] of [...counts].sort(([a], [b]) => a - b)) heap.push(c, k);

  while (vocab.length < opts.tokens && heap.size > 0) {
    const { count, key } = heap.pop();
    const current = counts.get(key) ?? 0;
    if (current !== count) {
      if (current > 0) heap.push(current, key);
      continue;
    }
    if (count < minCount) break;
    const a = Math.floor(key / 65536);
    const b = key % 65536;
    const bytes = new Uint8Array(vocab[a]!.length + vocab[b]!.length);
    bytes.set(vocab[a]!);
    bytes.set(vocab[b]!, vocab[a]!.length);
    const name = Buffer.from(bytes).toString('latin1');
    let id = idOfBytes.get(name);
    if (id === undefined) {
      id = vocab.length;
      vocab.push(bytes);
      idOfBytes.set(name, id);
    }
    merges.push([a, b, id]);

    const changed = new Set<number>();
    for (const w of where.get(key) ?? []) {
      const s = words[w]!;
      let has = false;
      for (let i = 0; i + 1 < s.length; i++) if (s[i] === a && s[i + 1] === b) has = true;
      if (!has) continue;
      addPairs(w, -1, null);
      const merged: number[] = [];
      for (let i = 0; i < s.length; i++) {
        if (i + 1 < s.length && s[i] === a && s[i + 1] === b) {
          merged.push(id);
          i++;
        } else merged.push(s[i]!);
      }
      words[w] = merged;
      addPairs(w, 1, changed);
    }
    where.delete(key);
    counts.delete(key);
    for (const k of [...changed].sort((x, y) => x - y)) {
      const c = counts.get(k) ?? 0;
      if (c > 0) heap.push(c, k);
    }
    opts.onMerge?.(vocab.length);
  }
  return { vocab, merges };
}
