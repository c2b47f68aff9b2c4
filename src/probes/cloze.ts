/**
 * Cloze items: a prompt and its answer, optionally with every candidate answer. All
 * candidates of a prompt are one trie in one request, so the prompt and every shared
 * candidate prefix are computed once.
 *
 * What is measured for each item (the suites choose which become d and c):
 * - rank: the answer's rank among the candidates by the log-probability of the candidate as
 *   a whole word: its tokens, then a token that does not continue the word (one that starts
 *   with a space, punctuation or end-of-text). Without the word's end a candidate that is
 *   another's prefix (" 9" before " 98", " H" before " Hg") would always rank at least as
 *   high, so a model that knows the answer could not rank it first. Ties share the rank
 *   range: a tie of k candidates at the top gives top1 = 1/k and reciprocal rank the mean
 *   of 1, 1/2, ..., 1/k;
 * - pAnswer: the answer's probability renormalised over the candidates (as whole words);
 * - exact: greedy decoding writes the answer and then stops the word (the most likely
 *   token after the answer does not continue it, by the same rule);
 * - logprobPerToken: log p(answer | prompt) / answer tokens.
 */
import type { GPT } from '../model/gpt.js';
import { SlurryError } from '../util/errors.js';
import type { ClozeItem } from './items.js';
import { scoreContinuations, type ScoreRequest } from './prefix-scorer.js';
import type { ScoredItem } from './suite.js';
import type { Tokenizer } from '../data/tokenizer/tokenizer.js';

export interface PreparedCloze {
  id: string;
  group: string;
  /** End-of-text, then the prompt's tokens. */
  context: number[];
  /** The answer's tokens, then the other candidates' (when the item has candidates). */
  options: number[][];
  /** Whether the answer ends in a letter or digit (then exact match checks the word ends). */
  answerEndsWord: boolean;
  hops: PreparedCloze[];
}

export interface ClozeScore {
  top1: number;
  reciprocalRank: number;
  pAnswer: number;
  /** Only computed when asked for (`exact: true`): it needs each position's argmax. */
  exact: boolean;
  logprobPerToken: number;
  /** Whether every hop is answered top-1 among its candidates (true when there are none). */
  hopsKnown: boolean;
}

const WORD_CHAR = /[\p{L}\p{N}]/u;
/**
 * A token continues the word before it when its text starts with a letter, a digit, a
 * hyphen or an apostrophe, or with a byte that is part of a character (a piece of a
 * multi-byte letter decodes to U+FFFD on its own).
 */
