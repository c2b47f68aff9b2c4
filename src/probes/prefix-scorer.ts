/**
 * Scores continuations of contexts by log-probability, computing every shared prefix once.
 * This is what makes the probe suite fast: a cloze prompt with 250 candidate answers runs
 * the prompt once and each distinct candidate prefix once, instead of 250 full sequences.
 *
 * The continuations of one context form a trie. Each trie node is one token at position
 * (context length + depth - 1) that attends to the context and to its own ancestors only
 * ("tree attention", as in speculative decoding). A batch holds several requests: their
 * contexts run as an ordinary causal batch [B, T] (the backend's attention kernel), their
 * trie nodes as extra rows that attend to their context and their (few) ancestors (the
 * backend's tree-attention kernel, one call per layer for the whole batch). Linear layers,
 * LayerNorms and the MLP run once over all rows. Only nodes with children are run through
 * the model (a leaf's probability comes from its parent), unless the request asks what
 * follows its continuations, and only the rows whose next token is scored go through the
 * unembedding.
 *
 * The layers are the model's own blocks (GPT.blocks), given tree attention as their way of
 * attending; the test compares the scores with full forward passes on every config variant.
 */
import { BufferPool } from '../engine/buffer-pool.js';
import type { Buf, Kernels } from '../engine/kernels.js';
import { Tensor, type DType } from '../engine/tensor.js';
import { argmaxOf } from '../util/argmax.js';
import type { Attend, GPT } from '../model/gpt.js';

export interface ScoreRequest {
  /** At least one token (a sentence's first token is scored after a start token). */
  context: readonly number[];
  /** Each at least one token. */
  continuations: readonly (readonly number[])[];
  /**
   * Continuations (by index) whose `greedy` and `next` are wanted: the most likely token is
   * found at their positions alone, not at every scored one.
   */
  next?: readonly number[];
  /**
   * Tokens that may follow a continuation (by id, 1 = yes): each continuation's score then
   * carries `endLogprob`, the log-probability that the next token is one of them.
   */
  followers?: Uint8Array;
}

export interface ContinuationScore {
  /** Sum of log p(token | everything before it) over the continuation's tokens. */
  logprob: number;
  /** Every token of the continuation was the model's most likely next token (for the request's `next`). */
  greedy?: boolean;
  /** The model's most likely token after the whole continuation (for the request's `next`). */
  next?: number;
  /** log p(next token in the request's `followers` | context + continuation), when it gives them. */
  endLogprob?: number;
}

export interface ScoreOptions {
  /**
   * Rows (context positions + trie nodes) per forward pass. Every pass is padded to this
   * many rows (unless one request needs more), so all passes have the same shapes and reuse
   * the same buffers: fresh buffers of a new size each pass cost more than the padding.
   */
  maxBatchTokens?: number;
}

/** One request's trie: nodes in insertion order, so a parent always precedes its children. */
interface Trie {
  token: number[];
  /** Parent node index, -1 for the context's last token. */
  parent: number[];
  depth: number[];
  hasChildren: boolean[];
  /** Node index where each continuation ends. */
  ends: number[];
}

function buildTrie(req: ScoreRequest): Trie {
  const t: Trie = { token: [], parent: [], depth: [], hasChildren: [], ends: [] };
  const child = new Map<string, number>();
  for (const cont of req.continuations) {
    let node = -1;
    for (const tok of cont) {
      const key = `${node}:${tok}`;
      let next = child.get(key);
      if (next === undefined) {
        next = t.token.length;
        child.set(key, next);
        t.token.push(tok);
        t.parent.push(node);
        t.depth.push(node < 0 ? 1 : t.depth[node] + 1);
        t.hasChildren.push(false);
        if (node >= 0) t.hasChildren[node] = true;
      }
      node = next;
    }
    t.ends.push(node);
  }
  return t;
}

/** Requests that may not fit before a pass is closed (in context-length order). */
const LOOKAHEAD = 64;

interface Prepared {
  req: ScoreRequest;
  trie: Trie;
  /**
   * Trie nodes that run through the model: those with children, and the ends of `next`
   * continuations (or of every continuation, when the request asks what follows them).
   */
  forwarded: number[];
}

