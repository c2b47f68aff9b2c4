/**
 * A GPT-2 decoder: learned token and position embeddings, pre-LayerNorm blocks
 * (x + attn(ln_1(x)), then x + mlp(ln_2(x))), a final LayerNorm and an unembedding tied to
 * the token embedding. Parameters carry the names and layouts of Hugging Face's
 * GPT2LMHeadModel state dict (Conv1D weights stored [in, out]), so checkpoints load there.
 *
 * The same class, configured without LayerNorm, with ReLU and an untied unembedding, is
 * the one-layer transformer of the grokking experiments (Nanda et al. 2023).
 */
import { kernels } from '../engine/backend.js';
import type { BufferPool } from '../engine/buffer-pool.js';
import { Graph } from '../engine/graph.js';
import type { Buf, Kernels } from '../engine/kernels.js';
import type { Precision } from '../engine/precision.js';
import { Tensor, type DType } from '../engine/tensor.js';
import { Rng } from '../util/rng.js';
import type { GPTConfig } from './config.js';
import type { Hooks } from './hooks.js';
import type { KVCache } from './kv-cache.js';

type Init = { kind: 'normal'; std: number } | { kind: 'zeros' } | { kind: 'ones' };

export interface ParameterSpec {
  name: string;
  shape: number[];
  init: Init;
  /** Weight decay applies to matrices (linear weights, embeddings), not biases or norms. */
  decay: boolean;
}

/** Every parameter of the model, in a fixed order, with its HF name, shape and init. */
export function parameterSpecs(c: GPTConfig): ParameterSpec[] {
  const C = c.n_embd;
  const std = c.initializer_range;
  // GPT-2 scales the init of the projections that write into the residual stream by
  // 1/sqrt(2 * n_layer), so the stream's variance does not grow with depth.
  const residStd = std / Math.sqrt(2 * c.n_layer);
  const specs: ParameterSpec[] = [
    { name: 'transformer.wte.weight', shape: [c.vocab_size, C], init: { kind: 'normal', std }, decay: true },
    { name: 'transformer.wpe.weight', shape: [c.n_positions, C], init: { kind: 'normal', std }, decay: true },
  ];
  const norm = (name: string) => {
    if (!c.layer_norm) return;
    specs.push({ name: `${name}.weight`, shape: [C], init: { kind: 'ones' }, decay: false });
    specs.push({ name: `${name}.bias`, shape: [C], init: { kind: 'zeros' }, decay: false });
  };
  const linear = (name: string, inF: number, outF: number, s: number) => {
    specs.push({ name: `${name}.weight`, shape: [inF, outF], init: { kind: 'normal', std: s }, decay: true });
    specs.push({ name: `${name}.bias`, shape: [outF], init: { kind: 'zeros' }, decay: false });
  };
  for (let l = 0; l < c.n_layer; l++) {
    const h = `transformer.h.${l}`;
    norm(`${h}.ln_1`);
    linear(`${h}.attn.c_attn`, C, 3 * C, std);
    linear(`${h}.attn.c_proj`, C, C, residStd);
    norm(`${h}.ln_2`);
    linear(`${h}.mlp.c_fc`, C, c.n_inner, std);
    linear(`${h}.mlp.c_proj`, c.n_inner, C, residStd);
  }
  norm('transformer.ln_f');
  if (!c.tie_word_embeddings) {
    specs.push({ name: 'lm_head.weight', shape: [c.vocab_size, C], init: { kind: 'normal', std }, decay: true });
  }
  return specs;
}

export function countParameters(c: GPTConfig): number {
  return parameterSpecs(c).reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1), 0);
}

/**
 * The attention of one layer: packed q|k|v rows [N, 3C] -> the heads' outputs [N, C]. The
 * model's own passes attend causally over a batch or over a KV cache; the prefix scorer
 * attends over a trie (tree attention). Everything else in a block is the same for all.
 */
export type Attend = (qkv: Tensor, layer: number) => Tensor;

