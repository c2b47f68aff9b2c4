/**
 * Every interpretability family on one checkpoint, over the run's fixed sample: linear
 * probes per layer with control tasks, CKA with the previous checkpoint, attention-head
 * scores and the ICL score, MLP neuron selectivity, and a TopK SAE on one site. Returns the
 * record, the CKA rows to cache for later checkpoints and the SAE to keep.
 */
import type { Tokenizer } from '../data/tokenizer/tokenizer.js';
import type { GPT } from '../model/gpt.js';
import { ActivationCache, type Hooks } from '../model/hooks.js';
import type { InterpProbe, InterpRecord } from '../run/interp-records.js';
import { runWindows, siteActivations } from './activations.js';
import { ckaSide, linearCka } from './cka.js';
import { HEAD_SCORES, headScores, repeatedSequences, scoreQueries, uniformChance } from './head-scores.js';
import { majorityBaseline, probeHits } from './linear-probe.js';
import { summarizeSelectivity } from './neuron-selectivity.js';
import { checkSaeFits, decode, densities, encode, fvu, trainSae, type Sae, type SaeConfig } from './sae.js';
import { isHeldOut, type InterpSample, type LabelledRows } from './sample.js';

export interface MeasureOptions {
  /** SAE site (default: the residual stream after the middle block). */
  saeSite?: string;
  /** SAE settings; latents default to SAE_LATENTS_PER_DIM x the site's width, auxK to half of it. */
  sae: Omit<SaeConfig, 'seed' | 'latents' | 'auxK' | 'deadTokens'> & { latents?: number };
  /** Bytes the SAE may take. */
  memoryLimit: number;
  headSequences: number;
  /** Rows kept for CKA. */
  ckaRows: number;
  seed: number;
}

export const DEFAULT_SAE = { k: 16, auxCoef: 1 / 32, lr: 2e-3, batch: 256, epochs: 4 } as const;
export const SAE_LATENTS_PER_DIM = 8;

/** The SAE's full config for a site of this width and this many training tokens. */
export function saeConfigFor(width: number, trainTokens: number, opts: MeasureOptions): SaeConfig {
  return {
    ...opts.sae,
    latents: opts.sae.latents ?? SAE_LATENTS_PER_DIM * width,
    auxK: Math.max(1, Math.floor(width / 2)),
    // A latent silent for a quarter of the training tokens counts as dead (OpenAI: 10M tokens).
    deadTokens: Math.max(1, Math.floor((trainTokens * opts.sae.epochs) / 4)),
    seed: opts.seed,
  };
}

export function defaultSaeSite(nLayer: number): string {
  return `blocks.${Math.max(0, Math.floor(nLayer / 2) - 1)}.hook_resid_post`;
}

export interface Measured {
  record: InterpRecord;
  /** Residual rows [ckaRows, C] per layer, for CKA with other checkpoints. */
  ckaActs: Float32Array[];
  ckaWidth: number;
  sae: Sae;
  /** Latents that never fired on the held-out tokens. */
  deadLatents: number[];
}

export function residualLayers(nLayer: number): string[] {
  return [
    ...Array.from({ length: nLayer }, (_, l) => `blocks.${l}.hook_resid_pre`),
    `blocks.${nLayer - 1}.hook_resid_post`,
  ];
}

/** Rows of the CKA sample: every other source row, at most `count`. */
export function ckaRowIndices(sample: InterpSample, count: number): number[] {
  const stride = Math.max(1, Math.floor(sample.source.rows.length / count));
  return Array.from({ length: Math.min(count, Math.floor(sample.source.rows.length / stride)) }, (_, i) => i * stride);
}

