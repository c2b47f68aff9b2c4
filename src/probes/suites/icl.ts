/**
 * `icl`: in-context learning, two ways (Olsson et al. 2022, "In-context learning and
 * induction heads").
 *
 * Group `induction`: a random token sequence repeated once, [EOT, r1..rL, r1..rL] with L =
 * context/2 and no token twice within a copy. A model with induction heads predicts the
 * second copy from the first. Per item: d = top-1 accuracy on the second copy's tokens
 * r2..rL (chance 1/(V-1): random targets), c = mean loss on the first copy's r2..rL minus
 * mean loss on the second's (nats; chance 0). Every head's prefix-matching score, the
 * attention a token of the second copy pays to the token after its first occurrence, is
 * a summary metric `prefix_matching/L{layer}H{head}` (chance: the same for uniform causal
 * attention, `prefix_matching_uniform`), with the best head as `prefix_matching_max`.
 *
 * Group `context`: windows of held-out natural text, each read twice: as written, and with
 * its first 3T/8 tokens (the distant context) replaced by the same span of another window of
 * the same source. The second half of the window (its last T/2 targets) is scored both
 * times; the T/8 tokens before it are the window's own in both readings, so a model that
 * predicts from local context alone scores the two alike. Per item c = the second half's
 * mean loss after the other window's text minus after its own (nats; chance 0), d = 1 when
 * its own beginning predicts the second half better (chance 0.5: for a model that does not
 * use the distant context, which reading comes out lower is a coin toss). This is the
 * distant-context ablation of Sun et al. 2021 ("Do long-range language models actually use
 * long-range context?"): the same target tokens both times, so the item measures the use of
 * the document so far rather than how hard its late tokens happen to be. `icl_score`, a
 * summary metric, is Olsson's score on the windows as written: mean loss at early positions
 * (targets [T/16, 3T/16)) minus mean loss late (the last T/8), averaged over the windows.
 */
import type { GPT } from '../../model/gpt.js';
import type { Hooks } from '../../model/hooks.js';
import { tokenLogprobs } from '../../model/logprobs.js';
import { SlurryError } from '../../util/errors.js';
import { Rng } from '../../util/rng.js';
import { argmaxOf } from '../../util/argmax.js';
import { SequenceItem } from '../items.js';
import { readJsonlFile } from '../../util/jsonl.js';
import { summarize, type BuildContext, type ScoredItem, type SuiteDefinition } from '../suite.js';
import { evenWindows } from './tokens.js';

// 48 repeated sequences and 36 windows per natural source (192 items on the preset corpora):
// on 64 items (16 and 12) one reference run's icl moved between 0.28 and 0.49 of its range
// from checkpoint to checkpoint from 10M tokens on; on these 192 it read 0.35 to 0.39
// over the last eight checkpoints. They take 1.05 s on a quick checkpoint against 0.39 s for 64.
export const INDUCTION_SEQUENCES = 48;
export const CONTEXT_WINDOWS_PER_SOURCE = 36;
/** Loss differences below this (nats) are ties: float noise, not a use of the context. */
const TIE_NATS = 1e-6;
/** Natural text: where in-context learning means using the document so far. */
const NATURAL_KINDS = new Set(['books', 'news', 'reference']);

/** Tokens at the start of a context window that the ablation replaces: 3T/8. */
export function distantLength(context: number): number {
  return Math.floor((3 * context) / 8);
}