/** Emits `x` under `name` when the hooks ask for it. */
function emit(hooks: Hooks | undefined, name: string, x: Tensor): void {
  if (hooks?.names.has(name)) hooks.emit(name, x.data, x.shape);
}

/** LayerNorm, or the identity in models without one (the grokking variant). */
class LayerNorm {
  readonly weight: Tensor | null;
  readonly bias: Tensor | null;
  readonly eps: number;

  /** `prefix`: the parameters' name (transformer.h.0.ln_1); `hook`: the output's hook name. */
  constructor(
    c: GPTConfig,
    p: (name: string) => Tensor,
    prefix: string,
    readonly hook: string,
  ) {
    this.weight = c.layer_norm ? p(`${prefix}.weight`) : null;
    this.bias = c.layer_norm ? p(`${prefix}.bias`) : null;
    this.eps = c.layer_norm_epsilon;
  }

  forward(g: Graph, x: Tensor, hooks?: Hooks): Tensor {
    if (!this.weight || !this.bias) return x;
    const y = g.layerNorm(x, this.weight, this.bias, this.eps);
    emit(hooks, this.hook, y);
    return y;
  }
}

/** Multi-head self-attention: q, k, v = x W_attn; heads = attend(q, k, v); out = heads W_proj. */
class Attention {
  readonly hookZ: string;

  constructor(
    readonly layer: number,
    readonly c_attn: { weight: Tensor; bias: Tensor },
    readonly c_proj: { weight: Tensor; bias: Tensor },
  ) {
    this.hookZ = `blocks.${layer}.attn.hook_z`;
  }

  /**
   * `rows`: keep only these rows after attention (the positions a loss reads); `qkv`: the
   * projection of x when the caller has it already (see GPT.projectedEmbedding).
   */
  forward(g: Graph, x: Tensor, attend: Attend, hooks?: Hooks, rows?: Int32Array, qkv?: Tensor): Tensor {
    qkv ??= g.linear(x, this.c_attn.weight, this.c_attn.bias);
    let z = attend(qkv, this.layer);
    if (rows) z = g.gatherRows(z, rows);
    emit(hooks, this.hookZ, z);
    return g.linear(z, this.c_proj.weight, this.c_proj.bias);
  }
}

/** The feed-forward network: act(x W_fc) W_proj, with GELU (GPT-2) or ReLU. */
class MLP {
  readonly hookPre: string;
  readonly hookPost: string;

  constructor(
    layer: number,
    readonly c_fc: { weight: Tensor; bias: Tensor },
    readonly c_proj: { weight: Tensor; bias: Tensor },
    readonly relu: boolean,
  ) {
    this.hookPre = `blocks.${layer}.mlp.hook_pre`;
    this.hookPost = `blocks.${layer}.mlp.hook_post`;
  }

  forward(g: Graph, x: Tensor, hooks?: Hooks): Tensor {
    const pre = g.linear(x, this.c_fc.weight, this.c_fc.bias);
    emit(hooks, this.hookPre, pre);
    const post = this.relu ? g.relu(pre) : g.gelu(pre);
    emit(hooks, this.hookPost, post);
    return g.linear(post, this.c_proj.weight, this.c_proj.bias);
  }
}

/** One pre-LayerNorm transformer block: x = x + attn(ln_1(x)); x = x + mlp(ln_2(x)). */
export class Block {
  readonly ln_1: LayerNorm;
  readonly attn: Attention;
  readonly ln_2: LayerNorm;
  readonly mlp: MLP;
  private readonly hook: Record<'residPre' | 'attnOut' | 'residMid' | 'mlpOut' | 'residPost', string>;