const CONTINUES_WORD = /^[\p{L}\p{N}\-'\u2019\uFFFD]/u;

const wordEnders = new WeakMap<Tokenizer, Uint8Array>();

/** Tokens that end the word before them (1), by id: every token that does not continue it. */
export function wordEndTokens(tokenizer: Tokenizer): Uint8Array {
  let mask = wordEnders.get(tokenizer);
  if (!mask) {
    mask = new Uint8Array(tokenizer.vocabSize);
    for (let id = 0; id < tokenizer.vocabSize; id++)
      mask[id] = id === tokenizer.eotId || !CONTINUES_WORD.test(tokenizer.decode([id])) ? 1 : 0;
    wordEnders.set(tokenizer, mask);
  }
  return mask;
}

/**
 * Tokens of `answer` as it follows `prompt`: the tail of encode(prompt + answer) when that
 * starts with encode(prompt) (BPE pieces do not straddle the boundary), else encode(answer).
 */
export function answerTokens(
  tokenizer: Tokenizer,
  promptIds: readonly number[],
  prompt: string,
  answer: string,
): number[] {
  const full = tokenizer.encode(prompt + answer);
  const aligned = full.length > promptIds.length && promptIds.every((t, i) => full[i] === t);
  return aligned ? full.slice(promptIds.length) : tokenizer.encode(answer);
}

function prepareOne(
  item: { prompt: string; answer: string; candidates?: string[] },
  id: string,
  group: string,
  tokenizer: Tokenizer,
): Omit<PreparedCloze, 'hops'> {
  const promptIds = tokenizer.encode(item.prompt);
  const others = (item.candidates ?? []).filter((c) => c !== item.answer);
  const options = [item.answer, ...others].map((a) => answerTokens(tokenizer, promptIds, item.prompt, a));
  return {
    id,
    group,
    context: [tokenizer.eotId, ...promptIds],
    options,
    answerEndsWord: WORD_CHAR.test(item.answer.slice(-1)),
  };
}

/**
 * Whether a cloze item fits a model's context: end-of-text, the prompt and its longest
 * candidate (item builders drop the rest, so small-context models still get a suite).
 */
export function clozeFits(
  tokenizer: Tokenizer,
  context: number,
  item: { prompt: string; answer: string; candidates?: string[] },
): boolean {
  const prompt = tokenizer.encode(item.prompt);
  const longest = Math.max(
    ...[item.answer, ...(item.candidates ?? [])].map((a) => answerTokens(tokenizer, prompt, item.prompt, a).length),
  );
  return 1 + prompt.length + longest <= context;
}

export function prepareCloze(items: readonly ClozeItem[], tokenizer: Tokenizer): PreparedCloze[] {
  return items.map((item) => ({
    ...prepareOne(item, item.id, item.group, tokenizer),
    hops: (item.hops ?? []).map((h, k) => ({
      ...prepareOne(h, `${item.id}/hop${k + 1}`, item.group, tokenizer),
      hops: [],
    })),
  }));
}

/** Scores every item (and its hops) in one batched pass; `exact` adds greedy exact match. */
export function scoreCloze(
  model: GPT,
  suite: string,
  items: readonly PreparedCloze[],
  tokenizer: Tokenizer,
  opts: { exact: boolean },
): ClozeScore[] {
  const window = model.config.n_positions;
  const all = items.flatMap((item) => [item, ...item.hops]);
  for (const item of all) {
    const longest = Math.max(...item.options.map((o) => o.length));
    if (item.context.length + longest > window) {
      throw new SlurryError(
        `suite ${suite}, item ${item.id}: prompt and answer take ${item.context.length + longest} tokens; the model's context holds ${window}`,
      );
    }
  }
  const hops = new Set(items.flatMap((item) => item.hops));
  const enders = wordEndTokens(tokenizer);
  const requests: ScoreRequest[] = all.map((item) => ({
    context: item.context,
    continuations: item.options,
    next: opts.exact && !hops.has(item) ? [0] : [],
    // Candidates are ranked as whole words (above); a lone answer needs no word end.
    followers: item.options.length > 1 ? enders : undefined,
  }));
  const scores = scoreContinuations(model, requests);
  const byItem = new Map(all.map((item, i) => [item, scores[i]]));
  // Hops are ranked only: greedy exact match needs the token after the answer, which is
  // asked for (`next`) on the items themselves alone.
  const rank = (item: PreparedCloze) => {
    const s = byItem.get(item)!;
    const word = s.map((o) => o.logprob + (o.endLogprob ?? 0));
    const answer = word[0];
    let above = 0;
    let tied = 0;
    let norm = 0;
    for (const w of word) {
      if (w > answer) above++;
      else if (w === answer) tied++;
      norm += Math.exp(w - answer);
    }
    // The answer shares ranks above+1 .. above+tied with the candidates tied with it.
    let rr = 0;
    for (let r = above + 1; r <= above + tied; r++) rr += 1 / r;
    return {
      top1: above === 0 ? 1 / tied : 0,
      reciprocalRank: rr / tied,
      pAnswer: 1 / norm,
      logprobPerToken: s[0].logprob / item.options[0].length,
    };
  };
  const exact = (item: PreparedCloze) => {
    const answer = byItem.get(item)![0];
    if (!opts.exact || answer.greedy !== true) return false;
    if (answer.next === undefined) throw new Error(`scoreCloze: item ${item.id}: the scorer returned no next token`);
    return !item.answerEndsWord || enders[answer.next] === 1;
  };
  return items.map((item) => ({
    ...rank(item),
    exact: exact(item),
    hopsKnown: item.hops.every((h) => rank(h).top1 === 1),
  }));
}

/**
 * What the uniform language model (every token 1/V) scores on an item: it gives a
 * candidate of n tokens probability V^-n (and every candidate's word end the same
 * probability, so that leaves the order alone), so it ranks the shortest candidates first
 * (tied) and its p(answer) over the candidates is 1 / sum_i V^(len(answer) - len(i)).
 * An untrained model is this model plus noise. On an item set whose answers are spread
 * over the candidates' lengths as the candidates are (balanced-sample.ts), its mean is
 * close to 1 / candidates, the chance of a random guess (reported as `chance_guess`).
 */
export function uniformModelScore(item: PreparedCloze, vocabSize: number): { top1: number; pAnswer: number } {
  const lengths = item.options.map((o) => o.length);
  const shortest = Math.min(...lengths);
  const lnV = Math.log(vocabSize);
  const norm = lengths.reduce((a, l) => a + Math.exp((lengths[0] - l) * lnV), 0);
  return { top1: lengths[0] === shortest ? 1 / lengths.filter((l) => l === shortest).length : 0, pAnswer: 1 / norm };
}

/**
 * Items ranked among candidates: d = top-1, c = the answer's probability over the
 * candidates. Chance: the uniform language model's score on the item (above).
 */
export function rankedItems(
  items: readonly PreparedCloze[],
  scores: readonly ClozeScore[],
  vocabSize: number,
): ScoredItem[] {
  return items.map((item, i) => {
    const u = uniformModelScore(item, vocabSize);
    return {
      id: item.id,
      group: item.group,
      d: scores[i].top1,
      c: scores[i].pAnswer,
      chance: { d: u.top1, c: u.pAnswer },
    };
  });
}

/** Mean chance of a random guess among the candidates. */
export function guessChance(items: readonly PreparedCloze[]): number {
  return items.reduce((a, item) => a + 1 / item.options.length, 0) / Math.max(1, items.length);
}

/**
 * Items answered by generation: d = exact match under greedy decoding, c = log-probability
 * of the answer per token (nats). Chance (the uniform model): d = 0 (V^-tokens, nil at
 * these sizes), c = -ln V.
 */
export function generatedItems(
  items: readonly PreparedCloze[],
  scores: readonly ClozeScore[],
  vocabSize: number,
): ScoredItem[] {
  return items.map((item, i) => ({
    id: item.id,
    group: item.group,
    d: scores[i].exact ? 1 : 0,
    c: scores[i].logprobPerToken,
    chance: { d: 0, c: -Math.log(vocabSize) },
  }));
}

/** Mean of a per-item measure, overall and per group, as metrics NAME and NAME/GROUP. */
export function groupMeans(
  name: string,
  items: readonly { group: string }[],
  values: readonly number[],
): Record<string, number> {
  const sums = new Map<string, [number, number]>();
  let total = 0;
  items.forEach((item, i) => {
    total += values[i];
    const s = sums.get(item.group) ?? [0, 0];
    sums.set(item.group, [s[0] + values[i], s[1] + 1]);
  });
  const out: Record<string, number> = { [name]: total / Math.max(1, items.length) };
  for (const [group, [sum, n]] of sums) out[`${name}/${group}`] = sum / n;
  return out;
}