export function buildIclItems(ctx: BuildContext): SequenceItem[] {
  const { corpus } = ctx;
  const { eotId, vocabSize } = corpus.tokenizer;
  const L = Math.floor(ctx.context / 2);
  const rng = Rng.derive(ctx.seed, 'icl');
  const ids = Array.from({ length: vocabSize }, (_, i) => i).filter((i) => i !== eotId);
  const induction = Array.from({ length: INDUCTION_SEQUENCES }, (_, k): SequenceItem => {
    const copy = rng.shuffle([...ids]).slice(0, L);
    return { id: `induction:${k}`, group: 'induction', tokens: [eotId, ...copy, ...copy], meta: { copy_length: L } };
  });
  const distant = distantLength(ctx.context);
  const context = corpus.sources
    .filter((s) => NATURAL_KINDS.has(s.kind))
    .flatMap((s) => {
      const windows = evenWindows(corpus.tokens(s.name, 'val'), ctx.context + 1, CONTEXT_WINDOWS_PER_SOURCE);
      // A window needs another one to borrow a distant context from.
      if (windows.length < 2) return [];
      const id = (w: { offset: number }) => `context:${s.name}:${w.offset}`;
      return windows.map(
        (w, i): SequenceItem => ({
          id: id(w),
          group: 'context',
          tokens: w.tokens,
          meta: { source: s.name, distant_from: id(windows[(i + 1) % windows.length]), distant },
        }),
      );
    });
  return [...induction, ...context];
}

interface InductionResult {
  items: ScoredItem[];
  /** Per layer and head: mean attention to the token after the earlier occurrence. */
  prefixMatching: number[][];
  uniformPrefixMatching: number;
}

/**
 * Runs the repeated sequences (all of length 2L + 1) in one forward pass, reading the
 * attention patterns through the activation hook.
 */
export function scoreInduction(model: GPT, items: readonly SequenceItem[]): InductionResult {
  const c = model.config;
  const B = items.length;
  const T = items[0].tokens.length - 1;
  const L = T / 2;
  const ids = new Int32Array(B * T);
  items.forEach((item, b) => ids.set(item.tokens.slice(0, T), b * T));
  // Queries: second-copy tokens r1..r(L-1) at positions L+1+i; their targets' earlier
  // occurrence (the token after r(i+1) in the first copy) sits at position i+2.
  const queries = Array.from({ length: L - 1 }, (_, i) => ({ q: L + 1 + i, k: i + 2 }));
  const prefixMatching = Array.from({ length: c.n_layer }, () => new Array<number>(c.n_head).fill(0));
  const g = model.graph(false);
  const names = new Set(Array.from({ length: c.n_layer }, (_, l) => `blocks.${l}.attn.hook_pattern`));
  const hooks: Hooks = {
    names,
    emit(name, att) {
      const l = Number(name.split('.')[1]);
      for (let b = 0; b < B; b++)
        for (let h = 0; h < c.n_head; h++) {
          let sum = 0;
          for (const { q, k } of queries) sum += att[((b * c.n_head + h) * T + q) * T + k];
          prefixMatching[l][h] += sum / queries.length / B;
        }
    },
  };
  const logits = model.forward(g, ids, B, T, { hooks });
  const targets = new Int32Array(B * T);
  items.forEach((item, b) => targets.set(item.tokens.slice(1, T + 1), b * T));
  const { rowLosses } = g.crossEntropy(logits, targets);
  const V = c.vocab_size;
  const scored = items.map((item, b): ScoredItem => {
    // Targets r2..rL: input positions 1..L-1 in the first copy, L+1..2L-1 in the second
    // (position t predicts tokens[t + 1]); only the second copy's top-1 is scored.
    const first = Array.from({ length: L - 1 }, (_, i) => b * T + 1 + i);
    const second = Array.from({ length: L - 1 }, (_, i) => b * T + L + 1 + i);
    const hit = (row: number) => (argmaxOf(logits.data, row * V, V) === targets[row] ? 1 : 0);
    const mean = (xs: number[]) => xs.reduce((a, x) => a + x, 0) / xs.length;
    return {
      id: item.id,
      group: 'induction',
      d: mean(second.map(hit)),
      c: mean(first.map((row) => rowLosses[row])) - mean(second.map((row) => rowLosses[row])),
      chance: { d: 1 / (V - 1), c: 0 },
    };
  });
  g.release();
  return {
    items: scored,
    prefixMatching,
    uniformPrefixMatching: queries.reduce((a, { q }) => a + 1 / (q + 1), 0) / queries.length,
  };
}

