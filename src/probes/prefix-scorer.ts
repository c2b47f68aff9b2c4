/**
 * Scores continuations of contexts by log-probability, computing every shared prefix once.
 * This is what makes the probe suite fast: a cloze prompt with 250 candidate answers runs
 * the prompt once and each distinct candidate prefix once, instead of 250 full sequences.
 *
 * The continuations of one context form a trie. Each trie node is one token at position
 * (context length + depth - 1) that attends to the context and to its own ancestors only
 * ("tree attention", as in speculative decoding). A batch holds several requests: their
 * contexts run as an ordinary causal batch [B, T] (the backend's attention kernel), their
 * trie nodes as extra rows whose attention to the context is two GEMMs per request and
 * head, and whose attention to their (few) ancestors is a short loop. Linear layers,
 * LayerNorms and the MLP run once over all rows. Only nodes with children are run through
 * the model (a leaf's probability comes from its parent), and only the rows whose next
 * token is scored go through the unembedding.
 *
 * The layer stack mirrors GPT.forward (same parameters, same ops); the test compares the
 * two on every config variant.
 */
import { BufferPool } from '../engine/buffer-pool.js';
import type { Buf, Kernels } from '../engine/kernels.js';
import { Tensor } from '../engine/tensor.js';
import type { GPT } from '../model/gpt.js';

export interface ScoreRequest {
  /** At least one token (a sentence's first token is scored after a start token). */
  context: readonly number[];
  /** Each at least one token. */
  continuations: readonly (readonly number[])[];
  /** Continuations (by index) after which the most likely next token is wanted (`argmax` only). */
  next?: readonly number[];
}

export interface ContinuationScore {
  /** Sum of log p(token | everything before it) over the continuation's tokens. */
  logprob: number;
  /** Every token of the continuation was the model's most likely next token (with `argmax`). */
  greedy?: boolean;
  /** The model's most likely token after the whole continuation (with `argmax`, for the request's `next`). */
  next?: number;
}

export interface ScoreOptions {
  /**
   * Rows (context positions + trie nodes) per forward pass. Every pass is padded to this
   * many rows (unless one request needs more), so all passes have the same shapes and reuse
   * the same buffers: fresh buffers of a new size each pass cost more than the padding.
   */
  maxBatchTokens?: number;
  /** Find each scored position's most likely token: `greedy`, and `next` where requests ask. */
  argmax?: boolean;
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
  /** Trie nodes that run through the model (those with children, and the ends of `next` continuations). */
  forwarded: number[];
}

/**
 * Scores every continuation of every request: result[r][k] is continuation k of request r.
 * Throws when a context plus a continuation does not fit the model's context window.
 */
export function scoreContinuations(model: GPT, requests: readonly ScoreRequest[], opts: ScoreOptions = {}): ContinuationScore[][] {
  const maxRows = opts.maxBatchTokens ?? 4096;
  const ctxWindow = model.config.n_positions;
  const prepared: Prepared[] = requests.map((req, r) => {
    if (req.context.length < 1) throw new Error(`scoreContinuations: request ${r} has an empty context`);
    req.continuations.forEach((c, k) => {
      if (c.length < 1) throw new Error(`scoreContinuations: request ${r}, continuation ${k} is empty`);
      // The last token is only scored (not run) unless `next` asks for what follows it.
      const positions = req.context.length + c.length - (opts.argmax && req.next?.includes(k) ? 0 : 1);
      if (positions > ctxWindow) {
        throw new Error(`scoreContinuations: request ${r}, continuation ${k} needs ${positions} positions; the context holds ${ctxWindow}`);
      }
    });
    const trie = buildTrie(req);
    const nextEnds = new Set(opts.argmax ? (req.next ?? []).map((k) => trie.ends[k]) : []);
    const forwarded = trie.token.map((_, i) => i).filter((i) => trie.hasChildren[i] || nextEnds.has(i));
    return { req, trie, forwarded };
  });
  const results: ContinuationScore[][] = new Array(requests.length);
  // Contexts of similar length batch with little padding.
  const order = prepared.map((_, i) => i).sort((a, b) => prepared[a].req.context.length - prepared[b].req.context.length || a - b);
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
    const scores = scoreBatch(model, batch.map((i) => prepared[i]), pool, !!opts.argmax, maxRows);
    batch.forEach((i, j) => (results[i] = scores[j]));
  }
  return results;
}