export function measureCheckpoint(
  model: GPT,
  tokenizer: Tokenizer,
  sample: InterpSample,
  at: { step: number; tokens: number },
  prev: { step: number; acts: Float32Array[] } | null,
  opts: MeasureOptions,
): Measured {
  const c = model.config;
  const T = sample.context;
  const C = c.n_embd;
  const seconds: Record<string, number> = {};
  const timed = <R>(family: string, fn: () => R): R => {
    const t0 = performance.now();
    const r = fn();
    seconds[family] = (seconds[family] ?? 0) + (performance.now() - t0) / 1000;
    return r;
  };
  const site = opts.saeSite ?? defaultSaeSite(c.n_layer);
  const siteWidth = site.endsWith('mlp.hook_post') ? c.n_inner : c.n_embd;
  const saeConfig = saeConfigFor(siteWidth, sample.saeWindows.length * T, opts);
  checkSaeFits(siteWidth, saeConfig, opts.memoryLimit);
  const layers = residualLayers(c.n_layer);
  const mlps = Array.from({ length: c.n_layer }, (_, l) => `blocks.${l}.mlp.hook_post`);
  const families = [sample.source, ...(sample.pos.rows.length ? [sample.pos] : [])];
  const allRows = Int32Array.from(new Set(families.flatMap((f) => f.rows))).sort();
  const rowIndex = new Map<number, number>();
  allRows.forEach((r, i) => rowIndex.set(r, i));

  // One pass over the sample: residual and MLP rows, and every position's loss.
  const run = timed('activations', () =>
    runWindows(
      model,
      sample.windows.map((w) => w.tokens),
      T,
      [...layers, ...mlps].map((name) => ({ name, rows: allRows })),
      { losses: true },
    ),
  );
  const rowsOf = (name: string, f: LabelledRows) => {
    const a = run.acts.get(name)!;
    const out = new Float32Array(f.rows.length * a.width);
    f.rows.forEach((r, i) =>
      out.set(a.data.subarray(rowIndex.get(r)! * a.width, (rowIndex.get(r)! + 1) * a.width), i * a.width),
    );
    return { data: out, width: a.width };
  };

  const probe = (f: LabelledRows, basis: InterpProbe['selectivity_basis']): InterpProbe =>
    timed('probes', () =>
      probeFamily(
        f,
        sample,
        T,
        layers.map((name) => rowsOf(name, f).data),
        C,
        basis,
      ),
    );
  const probes = {
    source: probe(sample.source, 'embedding'),
    pos: sample.pos.rows.length ? probe(sample.pos, 'control') : null,
  };

  const ckaIdx = ckaRowIndices(sample, opts.ckaRows);
  const ckaActs = layers.map((name) => {
    const a = rowsOf(name, sample.source).data;
    const out = new Float32Array(ckaIdx.length * C);
    ckaIdx.forEach((r, i) => out.set(a.subarray(r * C, (r + 1) * C), i * C));
    return out;
  });
  const ckaPrev = prev
    ? timed('cka', () => ({
        step: prev.step,
        layers: ckaActs.map((a, l) => linearCka(ckaSide(a, ckaIdx.length, C), ckaSide(prev.acts[l], ckaIdx.length, C))),
      }))
    : null;

  const heads = timed('heads', () => measureHeads(model, tokenizer, opts.headSequences, opts.seed));
  const icl = timed('icl', () => iclScore(sample, run.losses!, T));

  const neurons = timed('neurons', () => {
    const summarise = (f: LabelledRows) =>
      mlps.map((name) => {
        const a = rowsOf(name, f);
        const s = summarizeSelectivity(
          a.data,
          f.rows.length,
          a.width,
          Int32Array.from(f.labels),
          f.classes.length,
          opts.seed,
        );
        return {
          mean: s.mean,
          mean_shuffled: s.meanShuffled,
          selective: s.selective,
          dead: s.dead,
          top: s.top.map((t) => ({ neuron: t.neuron, si: t.si, class: f.classes[t.class] })),
        };
      });
    return {
      index: 'class_selectivity_morcos2018' as const,
      source: summarise(sample.source),
      pos: sample.pos.rows.length ? summarise(sample.pos) : null,
    };
  });

  const {
    sae,
    deadLatents,
    record: saeRecord,
  } = timed('sae', () => measureSae(model, tokenizer, sample, site, run.losses!, saeConfig));
  const record: InterpRecord = {
    step: at.step,
    tokens: at.tokens,
    layers,
    probes,
    cka_prev: ckaPrev,
    heads,
    icl,
    neurons,
    sae: saeRecord,
    seconds,
  };
  return { record, ckaActs, ckaWidth: C, sae, deadLatents };
}