export interface ContextResult {
  items: ScoredItem[];
  /** Olsson's score on the windows as written: early minus late mean loss (nats). */
  iclScore: number;
}

/**
 * Each window with its distant context swapped for its partner's (the item named by
 * `meta.distant_from`): built once per item file, not per checkpoint.
 */
export function swappedReadings(items: readonly SequenceItem[]): number[][] {
  const byId = new Map(items.map((i) => [i.id, i]));
  return items.map((item) => {
    const from = byId.get(String(item.meta?.distant_from));
    const D = Number(item.meta?.distant);
    if (!from || !(D > 0 && D < item.tokens.length / 2) || from.tokens.length !== item.tokens.length)
      throw new SlurryError(
        `icl item ${item.id}: no distant context to swap (meta.distant_from and meta.distant); items cached by an older slurry: delete the run's probe-items/icl.jsonl and probe again`,
      );
    return [...from.tokens.slice(0, D), ...item.tokens.slice(D)];
  });
}

/** Each window's second half after its own distant context and after its partner's, in one batch of 2N sequences. */
export function scoreContext(
  model: GPT,
  items: readonly SequenceItem[],
  swapped: readonly (readonly number[])[] = swappedReadings(items),
): ContextResult {
  const lps = tokenLogprobs(model, [...items.map((i) => i.tokens), ...swapped]);
  const meanLoss = (lp: Float32Array, from: number, to: number) =>
    -lp.slice(from, to).reduce((a, b) => a + b, 0) / (to - from);
  let iclScore = 0;
  const scored = items.map((item, i): ScoredItem => {
    const own = lps[i];
    const T = own.length;
    iclScore += meanLoss(own, Math.floor(T / 16), Math.floor((3 * T) / 16)) - meanLoss(own, T - Math.floor(T / 8), T);
    const half = Math.floor(T / 2);
    const gain = meanLoss(lps[items.length + i], half, T) - meanLoss(own, half, T);
    // A model blind to the distant context scores both readings alike: a tie counts half.
    const d = Math.abs(gain) < TIE_NATS ? 0.5 : gain > 0 ? 1 : 0;
    return { id: item.id, group: 'context', d, c: gain, chance: { d: 0.5, c: 0 } };
  });
  return { items: scored, iclScore: iclScore / items.length };
}

export const iclSuite: SuiteDefinition = {
  name: 'icl',
  description:
    "induction on repeated random sequences (second-copy accuracy, loss gain, prefix-matching heads) and the gain from a natural-text window's own distant context over another's",
  build: (ctx) => buildIclItems(ctx),
  prepare(file, _tokenizer, policy) {
    const items = readJsonlFile(file, SequenceItem, policy).rows.map((r) => r.value);
    const induction = items.filter((i) => i.group === 'induction');
    const context = items.filter((i) => i.group === 'context');
    const swapped = swappedReadings(context);
    return {
      name: 'icl',
      kind: 'probe',
      run(model) {
        const ind = induction.length ? scoreInduction(model, induction) : null;
        const ctx = context.length ? scoreContext(model, context, swapped) : null;
        const metrics: Record<string, number> = {};
        if (ind) {
          ind.prefixMatching.forEach((heads, l) =>
            heads.forEach((s, h) => (metrics[`prefix_matching/L${l}H${h}`] = s)),
          );
          metrics.prefix_matching_max = Math.max(...ind.prefixMatching.flat());
          metrics.prefix_matching_uniform = ind.uniformPrefixMatching;
        }
        if (ctx) metrics.icl_score = ctx.iclScore;
        return summarize([...(ind?.items ?? []), ...(ctx?.items ?? [])], {
          suite: 'icl',
          discrete: 'accuracy',
          continuous: 'loss_gain',
          ceiling: { d: 1, c: null },
          metrics,
        });
      },
    };
  },
};
