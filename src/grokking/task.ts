/**
 * The algorithmic tasks of Power et al. 2022: a binary operation on residues mod p, shown to
 * the model as the tokens [a, b, =] with the answer predicted at the '=' position.
 * Tokens 0..p-1 are the residues and token p is '=' (vocabulary p + 1).
 *
 *   add   a + b mod p          all p^2 pairs
 *   sub   a - b mod p          all p^2 pairs
 *   div   a * b^-1 mod p       b != 0: p (p - 1) pairs; p must be prime (b^-1 exists)
 *   poly  a^2 + a b + b^2 mod p   all p^2 pairs
 *
 * The split is a seeded random `trainFrac` of all pairs for training, the rest for test.
 */
import { FieldError } from '../util/errors.js';
import { Rng } from '../util/rng.js';

export const GROK_OPS = ['add', 'sub', 'div', 'poly'] as const;
export type GrokOp = (typeof GROK_OPS)[number];

/** Sequence length: a, b, '='. */
export const SEQ_LEN = 3;

export function isPrime(n: number): boolean {
  if (!Number.isInteger(n) || n < 2) return false;
  for (let d = 2; d * d <= n; d++) if (n % d === 0) return false;
  return true;
}

/** x^e mod m for small m (products stay below 2^53 for m < 2^26). */
function powMod(x: number, e: number, m: number): number {
  let result = 1;
  let base = x % m;
  for (; e > 0; e >>= 1) {
    if (e & 1) result = (result * base) % m;
    base = (base * base) % m;
  }
  return result;
}

/** b^-1 mod p for prime p and b != 0 (Fermat: b^(p-2)). */
export function inverseMod(b: number, p: number): number {
  if (b % p === 0) throw new Error(`inverseMod: 0 has no inverse mod ${p}`);
  return powMod(b, p - 2, p);
}

export function applyOp(op: GrokOp, a: number, b: number, p: number): number {
  switch (op) {
    case 'add':
      return (a + b) % p;
    case 'sub':
      return (((a - b) % p) + p) % p;
    case 'div':
      return (a * inverseMod(b, p)) % p;
    case 'poly':
      return (a * a + a * b + b * b) % p;
  }
}

export function checkOp(op: string): asserts op is GrokOp {
  if (!(GROK_OPS as readonly string[]).includes(op))
    throw new FieldError('op', op, `expected one of ${GROK_OPS.join(', ')}`);
}

/** Checks the (op, p) pair; errors name the field. */
export function checkTask(op: string, p: number): asserts op is GrokOp {
  checkOp(op);
  if (!Number.isInteger(p) || p < 3) throw new FieldError('p', p, 'expected an integer modulus >= 3');
  // Token ids and a*b products stay exact in 32-bit ints and doubles well below this.
  if (p > 4093) throw new FieldError('p', p, 'at most 4093 (p^2 pairs are trained full-batch)');
  if (op === 'div' && !isPrime(p)) {
    const problem = `division mod p needs a prime p (b^-1 mod ${p} does not exist for every b != 0); try ${nextPrime(p)}`;
    throw new FieldError('p', p, problem);
  }
}

export function nextPrime(n: number): number {
  let q = Math.max(2, Math.ceil(n));
  while (!isPrime(q)) q++;
  return q;
}

/** Examples as model inputs: tokens [n * 3] = (a, b, p) rows, labels [n]. */
export interface Examples {
  a: Int32Array;
  b: Int32Array;
  tokens: Int32Array;
  labels: Int32Array;
  get size(): number;
}

export interface GrokDataset {
  op: GrokOp;
  p: number;
  train: Examples;
  test: Examples;
  /** Every pair of the task, in (a, b) order; train and test partition it. */
  all: Examples;
}

function examples(op: GrokOp, p: number, a: number[], b: number[]): Examples {
  const n = a.length;
  const tokens = new Int32Array(n * SEQ_LEN);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    tokens[i * SEQ_LEN] = a[i];
    tokens[i * SEQ_LEN + 1] = b[i];
    tokens[i * SEQ_LEN + 2] = p;
    labels[i] = applyOp(op, a[i], b[i], p);
  }
  return {
    a: Int32Array.from(a),
    b: Int32Array.from(b),
    tokens,
    labels,
    get size() {
      return n;
    },
  };
}

/**
 * All pairs of the task and a seeded split: round(trainFrac * pairs) for training. The
 * permutation depends only on (seed, op, p), so a run's split is fixed by its config.
 */
export function makeDataset(op: GrokOp, p: number, trainFrac: number, seed: number): GrokDataset {
  checkTask(op, p);
  if (!(trainFrac > 0 && trainFrac < 1)) {
    throw new FieldError('train_frac', trainFrac, 'expected a fraction strictly between 0 and 1');
  }
  const pairs: [number, number][] = [];
  for (let a = 0; a < p; a++) for (let b = op === 'div' ? 1 : 0; b < p; b++) pairs.push([a, b]);
  const nTrain = Math.round(trainFrac * pairs.length);
  if (nTrain < 1 || nTrain >= pairs.length) {
    const problem = `leaves ${nTrain} of ${pairs.length} pairs for training; both train and test need at least one`;
    throw new FieldError('train_frac', trainFrac, problem);
  }
  const order = Rng.derive(seed, 'grok-split', op, p).shuffle(pairs.map((_, i) => i));
  const pick = (idx: number[]) =>
    examples(
      op,
      p,
      idx.map((i) => pairs[i][0]),
      idx.map((i) => pairs[i][1]),
    );
  return {
    op,
    p,
    train: pick(order.slice(0, nTrain).sort((x, y) => x - y)),
    test: pick(order.slice(nTrain).sort((x, y) => x - y)),
    all: pick(pairs.map((_, i) => i)),
  };
}