function scoreBatch(model: GPT, batch: Prepared[], pool: BufferPool, withArgmax: boolean, maxRows: number): ContinuationScore[][] {
  const c = model.config;
  const C = c.n_embd;
  const H = c.n_head;
  const B = batch.length;
  const T = Math.max(...batch.map((p) => p.req.context.length));
  const ctxRows = B * T;
  // Row of each forwarded node, per request; node rows follow the context rows.
  const rowOf: Int32Array[] = [];
  const nodeStart: number[] = [];
  let N = 0;
  for (const p of batch) {
    const rows = new Int32Array(p.trie.token.length).fill(-1);
    nodeStart.push(ctxRows + N);
    for (const i of p.forwarded) rows[i] = ctxRows + N++;
    rowOf.push(rows);
  }
  // Padding rows are zeros; nothing reads their results.
  const R = Math.max(ctxRows + N, maxRows);

  const g = model.graph(false, { pool });
  const dtype = model.dtype;
  const p = (name: string) => model.param(name);

  // Embeddings: the contexts as a right-padded causal batch (padding never reaches a real
  // token), each node as its token plus the position it would have in a flat sequence.
  const ids = new Int32Array(ctxRows);
  batch.forEach((pr, b) => ids.set(pr.req.context, b * T));
  const x0 = new Tensor(pool.takeZeroed(R * C, dtype), [R, C]);
  const wte = p('transformer.wte.weight').data;
  const wpe = p('transformer.wpe.weight').data;
  g.k.embeddingForward(x0.data, ids, wte, wpe, ctxRows, T, C);
  batch.forEach((pr, b) => {
    const P = pr.req.context.length;
    for (const i of pr.forwarded) {
      const o = rowOf[b][i] * C;
      const tok = pr.trie.token[i] * C;
      const pos = (P - 1 + pr.trie.depth[i]) * C;
      for (let e = 0; e < C; e++) x0.data[o + e] = wte[tok + e] + wpe[pos + e];
    }
  });

  const norm = (x: Tensor, name: string) => (c.layer_norm ? g.layerNorm(x, p(`${name}.weight`), p(`${name}.bias`), c.layer_norm_epsilon) : x);
  const act = (x: Tensor) => (c.activation_function === 'relu' ? g.relu(x) : g.gelu(x));
  const attOut = new Tensor(pool.take(R * C, dtype), [R, C]);
  const attScratch = pool.take(Math.max(B * H * T * T, maxRows * H * model.config.n_positions), dtype);
  const scratch = treeScratch(pool, dtype, Math.max(maxRows, N), model.config.n_positions);
  let x = x0;
  for (let l = 0; l < c.n_layer; l++) {
    const h = `transformer.h.${l}`;
    const qkv = g.linear(norm(x, `${h}.ln_1`), p(`${h}.attn.c_attn.weight`), p(`${h}.attn.c_attn.bias`));
    g.k.attentionForward(attOut.data.subarray(0, ctxRows * C), attScratch, qkv.data.subarray(0, ctxRows * 3 * C), B, T, C, H);
    batch.forEach((pr, b) => treeAttention(g.k, scratch, qkv.data, attOut.data, pr, rowOf[b], nodeStart[b], b * T, C, H));
    x = g.add(x, g.linear(attOut, p(`${h}.attn.c_proj.weight`), p(`${h}.attn.c_proj.bias`)));
    const hidden = act(g.linear(norm(x, `${h}.ln_2`), p(`${h}.mlp.c_fc.weight`), p(`${h}.mlp.c_fc.bias`)));
    x = g.add(x, g.linear(hidden, p(`${h}.mlp.c_proj.weight`), p(`${h}.mlp.c_proj.bias`)));
  }

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
  const unembed = c.tie_word_embeddings ? p('transformer.wte.weight') : p('lm_head.weight');
  const logits = g.linear(norm(gathered, 'transformer.ln_f'), unembed, null, 'out_in').data;
  const V = c.vocab_size;
  const lse = pool.take(M, dtype);
  const unused = pool.take(M, dtype);
  g.k.crossEntropyForward(unused, lse, logits, new Int32Array(M).fill(-1), M, V, -1);
  const argmax = new Int32Array(M);
  if (withArgmax) {
    for (let m = 0; m < headRows.length; m++) {
      const o = m * V;
      let best = 0;
      for (let v = 1; v < V; v++) if (logits[o + v] > logits[o + best]) best = v;
      argmax[m] = best;
    }
  }

  const out = batch.map((pr, b) => {
    const t = pr.trie;
    const headOfParent = (i: number) => headIndex.get(t.parent[i] < 0 ? lastCtxRow[b] : rowOf[b][t.parent[i]])!;
    const lp = new Float64Array(t.token.length);
    const top = new Uint8Array(t.token.length);
    for (let i = 0; i < t.token.length; i++) {
      const m = headOfParent(i);
      lp[i] = logits[m * V + t.token[i]] - lse[m];
      top[i] = argmax[m] === t.token[i] ? 1 : 0;
    }
    return t.ends.map((end, k): ContinuationScore => {
      let logprob = 0;
      let greedy = true;
      for (let i = end; i >= 0; i = t.parent[i]) {
        logprob += lp[i];
        greedy &&= top[i] === 1;
      }
      if (!withArgmax) return { logprob };
      const score: ContinuationScore = { logprob, greedy };
      if (pr.req.next?.includes(k)) score.next = argmax[headIndex.get(rowOf[b][end])!];
      return score;
    });
  });
  g.release();
  for (const buf of [x0.data, attOut.data, attScratch, gathered.data, lse, unused, scratch.scores, scratch.probs, scratch.lse, scratch.losses, scratch.ones]) pool.give(buf);
  return out;
}