  constructor(c: GPTConfig, layer: number, p: (name: string) => Tensor) {
    const h = `transformer.h.${layer}`;
    const b = `blocks.${layer}`;
    const linear = (name: string) => ({ weight: p(`${h}.${name}.weight`), bias: p(`${h}.${name}.bias`) });
    this.ln_1 = new LayerNorm(c, p, `${h}.ln_1`, `${b}.ln1.hook_normalized`);
    this.attn = new Attention(layer, linear('attn.c_attn'), linear('attn.c_proj'));
    this.ln_2 = new LayerNorm(c, p, `${h}.ln_2`, `${b}.ln2.hook_normalized`);
    this.mlp = new MLP(layer, linear('mlp.c_fc'), linear('mlp.c_proj'), c.activation_function === 'relu');
    this.hook = {
      residPre: `${b}.hook_resid_pre`,
      attnOut: `${b}.hook_attn_out`,
      residMid: `${b}.hook_resid_mid`,
      mlpOut: `${b}.hook_mlp_out`,
      residPost: `${b}.hook_resid_post`,
    };
  }

  /**
   * The block on rows x [N, C]. `attend` is how this pass attends; `rows` cuts the stream to
   * those rows after attention (the last block of a lastPosition pass); `qkv` is the
   * attention's input projection when the caller computed it (block 0 without LayerNorm).
   */
  forward(g: Graph, x: Tensor, attend: Attend, opts: { hooks?: Hooks; rows?: Int32Array; qkv?: Tensor } = {}): Tensor {
    const { hooks, rows, qkv } = opts;
    emit(hooks, this.hook.residPre, x);
    const attnOut = this.attn.forward(g, this.ln_1.forward(g, x, hooks), attend, hooks, rows, qkv);
    emit(hooks, this.hook.attnOut, attnOut);
    if (rows) x = g.gatherRows(x, rows);
    x = g.add(x, attnOut);
    emit(hooks, this.hook.residMid, x);
    const mlpOut = this.mlp.forward(g, this.ln_2.forward(g, x, hooks), hooks);
    emit(hooks, this.hook.mlpOut, mlpOut);
    x = g.add(x, mlpOut);
    emit(hooks, this.hook.residPost, x);
    return x;
  }
}

export interface ForwardOptions {
  /** Activations to emit, by hook name (see hooks.ts). */
  hooks?: Hooks;
  /** Continue the sequence held in this cache (inference, B = 1); it grows by T. */
  cache?: KVCache;
  /** Logits of each sequence's last position only, [B, V]. */
  lastPosition?: boolean;
}

export class GPT {
  readonly params: Map<string, Tensor>;
  readonly blocks: readonly Block[];
  private readonly ln_f: LayerNorm;

  constructor(
    readonly config: GPTConfig,
    params: Map<string, Tensor>,
  ) {
    for (const spec of parameterSpecs(config)) {
      const t = params.get(spec.name);
      if (!t) throw new Error(`GPT: missing parameter ${spec.name}`);
      if (t.shape.join() !== spec.shape.join()) {
        throw new Error(`GPT: ${spec.name} has shape [${t.shape}], expected [${spec.shape}]`);
      }
    }
    this.params = params;
    const p = (name: string) => this.param(name);
    this.blocks = Array.from({ length: config.n_layer }, (_, l) => new Block(config, l, p));
    this.ln_f = new LayerNorm(config, p, 'transformer.ln_f', 'ln_final.hook_normalized');
  }

  /** A freshly initialised model (GPT-2 initialisation), fully determined by the seed. */
  static init(config: GPTConfig, seed: number, dtype: DType = 'f32'): GPT {
    const rng = Rng.derive(seed, 'init');
    const params = new Map<string, Tensor>();
    for (const spec of parameterSpecs(config)) {
      const t = Tensor.zeros(spec.shape, dtype, true);
      if (spec.init.kind === 'ones') t.data.fill(1);
      else if (spec.init.kind === 'normal') for (let i = 0; i < t.size; i++) t.data[i] = spec.init.std * rng.normal();
      params.set(spec.name, t);
    }
    return new GPT(config, params);
  }

  param(name: string): Tensor {
    const t = this.params.get(name);
    if (!t) throw new Error(`GPT: no parameter ${name}`);
    return t;
  }

