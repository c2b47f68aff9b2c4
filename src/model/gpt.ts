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

/** Called with each named activation during a forward pass (TransformerLens-style names). */
export type ActivationHook = (name: string, value: Buf, shape: readonly number[]) => void;

export class GPT {
  readonly params: Map<string, Tensor>;

  constructor(readonly config: GPTConfig, params: Map<string, Tensor>) {
    for (const spec of parameterSpecs(config)) {
      const t = params.get(spec.name);
      if (!t) throw new Error(`GPT: missing parameter ${spec.name}`);
      if (t.shape.join() !== spec.shape.join()) throw new Error(`GPT: ${spec.name} has shape [${t.shape}], expected [${spec.shape}]`);
    }
    this.params = params;
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
    return new Graph(opts.kernels ?? kernels(), { grad, dtype: this.dtype, pool: opts.pool, precision: opts.precision });
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
  forward(
    g: Graph, ids: Int32Array, B: number, T: number,
    opts: { hook?: ActivationHook; cache?: KVCache; lastPosition?: boolean } = {},
  ): Tensor {
    const c = this.config;
    const { hook, cache, lastPosition } = opts;
    const start = cache ? cache.length : 0;
    if (cache && B !== 1) throw new Error('GPT: a KV cache holds one sequence (B = 1)');
    if (cache && lastPosition) throw new Error('GPT: lastPosition is for full sequences, not a KV cache');
    if (start + T > c.n_positions) throw new Error(`GPT: positions up to ${start + T} exceed the context ${c.n_positions}`);
    for (let i = 0; i < ids.length; i++) {
      if (!(ids[i] >= 0 && ids[i] < c.vocab_size)) throw new Error(`GPT: token id ${ids[i]} at ${i} outside [0, ${c.vocab_size})`);
    }
    const p = (name: string) => this.param(name);
    const emit = (name: string, t: Tensor) => hook?.(name, t.data, t.shape);
    const norm = (x: Tensor, name: string) =>
      c.layer_norm ? g.layerNorm(x, p(`${name}.weight`), p(`${name}.bias`), c.layer_norm_epsilon) : x;
    const act = (x: Tensor) => (c.activation_function === 'relu' ? g.relu(x) : g.gelu(x));

    // With a cache, position t of this call is position start + t of the sequence.
    const wpe = p('transformer.wpe.weight');
    const positions = start ? new Tensor(wpe.data.subarray(start * c.n_embd, (start + T) * c.n_embd), [T, c.n_embd]) : wpe;
    let x = g.embedding(ids, p('transformer.wte.weight'), positions, B, T);
    emit('hook_embed', x);
    for (let l = 0; l < c.n_layer; l++) {
      const h = `transformer.h.${l}`;
      const qkv = g.linear(norm(x, `${h}.ln_1`), p(`${h}.attn.c_attn.weight`), p(`${h}.attn.c_attn.bias`));
      const pattern = hook && ((att: Buf) => hook(`blocks.${l}.attn.hook_pattern`, att, [B, c.n_head, T, T]));
      let attn = cache
        ? g.attentionCached(qkv, cache.keys[l], cache.values[l], start, c.n_head)
        : g.attention(qkv, B, T, c.n_head, pattern);
      if (lastPosition && l === c.n_layer - 1) {
        const rows = Int32Array.from({ length: B }, (_, b) => b * T + T - 1);
        attn = g.gatherRows(attn, rows);
        x = g.gatherRows(x, rows);
      }
      x = g.add(x, g.linear(attn, p(`${h}.attn.c_proj.weight`), p(`${h}.attn.c_proj.bias`)));
      emit(`blocks.${l}.hook_resid_mid`, x);
      const hidden = act(g.linear(norm(x, `${h}.ln_2`), p(`${h}.mlp.c_fc.weight`), p(`${h}.mlp.c_fc.bias`)));
      emit(`blocks.${l}.mlp.hook_post`, hidden);
      x = g.add(x, g.linear(hidden, p(`${h}.mlp.c_proj.weight`), p(`${h}.mlp.c_proj.bias`)));
      emit(`blocks.${l}.hook_resid_post`, x);
    }
    x = norm(x, 'transformer.ln_f');
    const unembed = c.tie_word_embeddings ? p('transformer.wte.weight') : p('lm_head.weight');
    if (cache) cache.length += T;
    return g.linear(x, unembed, null, 'out_in');
  }

  /**
   * Mean next-token cross-entropy of inputs [B*T] against targets [B*T] (ignoreIndex rows
   * skipped), with each row's loss (minus the log-probability of its target).
   */
  loss(g: Graph, inputs: Int32Array, targets: Int32Array, B: number, T: number, ignoreIndex = -1) {
    const logits = this.forward(g, inputs, B, T);
    return g.crossEntropy(logits, targets, ignoreIndex);
  }
}
