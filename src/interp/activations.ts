/**
 * Running a model over fixed windows and keeping only what a measure reads: chosen rows of
 * chosen hook points, and optionally each position's next-token loss. Windows run in
 * batches through GPT.forward with a Hooks object that copies the wanted rows as each
 * activation is emitted, so nothing else is cached.
 */
import { BufferPool } from '../engine/buffer-pool.js';
import type { Buf } from '../engine/kernels.js';
import type { Attend, GPT } from '../model/gpt.js';
import { checkHookNames, type Hooks } from '../model/hooks.js';
import { SlurryError } from '../util/errors.js';

export interface RowRequest {
  name: string;
  /** Rows as window * T + position, ascending. */
  rows: Int32Array;
}

export interface WindowRun {
  /** Per request: the rows' activations [rows, width]. */
  acts: Map<string, { data: Float32Array; width: number }>;
  /** Next-token loss at every input position [windows * T] (with `losses`). */
  losses: Float32Array | null;
}

export interface WindowRunOptions {
  /** Compute each position's loss (windows then hold T + 1 tokens). */
  losses?: boolean;
  /** Extra hook run after collection at each emitted name it lists (activation patching). */
  patch?: Hooks;
  /** Windows per forward pass. */
  batch?: number;
}

/** Runs windows of T tokens (T + 1 with losses) and collects the requested rows. */
export function runWindows(
  model: GPT,
  windows: readonly (readonly number[])[],
  T: number,
  requests: readonly RowRequest[],
  opts: WindowRunOptions = {},
): WindowRun {
  checkHookNames(
    model.config,
    requests.map((r) => r.name),
  );
  const batch = opts.batch ?? 16;
  const acts = new Map<string, { data: Float32Array; width: number }>();
  const losses = opts.losses ? new Float32Array(windows.length * T) : null;
  const names = new Set([...requests.map((r) => r.name), ...(opts.patch?.names ?? [])]);
  const pool = new BufferPool();
  for (let w0 = 0; w0 < windows.length; w0 += batch) {
    const B = Math.min(batch, windows.length - w0);
    const ids = new Int32Array(B * T);
    const targets = new Int32Array(B * T);
    for (let b = 0; b < B; b++) {
      const win = windows[w0 + b];
      for (let t = 0; t < T; t++) {
        ids[b * T + t] = win[t];
        targets[b * T + t] = opts.losses ? win[t + 1] : -1;
      }
    }
    const hooks: Hooks = {
      names,
      emit(name: string, value: Buf, shape: readonly number[]) {
        const req = requests.find((r) => r.name === name);
        if (req) collect(acts, req, value, shape[shape.length - 1], w0 * T, (w0 + B) * T);
        if (opts.patch?.names.has(name)) opts.patch.emit(name, value, shape);
      },
    };
    const g = model.graph(false, { pool });
    const logits = model.forward(g, ids, B, T, { hooks });
    if (losses) {
      const { rowLosses } = g.crossEntropy(logits, targets, -1);
      losses.set(rowLosses.subarray(0, B * T), w0 * T);
    }
    g.release();
  }
  return { acts, losses };
}

function collect(
  acts: WindowRun['acts'],
  req: RowRequest,
  value: Buf,
  width: number,
  rowStart: number,
  rowEnd: number,
): void {
  let out = acts.get(req.name);
  if (!out) acts.set(req.name, (out = { data: new Float32Array(req.rows.length * width), width }));
  // Rows are ascending: find this batch's slice.
  let i = lowerBound(req.rows, rowStart);
  for (; i < req.rows.length && req.rows[i] < rowEnd; i++) {
    const src = (req.rows[i] - rowStart) * width;
    out.data.set(value.subarray(src, src + width), i * width);
  }
}

function lowerBound(a: Int32Array, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Sites an SAE can read: a block's residual stream, attention or MLP output, or MLP neurons. */
export const SITE =
  /^blocks\.\d+\.(hook_resid_pre|hook_resid_mid|hook_resid_post|hook_attn_out|hook_mlp_out|mlp\.hook_post)$/;

/**
 * Activations at one site of the residual stream or a block (blocks.{l}.*) for windows of
 * T tokens, running only the blocks up to that site (no later block, no unembedding).
 */
export function siteActivations(
  model: GPT,
  windows: readonly (readonly number[])[],
  T: number,
  site: string,
  batch = 16,
): Float32Array {
  checkHookNames(model.config, [site]);
  if (!SITE.test(site))
    throw new SlurryError(`SAE site ${site}: expected a blocks.{l} residual or MLP hook (not a pattern)`);
  const layer = Number(site.split('.')[1]);
  let out: Float32Array | null = null;
  const pool = new BufferPool();
  for (let w0 = 0; w0 < windows.length; w0 += batch) {
    const B = Math.min(batch, windows.length - w0);
    const ids = Int32Array.from({ length: B * T }, (_, i) => windows[w0 + Math.floor(i / T)][i % T]);
    const g = model.graph(false, { pool });
    const hooks: Hooks = {
      names: new Set([site]),
      emit(_name, value, shape) {
        const width = shape[shape.length - 1];
        out ??= new Float32Array(windows.length * T * width);
        out.set(value.subarray(0, B * T * width), w0 * T * width);
      },
    };
    let x = model.embed(g, ids, B, T, 0, hooks);
    const attend: Attend = (qkv) => g.attention(qkv, B, T, model.config.n_head);
    for (let l = 0; l <= layer; l++) x = model.blocks[l].forward(g, x, attend, { hooks });
    g.release();
  }
  if (!out) throw new Error(`siteActivations: ${site} was not emitted`);
  return out;
}
