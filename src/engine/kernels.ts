/**
 * The kernel interface: every numerical routine the engine needs, as plain functions over
 * flat row-major buffers (llm.c style). Two backends implement it: `native` (C++ addon,
 * float32 only, multi-threaded) and `reference` (plain TypeScript, float32 or float64; the
 * oracle in tests).
 *
 * Conventions
 * - Buffers are row-major. Shapes are given in the comment of each kernel.
 * - Backward kernels ACCUMULATE (+=) into gradient buffers, never overwrite: a tensor used
 *   twice (tied embeddings, residual streams) receives the sum of its gradients.
 * - Kernels never allocate what they return; callers pass every output buffer.
 * - Work is split among threads by index, and reductions run in a fixed order, so results
 *   are bit-identical for the same inputs and thread count.
 */

export type Buf = Float32Array | Float64Array;

export interface BackendInfo {
  /** 'native' or 'reference' */
  name: string;
  /** Instruction-set path the GEMM picked at run time: 'avx512', 'avx2', 'portable', 'typescript'. */
  isa: string;
  /** Threads the backend's pool runs. */
  threads: number;
}

/** C = alpha * op(A) @ op(B) + beta * C over row-major buffers (see Kernels.gemm). */
export type Gemm = (
  transA: boolean,
  transB: boolean,
  M: number,
  N: number,
  K: number,
  alpha: number,
  A: Buf,
  lda: number,
  B: Buf,
  ldb: number,
  beta: number,
  C: Buf,
  ldc: number,
) => void;

export interface Kernels {
  info(): BackendInfo;
  /**
   * Changes the number of threads the backend's pool runs (n >= 1), e.g. to measure 1 and 2
   * threads in one process. Backends without a pool leave it out.
   */
  setThreads?(n: number): void;

  /**
   * C = alpha * op(A) @ op(B) + beta * C, where op(A) is [M,K] and op(B) is [K,N].
   * transA: A is stored [K,M] (leading dimension lda); transB: B is stored [N,K].
   * lda/ldb/ldc are the row strides of the stored matrices. beta = 0 ignores C's content
   * (NaN in C does not propagate).
   */
  gemm: Gemm;

  /**
   * Why the bf16 kernels below cannot run here (no AVX512_BF16, or a lower instruction-set
   * path forced), or null when they can. Backends without bf16 kernels leave all four out.
   */
  bf16Unavailable?(): string | null;
  /**
   * gemm with op(A) and op(B) rounded to bf16 (round to nearest even; subnormals flush to
   * zero) and the products accumulated in float32 (VDPBF16PS).
   */
  gemmBf16?: Gemm;
  /** attentionForward with its two products (Q K^T, P V) taking bf16 operands, accumulating in float32. */
  attentionForwardBf16?(out: Buf, att: Buf, qkv: Buf, B: number, T: number, C: number, H: number): void;
  /** attentionBackward with its four products taking bf16 operands, accumulating in float32. */
  attentionBackwardBf16?(dqkv: Buf, dout: Buf, qkv: Buf, att: Buf, B: number, T: number, C: number, H: number): void;

  /** out[n, o] += bias[o] for n < N, o < O. */
  addBias(out: Buf, bias: Buf, N: number, O: number): void;
  /** dbias[o] += sum_n dout[n, o]. */
  biasBackward(dbias: Buf, dout: Buf, N: number, O: number): void;

  /**
   * out[b*T+t, :] = wte[ids[b*T+t], :] + (wpe ? wpe[t, :] : 0); out is [B*T, C].
   * ids are validated by the caller (0 <= id < vocab).
   */
  embeddingForward(out: Buf, ids: Int32Array, wte: Buf, wpe: Buf | null, BT: number, T: number, C: number): void;
  /** dwte[ids[i], :] += dout[i, :]; dwpe[i % T, :] += dout[i, :] (when dwpe is given). */
  embeddingBackward(dwte: Buf, dwpe: Buf | null, dout: Buf, ids: Int32Array, BT: number, T: number, C: number): void;

  /**
   * LayerNorm over the last axis of inp [N, C]: out = (x - mean) * rstd * w + b,
   * rstd = 1 / sqrt(var + eps) with the biased variance. Saves mean[N] and rstd[N].
   */
  layerNormForward(out: Buf, mean: Buf, rstd: Buf, inp: Buf, w: Buf, b: Buf, N: number, C: number, eps: number): void;
  /** Accumulates dinp, dw, db from dout, given the saved mean and rstd. */
  layerNormBackward(
    dinp: Buf,
    dw: Buf,
    db: Buf,
    dout: Buf,
    inp: Buf,
    w: Buf,
    mean: Buf,
    rstd: Buf,
    N: number,
    C: number,
  ): void;

