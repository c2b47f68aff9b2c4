/**
 * Seeded randomness for the data pipeline. Two kinds:
 *
 * - `Rng`: a sequential stream (mulberry32-style state, splitmix-seeded) for build-time
 *   choices made in a fixed order: sampling documents, shuffling facts, generating problems.
 * - `hashUniform(seed, ...keys)`: a counter-based generator, a pure function of its keys,
 *   for the mixture sampler, where batch k must be computable without replaying batches
 *   0..k-1.
 *
 * Library code never calls Math.random: every choice flows from a recorded seed.
 */

/** A 32-bit integer mixer (the finaliser of MurmurHash3); a bijection on uint32. */
export function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** Hashes a list of integers (each taken mod 2^32 after splitting off the high part). */
export function hashInts(...keys: number[]): number {
  let h = 0x9e3779b9;
  for (const k of keys) {
    const lo = k >>> 0;
    const hi = Math.floor(k / 4294967296) >>> 0;
    h = mix32(h ^ lo) + 0x7f4a7c15;
    h = mix32(h ^ hi) + 0x165667b1;
  }
  return mix32(h);
}

/** A uniform number in [0, 1) with 53 random bits, a pure function of the keys. */
export function hashUniform(...keys: number[]): number {
  const a = hashInts(...keys, 0x51ed27);
  const b = hashInts(...keys, 0x2545f4);
  return ((a >>> 5) * 67108864 + (b >>> 6)) / 9007199254740992;
}

/** FNV-1a over a string's UTF-16 code units, 32-bit: a cheap stable key for names. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** A small, fast, seeded sequential generator. */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = hashInts(seed);
  }

  /** A uint32. */
  nextU32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextU32() / 4294967296;
  }

  /** Uniform integer in [lo, hi] (inclusive). */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('Rng.pick: empty list');
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** Fisher-Yates shuffle in place; returns the array. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [items[i], items[j]] = [items[j]!, items[i]!];
    }
    return items;
  }

  /** A new independent generator derived from this seed and a label. */
  static derive(seed: number, label: string): Rng {
    return new Rng(hashInts(seed, hashString(label)));
  }
}