/** Buffers tree attention reuses across requests and layers. */
interface TreeScratch {
  /** Scores, then softmax over the context, [nodes, context]. */
  scores: Buf;
  probs: Buf;
  lse: Buf;
  losses: Buf;
  ones: Buf;
  zeros: Int32Array;
}

function treeScratch(pool: BufferPool, dtype: 'f32' | 'f64', rows: number, context: number): TreeScratch {
  const ones = pool.take(rows, dtype);
  ones.fill(1);
  return {
    scores: pool.take(rows * context, dtype),
    probs: pool.take(rows * context, dtype),
    lse: pool.take(rows, dtype),
    losses: pool.take(rows, dtype),
    ones,
    zeros: new Int32Array(rows),
  };
}

/**
 * Attention of one request's forwarded trie nodes over its context and over each node's
 * ancestors and itself; writes the nodes' rows of `out`. The context part runs on the
 * backend: scores by GEMM, their row softmax and log-sum-exp by the cross-entropy kernels
 * (forward gives the log-sum-exp; backward with unit weights gives softmax minus the
 * target's one-hot, and the one-hot is added back), values by GEMM. The ancestors (a few
 * per node: tries are shallow) are a short loop, merged by log-sum-exp.
 */
function treeAttention(
  k: Kernels, sc: TreeScratch, qkv: Buf, out: Buf,
  pr: Prepared, rowOf: Int32Array, firstRow: number, ctxFirstRow: number, C: number, H: number,
): void {
  const n = pr.forwarded.length;
  if (n === 0) return;
  const P = pr.req.context.length;
  const hs = C / H;
  const C3 = 3 * C;
  const scale = 1 / Math.sqrt(hs);
  const maxDepth = Math.max(...pr.forwarded.map((i) => pr.trie.depth[i]));
  const own = new Float64Array(maxDepth);
  const ownRows = new Int32Array(maxDepth);
  const probs = sc.probs.subarray(0, n * P);
  for (let h = 0; h < H; h++) {
    const qOff = firstRow * C3 + h * hs;
    // Context scores [n, P], their softmax and log-sum-exp, and softmax V [n, hs] into out.
    k.gemm(false, true, n, P, hs, scale, qkv.subarray(qOff), C3, qkv.subarray(ctxFirstRow * C3 + C + h * hs), C3, 0, sc.scores, P);
    k.crossEntropyForward(sc.losses, sc.lse, sc.scores, sc.zeros, n, P, -1);
    probs.fill(0);
    k.crossEntropyBackward(probs, sc.scores, sc.lse, sc.zeros, sc.ones, n, P, -1);
    for (let j = 0; j < n; j++) probs[j * P] += 1;
    k.gemm(false, false, n, hs, P, 1, probs, P, qkv.subarray(ctxFirstRow * C3 + 2 * C + h * hs), C3, 0, out.subarray(firstRow * C + h * hs), C);
    for (let j = 0; j < n; j++) {
      const q = qOff + j * C3;
      // Scores against the node itself and its ancestors, nearest first.
      let d = 0;
      for (let a = pr.forwarded[j]; a >= 0; a = pr.trie.parent[a]) {
        const key = rowOf[a] * C3 + C + h * hs;
        // Four partial sums: shorter dependency chains than one running sum.
        let d0 = 0, d1 = 0, d2 = 0, d3 = 0;
        let e = 0;
        for (; e + 3 < hs; e += 4) {
          d0 += qkv[q + e] * qkv[key + e];
          d1 += qkv[q + e + 1] * qkv[key + e + 1];
          d2 += qkv[q + e + 2] * qkv[key + e + 2];
          d3 += qkv[q + e + 3] * qkv[key + e + 3];
        }
        for (; e < hs; e++) d0 += qkv[q + e] * qkv[key + e];
        own[d] = (d0 + d1 + d2 + d3) * scale;
        ownRows[d++] = rowOf[a];
      }
      // Total log-sum-exp over context and ancestors; the context block's share is exp(lse_ctx - total).
      const lseCtx = sc.lse[j];
      let max = lseCtx;
      for (let u = 0; u < d; u++) if (own[u] > max) max = own[u];
      let sum = Math.exp(lseCtx - max);
      for (let u = 0; u < d; u++) sum += own[u] = Math.exp(own[u] - max);
      const ctxShare = Math.exp(lseCtx - max) / sum;
      const o = (firstRow + j) * C + h * hs;
      for (let e = 0; e < hs; e++) out[o + e] *= ctxShare;
      for (let u = 0; u < d; u++) {
        const w = own[u] / sum;
        const v = ownRows[u] * C3 + 2 * C + h * hs;
        for (let e = 0; e < hs; e++) out[o + e] += w * qkv[v + e];
      }
    }
  }
}