  /**
   * Causal multi-head self-attention from packed projections.
   * qkv [B, T, 3C] holds q | k | v along the last axis, each split into H heads of C/H.
   * out [B, T, C] = concat_h softmax(q_h k_h^T / sqrt(C/H) + causal mask) v_h.
   * att [B, H, T, T] receives the attention probabilities (zero above the diagonal);
   * backward reads them.
   */
  attentionForward(out: Buf, att: Buf, qkv: Buf, B: number, T: number, C: number, H: number): void;
  /** Accumulates dqkv [B, T, 3C] from dout [B, T, C] using the saved att and qkv. */
  attentionBackward(dqkv: Buf, dout: Buf, qkv: Buf, att: Buf, B: number, T: number, C: number, H: number): void;
  /**
   * Multi-head attention of chosen query rows over keys each query lists (inference only:
   * the prefix scorer's tree attention, where a trie node attends to its context and to
   * its ancestors). qkv [R, 3C] is packed as in attentionForward. Query j < n is row
   * rows[j]; its keys and values are the rows spanStart[j] .. spanStart[j] + spanLen[j] - 1
   * (a contiguous block: the context), then the rows extra[extraStart[j] .. extraStart[j+1]-1].
   * Every query has at least one key, and no two queries share a row. out [R, C]: row
   * rows[j] = concat_h softmax(q_h K_h^T / sqrt(C/H)) V_h; other rows are not touched.
   */
  treeAttentionForward(
    out: Buf,
    qkv: Buf,
    rows: Int32Array,
    spanStart: Int32Array,
    spanLen: Int32Array,
    extraStart: Int32Array,
    extra: Int32Array,
    n: number,
    C: number,
    H: number,
  ): void;

  /** GELU, tanh approximation (GPT-2): 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))). */
  geluForward(out: Buf, inp: Buf, n: number): void;
  /** dinp += gelu'(inp) * dout */
  geluBackward(dinp: Buf, inp: Buf, dout: Buf, n: number): void;
  /** out = max(x, 0) */
  reluForward(out: Buf, inp: Buf, n: number): void;
  /** dinp += (inp > 0) * dout */
  reluBackward(dinp: Buf, inp: Buf, dout: Buf, n: number): void;

  /**
   * Softmax cross-entropy per row of logits [N, V] against targets[N].
   * losses[n] = logsumexp(logits[n]) - logits[n, targets[n]]; lse[n] = logsumexp(logits[n]).
   * Rows whose target equals ignoreIndex get losses[n] = 0 (lse is still written).
   * losses[n] is also minus the log-probability of the target: the probes read it.
   */
  crossEntropyForward(
    losses: Buf,
    lse: Buf,
    logits: Buf,
    targets: Int32Array,
    N: number,
    V: number,
    ignoreIndex: number,
  ): void;
  /**
   * dlogits[n, :] += dlosses[n] * (softmax(logits[n]) - onehot(targets[n])) for rows not ignored.
   * dlosses[n] is the gradient of the objective with respect to losses[n] (for a mean over
   * the counted rows: 1 / count).
   */
  crossEntropyBackward(
    dlogits: Buf,
    logits: Buf,
    lse: Buf,
    targets: Int32Array,
    dlosses: Buf,
    N: number,
    V: number,
    ignoreIndex: number,
  ): void;

  /** out = a + b (n elements; out may alias a or b). */
  add(out: Buf, a: Buf, b: Buf, n: number): void;
  /** dst += alpha * src */
  axpy(dst: Buf, src: Buf, alpha: number, n: number): void;
  /** buf *= s */
  scale(buf: Buf, s: number, n: number): void;
  /** sum of squares of buf (accumulated in double, fixed order). */
  sumSquares(buf: Buf, n: number): number;

  /**
   * One AdamW step (decoupled weight decay, Loshchilov & Hutter), in place:
   *   m = b1 m + (1-b1) g ; v = b2 v + (1-b2) g^2
   *   p -= lr * ( (m / bc1) / (sqrt(v / bc2) + eps) + wd * p )
   * with bc1 = 1 - b1^t and bc2 = 1 - b2^t passed by the caller. gradScale multiplies g
   * first (global-norm clipping without a separate pass).
   */
  adamw(
    param: Buf,
    grad: Buf,
    m: Buf,
    v: Buf,
    n: number,
    lr: number,
    beta1: number,
    beta2: number,
    eps: number,
    weightDecay: number,
    bc1: number,
    bc2: number,
    gradScale: number,
  ): void;
}