/**
 * Scores every continuation of every request: result[r][k] is continuation k of request r.
 * Throws when a context plus a continuation does not fit the model's context window.
 */
export function scoreContinuations(
  model: GPT,
  requests: readonly ScoreRequest[],
  opts: ScoreOptions = {},
): ContinuationScore[][] {
  const maxRows = opts.maxBatchTokens ?? 4096;
  const ctxWindow = model.config.n_positions;
  const prepared: Prepared[] = requests.map((req, r) => {
    if (req.context.length < 1) throw new Error(`scoreContinuations: request ${r} has an empty context`);
    req.continuations.forEach((c, k) => {
      if (c.length < 1) throw new Error(`scoreContinuations: request ${r}, continuation ${k} is empty`);
      // The last token is only scored (not run) unless `next` or `followers` asks what follows it.
      const runsLast = req.followers !== undefined || req.next?.includes(k);
      const positions = req.context.length + c.length - (runsLast ? 0 : 1);
      if (positions > ctxWindow) {
        throw new Error(
          `scoreContinuations: request ${r}, continuation ${k} needs ${positions} positions; the context holds ${ctxWindow}`,
        );
      }
    });
    const trie = buildTrie(req);
    const nextEnds = new Set(req.followers ? trie.ends : (req.next ?? []).map((k) => trie.ends[k]));
    const forwarded = trie.token.map((_, i) => i).filter((i) => trie.hasChildren[i] || nextEnds.has(i));
    return { req, trie, forwarded };
  });
  const results: ContinuationScore[][] = new Array(requests.length);
  // Contexts of similar length batch with little padding.
  const order = prepared
    .map((_, i) => i)
    .sort((a, b) => prepared[a].req.context.length - prepared[b].req.context.length || a - b);
  const pool = new BufferPool();
  let remaining = order;
  while (remaining.length > 0) {
    // Fill the pass with the next requests that fit, looking a little ahead so the padding
    // up to maxRows stays small (contexts grow along `remaining`, so the newest sets T).
    const batch = [remaining[0]];
    let nodes = prepared[remaining[0]].forwarded.length;
    let misses = 0;
    for (let j = 1; j < remaining.length && misses < LOOKAHEAD; j++) {
      const p = prepared[remaining[j]];
      if ((batch.length + 1) * p.req.context.length + nodes + p.forwarded.length > maxRows) {
        misses++;
        continue;
      }
      batch.push(remaining[j]);
      nodes += p.forwarded.length;
    }
    const taken = new Set(batch);
    remaining = remaining.filter((i) => !taken.has(i));
    const scores = scoreBatch(
      model,
      batch.map((i) => prepared[i]),
      pool,
      maxRows,
    );
    batch.forEach((i, j) => (results[i] = scores[j]));
  }
  return results;
}