  /** Parameters in spec order. */
  parameters(): { spec: ParameterSpec; tensor: Tensor }[] {
    return parameterSpecs(this.config).map((spec) => ({ spec, tensor: this.param(spec.name) }));
  }

  zeroGrad(): void {
    for (const t of this.params.values()) t.grad?.fill(0);
  }

  get dtype(): DType {
    return this.param('transformer.wte.weight').dtype;
  }

  /** A graph on the active backend (or the given kernels) in the model's dtype. */
  graph(grad: boolean, opts: { kernels?: Kernels; pool?: BufferPool; precision?: Precision } = {}): Graph {
    return new Graph(opts.kernels ?? kernels(), {
      grad,
      dtype: this.dtype,
      pool: opts.pool,
      precision: opts.precision,
    });
  }

  /**
   * Logits [B*T, V] for token ids [B*T] (row-major, T <= n_positions). With a KV cache
   * (inference, B = 1) the ids continue the cached sequence and the cache grows by T.
   *
   * `lastPosition: true` returns the logits of each sequence's last position only, [B, V]:
   * the same numbers as rows T-1, 2T-1, ... of the full result, computed for a loss that
   * reads nothing else (the grokking task). The last block's attention still runs over
   * every position (the last query attends to all keys and values); the residual stream is
   * cut to the last position after it, so the output projection, the MLP and the
   * unembedding run on B rows instead of B*T. Hooks after that point see [B, ...] shapes.
   */
  forward(g: Graph, ids: Int32Array, B: number, T: number, opts: ForwardOptions = {}): Tensor {
    const c = this.config;
    const { hooks, cache, lastPosition } = opts;
    const start = cache ? cache.length : 0;
    if (cache && B !== 1) throw new Error('GPT: a KV cache holds one sequence (B = 1)');
    if (cache && lastPosition) throw new Error('GPT: lastPosition is for full sequences, not a KV cache');
    let x = this.embed(g, ids, B, T, start, hooks);
    const attend: Attend = cache
      ? (qkv, l) => g.attentionCached(qkv, cache.keys[l], cache.values[l], start, c.n_head)
      : (qkv, l) => {
          const name = `blocks.${l}.attn.hook_pattern`;
          const wanted = hooks?.names.has(name);
          const onPattern = wanted ? (att: Buf) => hooks!.emit(name, att, [B, c.n_head, T, T]) : undefined;
          return g.attention(qkv, B, T, c.n_head, onPattern);
        };
    const lastRows = lastPosition ? Int32Array.from({ length: B }, (_, b) => b * T + T - 1) : undefined;
    const qkv0 =
      cache || hooks?.names.has('blocks.0.hook_resid_pre') ? undefined : this.projectedEmbedding(g, ids, B, T);
    this.blocks.forEach((block, l) => {
      const rows = l === c.n_layer - 1 ? lastRows : undefined;
      x = block.forward(g, x, attend, { hooks, rows, qkv: l === 0 ? qkv0 : undefined });
    });
    if (cache) cache.length += T;
    return this.head(g, x, hooks);
  }

  /**
   * Token plus position embeddings of ids [B*T] at positions start .. start+T-1 -> [B*T, C]
   * (the residual stream entering block 0).
   */
  embed(g: Graph, ids: Int32Array, B: number, T: number, start = 0, hooks?: Hooks): Tensor {
    const c = this.config;
    if (start + T > c.n_positions) {
      throw new Error(`GPT: positions up to ${start + T} exceed the context ${c.n_positions}`);
    }
    for (let i = 0; i < ids.length; i++) {
      if (!(ids[i] >= 0 && ids[i] < c.vocab_size)) {
        throw new Error(`GPT: token id ${ids[i]} at ${i} outside [0, ${c.vocab_size})`);
      }
    }
    const C = c.n_embd;
    const wte = this.param('transformer.wte.weight');
    const wpe = this.param('transformer.wpe.weight');
    // With a cache, position t of this call is position start + t of the sequence.
    const positions = start ? new Tensor(wpe.data.subarray(start * C, (start + T) * C), [T, C]) : wpe;
    if (hooks?.names.has('hook_embed')) {
      const e = new Float32Array(ids.length * C);
      ids.forEach((id, i) => e.set(wte.data.subarray(id * C, (id + 1) * C), i * C));
      hooks.emit('hook_embed', e, [ids.length, C]);
    }
    if (hooks?.names.has('hook_pos_embed')) {
      const e = new Float32Array(ids.length * C);
      for (let i = 0; i < ids.length; i++) e.set(positions.data.subarray((i % T) * C, ((i % T) + 1) * C), i * C);
      hooks.emit('hook_pos_embed', e, [ids.length, C]);
    }
    return g.embedding(ids, wte, positions, B, T);
  }

