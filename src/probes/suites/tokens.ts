/**
 * `tokens`: how much of the token statistics the model has learned. Items are windows of
 * held-out text (context + 1 tokens, evenly spaced through each source's validation
 * split); the model's loss on each is compared with reference models counted on the
 * training split (ngram.ts). Per item: c = the model's mean log-probability per token
 * (chance: -ln V, the uniform model), d = 1 when the model's loss is below the bigram
 * reference's on that window (chance: the uniform model's d, 0 unless a window is so odd
 * that the bigram model does worse than uniform).
 *
 * Summary: loss and the reference losses over all windows, and the share of each gap
 * closed, (uniform - loss) / (uniform - reference): 1 means the model is as good as the
 * reference, above 1 better. Loss per source as `loss/SOURCE`.
 */
import { tokenLogprobs } from '../../model/logprobs.js';
import { groupMeans } from '../cloze.js';
import { SequenceItem } from '../items.js';
import { readJsonlFile } from '../../util/jsonl.js';
import { NgramCounts } from '../ngram.js';
import { summarize, type BuildContext, type SuiteDefinition } from '../suite.js';

export const WINDOWS_PER_SOURCE = 4;

/** `count` windows of `length` tokens, evenly spaced through `tokens` (fewer when it is short). */
export function evenWindows(
  tokens: ArrayLike<number>,
  length: number,
  count: number,
): { offset: number; tokens: number[] }[] {
  if (tokens.length < length) return [];
  const room = tokens.length - length;
  const offsets = [
    ...new Set(Array.from({ length: count }, (_, k) => (count === 1 ? 0 : Math.floor((k * room) / (count - 1))))),
  ];
  return offsets.map((offset) => ({ offset, tokens: Array.from({ length }, (_, i) => tokens[offset + i]) }));
}

export function buildTokenItems(ctx: BuildContext, perSource = WINDOWS_PER_SOURCE): SequenceItem[] {
  const { corpus } = ctx;
  const counts = new NgramCounts(corpus.tokenizer.vocabSize);
  for (const s of corpus.sources) counts.add(corpus.tokens(s.name, 'train'));
  return corpus.sources.flatMap((s) =>
    evenWindows(corpus.tokens(s.name, 'val'), ctx.context + 1, perSource).map((w): SequenceItem => {
      const ref = counts.windowLosses(w.tokens);
      return {
        id: `${s.name}:${w.offset}`,
        group: s.name,
        tokens: w.tokens,
        meta: { unigram_loss: ref.unigram, bigram_loss: ref.bigram },
      };
    }),
  );
}

export const tokensSuite: SuiteDefinition = {
  name: 'tokens',
  description: 'loss on held-out text against uniform, unigram and bigram references from the training corpus',
  build: (ctx) => buildTokenItems(ctx),
  prepare(file, tokenizer, policy) {
    const items = readJsonlFile(file, SequenceItem, policy).rows.map((r) => r.value);
    const uniform = Math.log(tokenizer.vocabSize);
    const ref = (item: SequenceItem, key: string) => {
      const v = item.meta?.[key];
      if (typeof v !== 'number') throw new Error(`tokens item ${item.id}: meta.${key} must be a number`);
      return v;
    };
    return {
      name: 'tokens',
      kind: 'probe',
      run(model) {
        const lps = tokenLogprobs(
          model,
          items.map((i) => i.tokens),
        );
        const losses = lps.map((lp) => -lp.reduce((a, b) => a + b, 0) / lp.length);
        const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
        const loss = mean(losses);
        const unigram = mean(items.map((i) => ref(i, 'unigram_loss')));
        const bigram = mean(items.map((i) => ref(i, 'bigram_loss')));
        const scored = items.map((item, i) => ({
          id: item.id,
          group: item.group,
          d: losses[i] < ref(item, 'bigram_loss') ? 1 : 0,
          c: -losses[i],
          chance: { d: uniform < ref(item, 'bigram_loss') ? 1 : 0, c: -uniform },
        }));
        return summarize(scored, {
          suite: 'tokens',
          discrete: 'beats_bigram',
          continuous: 'logprob',
          ceiling: { d: 1, c: 0 },
          metrics: {
            ...groupMeans('loss', items, losses),
            uniform_loss: uniform,
            unigram_loss: unigram,
            bigram_loss: bigram,
            unigram_gap_closed: (uniform - loss) / (uniform - unigram),
            bigram_gap_closed: (uniform - loss) / (uniform - bigram),
          },
        });
      },
    };
  },
};