function scoreBatch(model: GPT, batch: Prepared[], pool: BufferPool, maxRows: number): ContinuationScore[][] {
  const c = model.config;
  const C = c.n_embd;
  const H = c.n_head;
  const B = batch.length;
  const T = Math.max(...batch.map((p) => p.req.context.length));
  const ctxRows = B * T;
  // Row of each forwarded node, per request; node rows follow the context rows.
  const rowOf: Int32Array[] = [];
  let N = 0;
  for (const p of batch) {
    const rows = new Int32Array(p.trie.token.length).fill(-1);
    for (const i of p.forwarded) rows[i] = ctxRows + N++;
    rowOf.push(rows);
  }
  // Padding rows are zeros; nothing reads their results.
  const R = Math.max(ctxRows + N, maxRows);

  const g = model.graph(false, { pool });
  const dtype = model.dtype;

  // Embeddings: the contexts as a right-padded causal batch (padding never reaches a real
  // token), each node as its token at the position it would have in a flat sequence.
  // Rows past the last node are padding: zeros, and nothing reads their results.
  const ids = new Int32Array(ctxRows + N);
  const positions = new Int32Array(ctxRows + N);
  batch.forEach((pr, b) => {
    ids.set(pr.req.context, b * T);
    for (let t = 0; t < T; t++) positions[b * T + t] = t;
    const P = pr.req.context.length;
    for (const i of pr.forwarded) {
      ids[rowOf[b][i]] = pr.trie.token[i];
      positions[rowOf[b][i]] = P - 1 + pr.trie.depth[i];
    }
  });
  const x0 = new Tensor(pool.takeZeroed(R * C, dtype), [R, C]);
  model.embedAt(ids, positions, x0.data);

  // Attention: the contexts with the causal kernel, the trie nodes with the tree kernel,
  // into one buffer that every layer reuses (c_proj reads it before the next layer writes).
  const attOut = new Tensor(pool.take(R * C, dtype), [R, C]);
  // One size for every pass (B T <= maxRows), so the pool hands the same buffer back.
  const attScratch = pool.take(Math.max(B * H * T * T, maxRows * H * model.config.n_positions), dtype);
  const keys = treeKeys(batch, rowOf, T);
  const attend: Attend = (qkv) => {
    const contexts = qkv.data.subarray(0, ctxRows * 3 * C);
    g.k.attentionForward(attOut.data.subarray(0, ctxRows * C), attScratch, contexts, B, T, C, H);
    const { rows, spanStart, spanLen, extraStart, extra } = keys;
    g.k.treeAttentionForward(attOut.data, qkv.data, rows, spanStart, spanLen, extraStart, extra, N, C, H);
    return attOut;
  };
  let x = x0;
  for (const block of model.blocks) x = block.forward(g, x, attend);

  // Unembed only the rows whose next token is scored: each context's last position and
  // every forwarded node.
  const headRows: number[] = [];
  const lastCtxRow = batch.map((pr, b) => b * T + pr.req.context.length - 1);
  const headIndex = new Map<number, number>();
  for (const row of [...lastCtxRow, ...Array.from({ length: N }, (_, i) => ctxRows + i)]) {
    headIndex.set(row, headRows.length);
    headRows.push(row);
  }
  // Rounded up to a power of two, so the unembedding's buffers come in a few sizes.
  const M = 2 ** Math.ceil(Math.log2(Math.max(256, headRows.length)));
  const gathered = new Tensor(pool.takeZeroed(M * C, dtype), [M, C]);
  headRows.forEach((row, m) => gathered.data.set(x.data.subarray(row * C, (row + 1) * C), m * C));
  const logits = model.head(g, gathered).data;
  const V = c.vocab_size;
  const lse = pool.take(M, dtype);
  const unused = pool.take(M, dtype);
  g.k.crossEntropyForward(unused, lse, logits, new Int32Array(M).fill(-1), M, V, -1);
  // The most likely token of a head row, found when a `next` continuation asks (a pass
  // over the vocabulary per row, so only on the rows of those continuations).
  const argmax = new Int32Array(M).fill(-1);
  const argmaxAt = (m: number) => (argmax[m] >= 0 ? argmax[m] : (argmax[m] = argmaxOf(logits, m * V, V)));

  // Word-end mass after every continuation whose request gives `followers`, by head row.
  const endRows: { m: number; mask: Uint8Array }[] = [];
  batch.forEach((pr, b) => {
    if (pr.req.followers)
      for (const end of pr.trie.ends) endRows.push({ m: headIndex.get(rowOf[b][end])!, mask: pr.req.followers });
  });
  const endLogprob = maskedLogprobs(g.k, pool, logits, lse, V, dtype, endRows);

  const out = batch.map((pr, b) => {
    const t = pr.trie;
    const headOfParent = (i: number) => headIndex.get(t.parent[i] < 0 ? lastCtxRow[b] : rowOf[b][t.parent[i]])!;
    const lp = new Float64Array(t.token.length);
    for (let i = 0; i < t.token.length; i++) {
      const m = headOfParent(i);
      lp[i] = logits[m * V + t.token[i]] - lse[m];
    }
    const wanted = new Set(pr.req.next ?? []);
    return t.ends.map((end, k): ContinuationScore => {
      let logprob = 0;
      let greedy = true;
      for (let i = end; i >= 0; i = t.parent[i]) {
        logprob += lp[i];
        if (wanted.has(k)) greedy &&= argmaxAt(headOfParent(i)) === t.token[i];
      }
      const score: ContinuationScore = { logprob };
      if (pr.req.followers) score.endLogprob = endLogprob.get(headIndex.get(rowOf[b][end])!)!;
      if (!wanted.has(k)) return score;
      score.greedy = greedy;
      score.next = argmaxAt(headIndex.get(rowOf[b][end])!);
      return score;
    });
  });
  g.release();
  for (const buf of [x0.data, attOut.data, attScratch, gathered.data, lse, unused]) pool.give(buf);
  return out;
}

