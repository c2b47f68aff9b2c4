/**
 * Hook points: every activation of a forward pass has a stable TransformerLens name, and a
 * caller asks for the names it wants. Only those are emitted (nothing is copied or
 * computed for the others), so a pass with hooks costs what it reads.
 *
 *   hook_embed, hook_pos_embed                  [N, C] token and position embeddings
 *   blocks.{l}.hook_resid_pre                   [N, C] the residual stream entering block l
 *   blocks.{l}.ln1.hook_normalized              [N, C] (models with LayerNorm)
 *   blocks.{l}.attn.hook_pattern                [B, H, T, T] attention probabilities (full causal passes)
 *   blocks.{l}.attn.hook_z                      [N, C] heads' outputs before c_proj (head h: columns h*C/H ..)
 *   blocks.{l}.hook_attn_out                    [N, C] what attention writes into the stream
 *   blocks.{l}.hook_resid_mid                   [N, C]
 *   blocks.{l}.ln2.hook_normalized              [N, C] (models with LayerNorm)
 *   blocks.{l}.mlp.hook_pre, blocks.{l}.mlp.hook_post   [N, n_inner] before and after the activation
 *   blocks.{l}.hook_mlp_out                     [N, C]
 *   blocks.{l}.hook_resid_post                  [N, C]
 *   ln_final.hook_normalized                    [N, C] (models with LayerNorm)
 *
 * N is the number of rows of the pass (B*T; B for the last block's outputs with
 * lastPosition). In a pass without gradients a hook may overwrite the values it is given
 * (activation patching); the pass continues from the edited values.
 */
import type { Buf } from '../engine/kernels.js';
import { SlurryError } from '../util/errors.js';
import type { GPTConfig } from './config.js';

export interface Hooks {
  /** The names this pass emits. */
  readonly names: ReadonlySet<string>;
  /** Called with each requested activation (valid until the graph is released). */
  emit(name: string, value: Buf, shape: readonly number[]): void;
}

/** Every hook name a model of this config has, in forward order. */
export function hookNames(c: GPTConfig): string[] {
  const names = ['hook_embed', 'hook_pos_embed'];
  for (let l = 0; l < c.n_layer; l++) {
    const b = `blocks.${l}`;
    names.push(`${b}.hook_resid_pre`);
    if (c.layer_norm) names.push(`${b}.ln1.hook_normalized`);
    names.push(`${b}.attn.hook_pattern`, `${b}.attn.hook_z`, `${b}.hook_attn_out`, `${b}.hook_resid_mid`);
    if (c.layer_norm) names.push(`${b}.ln2.hook_normalized`);
    names.push(`${b}.mlp.hook_pre`, `${b}.mlp.hook_post`, `${b}.hook_mlp_out`, `${b}.hook_resid_post`);
  }
  if (c.layer_norm) names.push('ln_final.hook_normalized');
  return names;
}

/** Throws a one-line error for the first name the model does not have, listing close names. */
export function checkHookNames(c: GPTConfig, names: Iterable<string>): void {
  const known = hookNames(c);
  const set = new Set(known);
  for (const name of names) {
    if (set.has(name)) continue;
    const close = known
      .map((k) => ({ k, d: editDistance(name, k) }))
      .sort((a, b) => a.d - b.d)
      .slice(0, 3)
      .map((x) => x.k);
    const layers = `this model has ${c.n_layer} layers`;
    throw new SlurryError(`unknown hook "${name}" (${layers}); close names: ${close.join(', ')}`);
  }
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}

export interface Activation {
  data: Float32Array;
  shape: readonly number[];
}

/**
 * Copies the requested activations out of a pass, so they outlive the graph: pass it as
 * `hooks` to GPT.forward, then read them with get().
 */
export class ActivationCache implements Hooks {
  readonly names: ReadonlySet<string>;
  private readonly store = new Map<string, Activation>();

  constructor(config: GPTConfig, names: Iterable<string>) {
    const list = [...names];
    checkHookNames(config, list);
    this.names = new Set(list);
  }

  emit(name: string, value: Buf, shape: readonly number[]): void {
    const size = shape.reduce((a, b) => a * b, 1);
    this.store.set(name, { data: Float32Array.from(value.subarray(0, size)), shape: [...shape] });
  }

  get(name: string): Activation {
    const a = this.store.get(name);
    if (!a) {
      const why = this.names.has(name) ? 'was not emitted by the pass' : 'was not requested';
      throw new SlurryError(`activation cache: "${name}" ${why}`);
    }
    return a;
  }

  has(name: string): boolean {
    return this.store.has(name);
  }
}
