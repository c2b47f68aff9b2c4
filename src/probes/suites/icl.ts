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
 * Group `context`: windows of held-out natural text. Per item c = mean loss at early
 * positions (targets [T/16, 3T/16)) minus mean loss late (the last T/8), Olsson's
 * in-context learning score scaled to this context length, d = 1 when late is lower (chance
 * 0.5 and 0). `icl_score` is the mean of c over these windows.
 */
import type { GPT } from '../../model/gpt.js';
import type { Hooks } from '../../model/hooks.js';
import { tokenLogprobs } from '../../model/logprobs.js';
import { Rng } from '../../util/rng.js';
import { SequenceItem } from '../items.js';
import { readJsonlFile } from '../../util/jsonl.js';
import { summarize, type BuildContext, type ScoredItem, type SuiteDefinition } from '../suite.js';
import { evenWindows } from './tokens.js';

export const INDUCTION_SEQUENCES = 16;
export const CONTEXT_WINDOWS_PER_SOURCE = 12;
/** Natural text: where in-context learning means using the document so far. */
const NATURAL_KINDS = new Set(['books', 'news', 'reference']);

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
  const context = corpus.sources
    .filter((s) => NATURAL_KINDS.has(s.kind))
    .flatMap((s) =>
      evenWindows(corpus.tokens(s.name, 'val'), ctx.context + 1, CONTEXT_WINDOWS_PER_SOURCE).map(
        (w): SequenceItem => ({
          id: `context:${s.name}:${w.offset}`,
          group: 'context',
          tokens: w.tokens,
          meta: { source: s.name },
        }),
      ),
    );
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
  const logits = model.forward(g, ids, B, T, { hooks }).data;
  const V = c.vocab_size;
  const scored = items.map((item, b): ScoredItem => {
    // Loss and argmax at input position t (predicting tokens[t + 1]).
    const at = (t: number) => {
      const o = (b * T + t) * V;
      let best = 0;
      for (let v = 1; v < V; v++) if (logits[o + v] > logits[o + best]) best = v;
      let sum = 0;
      for (let v = 0; v < V; v++) sum += Math.exp(logits[o + v] - logits[o + best]);
      return {
        loss: Math.log(sum) - (logits[o + item.tokens[t + 1]] - logits[o + best]),
        hit: best === item.tokens[t + 1],
      };
    };
    // Targets r2..rL: positions 1..L-1 in the first copy, L+1..2L-1 in the second.
    const first = Array.from({ length: L - 1 }, (_, i) => at(1 + i));
    const second = Array.from({ length: L - 1 }, (_, i) => at(L + 1 + i));
    const mean = (xs: number[]) => xs.reduce((a, x) => a + x, 0) / xs.length;
    return {
      id: item.id,
      group: 'induction',
      d: mean(second.map((s) => (s.hit ? 1 : 0))),
      c: mean(first.map((s) => s.loss)) - mean(second.map((s) => s.loss)),
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

/** Early-minus-late loss on each natural-text window. */
export function scoreContext(model: GPT, items: readonly SequenceItem[]): ScoredItem[] {
  const lps = tokenLogprobs(
    model,
    items.map((i) => i.tokens),
  );
  return items.map((item, i): ScoredItem => {
    const lp = lps[i];
    const T = lp.length;
    const meanLoss = (from: number, to: number) => -lp.slice(from, to).reduce((a, b) => a + b, 0) / (to - from);
    const early = meanLoss(Math.floor(T / 16), Math.floor((3 * T) / 16));
    const late = meanLoss(T - Math.floor(T / 8), T);
    return { id: item.id, group: 'context', d: late < early ? 1 : 0, c: early - late, chance: { d: 0.5, c: 0 } };
  });
}

export const iclSuite: SuiteDefinition = {
  name: 'icl',
  description:
    'induction on repeated random sequences (second-copy accuracy, loss gain, prefix-matching heads) and early-vs-late loss on natural text',
  build: (ctx) => buildIclItems(ctx),
  prepare(file, _tokenizer, policy) {
    const items = readJsonlFile(file, SequenceItem, policy).rows.map((r) => r.value);
    const induction = items.filter((i) => i.group === 'induction');
    const context = items.filter((i) => i.group === 'context');
    return {
      name: 'icl',
      kind: 'probe',
      run(model) {
        const ind = induction.length ? scoreInduction(model, induction) : null;
        const ctx = context.length ? scoreContext(model, context) : [];
        const metrics: Record<string, number> = {};
        if (ind) {
          ind.prefixMatching.forEach((heads, l) =>
            heads.forEach((s, h) => (metrics[`prefix_matching/L${l}H${h}`] = s)),
          );
          metrics.prefix_matching_max = Math.max(...ind.prefixMatching.flat());
          metrics.prefix_matching_uniform = ind.uniformPrefixMatching;
        }
        if (ctx.length) metrics.icl_score = ctx.reduce((a, s) => a + s.c, 0) / ctx.length;
        return summarize([...(ind?.items ?? []), ...ctx], {
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