/**
 * log of the probability mass that head row m's softmax puts on the tokens of its mask, for
 * each wanted row: the logsumexp of the row's masked logits (gathered into a [rows, tokens]
 * matrix per mask, for the backend's vectorised kernel) less the row's logsumexp. A word-end
 * mask holds about half the vocabulary: an exp per masked token of every candidate, which
 * one at a time in JavaScript took about a seventh of the recall suite's time.
 */
function maskedLogprobs(
  k: Kernels,
  pool: BufferPool,
  logits: Buf,
  lse: Buf,
  V: number,
  dtype: DType,
  wanted: readonly { m: number; mask: Uint8Array }[],
): Map<number, number> {
  const out = new Map<number, number>();
  const byMask = new Map<Uint8Array, Set<number>>();
  for (const { m, mask } of wanted) {
    let rows = byMask.get(mask);
    if (!rows) byMask.set(mask, (rows = new Set()));
    rows.add(m);
  }
  for (const [mask, rowSet] of byMask) {
    const rows = [...rowSet];
    const ids = Int32Array.from(mask.keys()).filter((v) => v < V && mask[v] === 1);
    const K = ids.length;
    if (K === 0) {
      for (const m of rows) out.set(m, -Infinity);
      continue;
    }
    // Rounded up to a power of two, so the pool hands back buffers of a few sizes.
    const R = 2 ** Math.ceil(Math.log2(rows.length));
    const gathered = pool.take(R * K, dtype);
    const maskedLse = pool.take(R, dtype);
    const unused = pool.take(R, dtype);
    rows.forEach((m, r) => {
      const row = m * V;
      const dst = r * K;
      for (let j = 0; j < K; j++) gathered[dst + j] = logits[row + ids[j]];
    });
    k.crossEntropyForward(unused, maskedLse, gathered, new Int32Array(rows.length).fill(-1), rows.length, K, -1);
    rows.forEach((m, r) => out.set(m, maskedLse[r] - lse[m]));
    for (const buf of [gathered, maskedLse, unused]) pool.give(buf);
  }
  return out;
}

/**
 * The keys of every forwarded trie node of a batch, in the backend's tree-attention layout:
 * its request's context rows (a contiguous block), then its ancestors and itself.
 */
interface TreeKeys {
  rows: Int32Array;
  spanStart: Int32Array;
  spanLen: Int32Array;
  extraStart: Int32Array;
  extra: Int32Array;
}

function treeKeys(batch: readonly Prepared[], rowOf: readonly Int32Array[], T: number): TreeKeys {
  const rows: number[] = [];
  const spanStart: number[] = [];
  const spanLen: number[] = [];
  const extraStart: number[] = [0];
  const extra: number[] = [];
  batch.forEach((pr, b) => {
    for (const i of pr.forwarded) {
      rows.push(rowOf[b][i]);
      spanStart.push(b * T);
      spanLen.push(pr.req.context.length);
      for (let a = i; a >= 0; a = pr.trie.parent[a]) extra.push(rowOf[b][a]);
      extraStart.push(extra.length);
    }
  });
  return {
    rows: Int32Array.from(rows),
    spanStart: Int32Array.from(spanStart),
    spanLen: Int32Array.from(spanLen),
    extraStart: Int32Array.from(extraStart),
    extra: Int32Array.from(extra),
  };
}