  /**
   * Block 0's q|k|v for ids [B*T] straight from the embedding tables, or undefined where that is
   * not the cheaper way. Without LayerNorm before attention, block 0 projects the embeddings
   * themselves: (wte[id] + wpe[t]) W + b = (wte W)[id] + (wpe W + b)[t]. Projecting the
   * V + n_positions table rows and gathering them is the same function (rounded in another
   * order) at a fraction of the multiply-adds when B*T is much larger than the tables
   * (grokking: 11,493 rows against 117), and the gradients flow back through the tables to
   * wte, wpe, W and b. A hook on the residual stream entering block 0 may rewrite it, so
   * the caller keeps the direct projection then.
   */
  private projectedEmbedding(g: Graph, ids: Int32Array, B: number, T: number): Tensor | undefined {
    const c = this.config;
    if (c.layer_norm || B * T < 2 * (c.vocab_size + c.n_positions)) return undefined;
    const w = this.param('transformer.h.0.attn.c_attn.weight');
    const b = this.param('transformer.h.0.attn.c_attn.bias');
    const tokens = g.linear(this.param('transformer.wte.weight'), w, null);
    const positions = g.linear(this.param('transformer.wpe.weight'), w, b);
    return g.embedding(ids, tokens, positions, B, T);
  }

  /**
   * Token plus position embeddings of rows given by (id, position) pairs -> [N, C], for
   * passes whose rows are not a [B, T] grid (the prefix scorer's trie nodes). Inference only.
   */
  embedAt(ids: Int32Array, positions: Int32Array, out: Buf): void {
    const c = this.config;
    const C = c.n_embd;
    const wte = this.param('transformer.wte.weight').data;
    const wpe = this.param('transformer.wpe.weight').data;
    for (let r = 0; r < ids.length; r++) {
      const tok = ids[r];
      const pos = positions[r];
      if (!(tok >= 0 && tok < c.vocab_size)) {
        throw new Error(`GPT: token id ${tok} at row ${r} outside [0, ${c.vocab_size})`);
      }
      if (!(pos >= 0 && pos < c.n_positions)) {
        throw new Error(`GPT: position ${pos} at row ${r} outside the context ${c.n_positions}`);
      }
      for (let e = 0; e < C; e++) out[r * C + e] = wte[tok * C + e] + wpe[pos * C + e];
    }
  }

  /** The final LayerNorm and the unembedding: residual rows [N, C] -> logits [N, V]. */
  head(g: Graph, x: Tensor, hooks?: Hooks): Tensor {
    const c = this.config;
    const unembed = c.tie_word_embeddings ? this.param('transformer.wte.weight') : this.param('lm_head.weight');
    return g.linear(this.ln_f.forward(g, x, hooks), unembed, null, 'out_in');
  }

  /**
   * Mean next-token cross-entropy of inputs [B*T] against targets [B*T] (ignoreIndex rows
   * skipped), with each row's loss (minus the log-probability of its target).
   */
  loss(g: Graph, inputs: Int32Array, targets: Int32Array, B: number, T: number, ignoreIndex = -1, hooks?: Hooks) {
    const logits = this.forward(g, inputs, B, T, { hooks });
    return g.crossEntropy(logits, targets, ignoreIndex);
  }
}