function probeFamily(
  f: LabelledRows,
  sample: InterpSample,
  T: number,
  perLayer: Float32Array[],
  d: number,
  basis: InterpProbe['selectivity_basis'],
): InterpProbe {
  const windowOf = (row: number) => Math.floor(row / T);
  const idx = f.rows.map((_, i) => i);
  const train = Int32Array.from(idx.filter((i) => !isHeldOut(windowOf(f.rows[i]))));
  const test = Int32Array.from(idx.filter((i) => isHeldOut(windowOf(f.rows[i]))));
  const labels = Int32Array.from(f.labels);
  const control = Int32Array.from(f.control);
  const K = f.classes.length;
  const hits = perLayer.map((x) => probeHits({ x, d, labels, classes: K }, train, test));
  const controlHits = perLayer.map((x) => probeHits({ x, d, labels: control, classes: K }, train, test));
  const acc = (h: Uint8Array) => (h.length ? h.reduce((a, b) => a + b, 0) / h.length : 0);
  const accuracy = hits.map(acc);
  const controlAccuracy = controlHits.map(acc);
  const byWindow = new Map<number, number[]>();
  test.forEach((r, j) => {
    const w = windowOf(f.rows[r]);
    byWindow.set(w, [...(byWindow.get(w) ?? []), j]);
  });
  return {
    classes: f.classes,
    train_rows: train.length,
    test_rows: test.length,
    majority: { task: majorityBaseline(labels, K, train, test), control: majorityBaseline(control, K, train, test) },
    accuracy,
    control_accuracy: controlAccuracy,
    selectivity_basis: basis,
    selectivity: accuracy.map((a, l) => a - (basis === 'control' ? controlAccuracy[l] : accuracy[0])),
    items: [...byWindow.entries()].map(([w, js]) => ({
      id: sample.windows[w].id,
      n: js.length,
      hits: hits.map((h) => js.reduce((a, j) => a + h[j], 0)),
      control_hits: controlHits.map((h) => js.reduce((a, j) => a + h[j], 0)),
    })),
  };
}

/** Head scores on repeated random sequences, read from the attention patterns. */
export function measureHeads(
  model: GPT,
  tokenizer: Pick<Tokenizer, 'vocabSize' | 'eotId'>,
  count: number,
  seed: number,
): InterpRecord['heads'] {
  const c = model.config;
  const seqs = repeatedSequences(count, c.n_positions, tokenizer.vocabSize, tokenizer.eotId, seed);
  const T = seqs[0].length;
  const names = Array.from({ length: c.n_layer }, (_, l) => `blocks.${l}.attn.hook_pattern`);
  const cache = new ActivationCache(c, names);
  const g = model.graph(false);
  model.forward(g, Int32Array.from(seqs.flat()), seqs.length, T, { hooks: cache });
  g.release();
  const queries = scoreQueries(T);
  const score = (name: (typeof HEAD_SCORES)[number]) => {
    const items = names.map((n) => headScores(cache.get(n).data, seqs.length, c.n_head, T, queries[name]));
    return {
      chance: uniformChance(queries[name]),
      mean: items.map((layer) => layer.map((seq) => seq.reduce((a, b) => a + b, 0) / seq.length)),
      items,
    };
  };
  return {
    sequences: seqs.length,
    length: T,
    previous_token: score('previous_token'),
    duplicate_token: score('duplicate_token'),
    prefix_matching: score('prefix_matching'),
  };
}

/** Natural text, where in-context learning means using the document so far (as the icl suite). */
const NATURAL_KINDS = new Set(['books', 'news', 'reference']);

/** Early-minus-late loss per natural-text window: targets [T/16, 3T/16) against the last T/8. */
function iclScore(sample: InterpSample, losses: Float32Array, T: number): InterpRecord['icl'] {
  const early: [number, number] = [Math.floor(T / 16), Math.floor((3 * T) / 16)];
  const late: [number, number] = [T - Math.floor(T / 8), T];
  const mean = (w: number, [a, b]: [number, number]) => {
    let s = 0;
    for (let t = a; t < b; t++) s += losses[w * T + t];
    return s / (b - a);
  };
  const items = sample.windows.flatMap((win, w) =>
    NATURAL_KINDS.has(win.kind) ? [{ id: win.id, c: mean(w, early) - mean(w, late) }] : [],
  );
  return { score: items.reduce((a, i) => a + i.c, 0) / Math.max(1, items.length), early, late, items };
}

/** Nats the mean ablation must cost before loss recovered is a ratio worth reporting. */
export const LOSS_RECOVERED_MIN_GAP = 0.05;

const DENSITY_EDGES = [-6, -5, -4, -3, -2, -1, 0];

function measureSae(
  model: GPT,
  tokenizer: Tokenizer,
  sample: InterpSample,
  site: string,
  clean: Float32Array,
  cfg: SaeConfig,
) {
  const T = sample.context;
  const trainX = siteActivations(model, sample.saeWindows, T, site);
  const n = sample.saeWindows.length * T;
  const width = trainX.length / n;
  const sae = trainSae(trainX, n, width, cfg);
  // Held-out: the sample's windows, patched in place at the site.
  const windows = sample.windows.map((w) => w.tokens);
  const heldX = siteActivations(model, windows, T, site);
  const heldN = windows.length * T;
  const codes = encode(sae, heldX, heldN);
  const recon = decode(sae, codes);
  const dens = densities(codes, sae.m);
  const mean = new Float32Array(width);
  for (let i = 0; i < heldN; i++) for (let j = 0; j < width; j++) mean[j] += heldX[i * width + j] / heldN;
  const patched = (replace: (value: Float32Array | Float64Array, rows: number) => void): number => {
    const hooks: Hooks = { names: new Set([site]), emit: (_n, value, shape) => replace(value, shape[0]) };
    const r = runWindows(model, windows, T, [], { losses: true, patch: hooks });
    return meanOf(r.losses!);
  };
  const lossSae = patched((value, rows) => {
    const x = Float32Array.from(value.subarray(0, rows * width));
    value.set(decode(sae, encode(sae, x, rows)));
  });
  const lossAblated = patched((value, rows) => {
    for (let i = 0; i < rows; i++) value.set(mean, i * width);
  });
  const lossClean = meanOf(clean);
  const counts = new Array(DENSITY_EDGES.length - 1).fill(0);
  let dead = 0;
  for (const f of dens) {
    if (f === 0) {
      dead++;
      continue;
    }
    const b = Math.min(counts.length - 1, Math.max(0, Math.floor(Math.log10(f)) - DENSITY_EDGES[0]));
    counts[b]++;
  }
  let l0 = 0;
  for (const v of codes.value) if (v > 0) l0++;
  return {
    sae,
    deadLatents: [...dens.keys()].filter((f) => dens[f] === 0),
    record: {
      site,
      latents: sae.m,
      k: sae.k,
      train_tokens: n,
      l0: l0 / heldN,
      dead: dead / sae.m,
      fvu: fvu(heldX, recon, heldN, width),
      loss: { clean: lossClean, sae: lossSae, mean_ablated: lossAblated },
      loss_recovered:
        lossAblated - lossClean >= LOSS_RECOVERED_MIN_GAP ? (lossAblated - lossSae) / (lossAblated - lossClean) : null,
      density: { edges: DENSITY_EDGES, counts },
      top_features: topFeatures(codes, dens, sample, tokenizer, 6, 4),
    },
  };
}

function meanOf(x: Float32Array): number {
  let s = 0;
  for (const v of x) s += v;
  return s / x.length;
}

/**
 * The features with the most activation mass among those firing on under 20% of tokens,
 * each with its top-activating held-out tokens and the text before them.
 */
function topFeatures(
  codes: ReturnType<typeof encode>,
  dens: Float64Array,
  sample: InterpSample,
  tokenizer: Tokenizer,
  features: number,
  contexts: number,
) {
  const T = sample.context;
  const mass = new Float64Array(dens.length);
  for (let i = 0; i < codes.index.length; i++) mass[codes.index[i]] += codes.value[i];
  const chosen = [...mass.keys()]
    .filter((f) => dens[f] > 0 && dens[f] < 0.2)
    .sort((a, b) => mass[b] - mass[a] || a - b)
    .slice(0, features);
  return chosen.map((f) => {
    const hits: { row: number; activation: number }[] = [];
    for (let i = 0; i < codes.index.length; i++) {
      if (codes.index[i] === f && codes.value[i] > 0)
        hits.push({ row: Math.floor(i / codes.k), activation: codes.value[i] });
    }
    hits.sort((a, b) => b.activation - a.activation || a.row - b.row);
    return {
      feature: f,
      density: dens[f],
      contexts: hits.slice(0, contexts).map(({ row, activation }) => {
        const w = sample.windows[Math.floor(row / T)].tokens;
        const t = row % T;
        return { text: tokenizer.decode(w.slice(Math.max(0, t - 12), t)), token: tokenizer.decode([w[t]]), activation };
      }),
    };
  });
}
