/**
 * What a probe suite is. A suite's items are built once per run (or read from a file),
 * tokenised once (`prepare`), then scored on every checkpoint (`run`), giving one
 * ProbeRecord per checkpoint: per item a discrete metric `d` in [0, 1] and a continuous
 * one `c`, each item's chance level, and summary metrics.
 */
import type { Corpus } from '../data/corpus.js';
import type { Tokenizer } from '../data/tokenizer/tokenizer.js';
import type { GPT } from '../model/gpt.js';
import type { ProbeItemResult, ProbeRecord, SampleRecord } from '../run/records.js';
import type { BadRowPolicy } from '../util/jsonl.js';

/** One item's result with its chance levels (what a model that knows nothing scores on it). */
export interface ScoredItem extends ProbeItemResult {
  group: string;
  chance: { d: number; c: number };
}

/** A ProbeRecord without the checkpoint's step and tokens. */
export type SuiteOutcome = Omit<ProbeRecord, 'step' | 'tokens'>;

export type PreparedSuite =
  | { name: string; kind: 'probe'; run(model: GPT): SuiteOutcome }
  | { name: string; kind: 'samples'; run(model: GPT): SampleRecord['samples'] };

/** What a built-in suite's items are made from. */
export interface BuildContext {
  corpus: Corpus;
  /** Seeds every random choice of the item sets. */
  seed: number;
  /** The models' context length (token windows are this long plus one). */
  context: number;
}

/** A built-in suite: its items are built once per run and cached as JSONL. */
export interface SuiteDefinition {
  name: string;
  description: string;
  /** The item rows (deterministic in ctx.seed), in the JSONL shape `prepare` reads. */
  build(ctx: BuildContext): unknown[];
  /** Reads the item file (bad rows handled by `policy`) and tokenises it once. */
  prepare(file: string, tokenizer: Tokenizer, policy: BadRowPolicy): PreparedSuite;
}

export interface SummaryOptions {
  suite: string;
  discrete: string;
  continuous: string;
  ceiling: { d: number; c: number | null };
  /** Suite-specific metrics added to the standard ones. */
  metrics?: Record<string, number>;
  /** Groups whose items are controls (see ProbeItemResult.control), e.g. unseen facts. */
  controlGroups?: readonly string[];
}

const mean = (xs: readonly number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);

/**
 * Builds a suite's record from scored items. Standard metrics: `n`, the discrete and
 * continuous means under their names (e.g. `accuracy`, `margin`), and the same per group
 * as `NAME/GROUP` (`accuracy/head`, `n/head`).
 */
export function summarize(items: readonly ScoredItem[], opts: SummaryOptions): SuiteOutcome {
  const metrics: Record<string, number> = { n: items.length };
  metrics[opts.discrete] = mean(items.map((i) => i.d));
  metrics[opts.continuous] = mean(items.map((i) => i.c));
  const groups = new Map<string, ScoredItem[]>();
  for (const item of items) {
    let list = groups.get(item.group);
    if (!list) groups.set(item.group, (list = []));
    list.push(item);
  }
  const chanceByGroup: Record<string, { d: number; c: number }> = {};
  let uniform = true;
  const first = items[0]?.chance;
  for (const [group, list] of [...groups].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    metrics[`n/${group}`] = list.length;
    metrics[`${opts.discrete}/${group}`] = mean(list.map((i) => i.d));
    metrics[`${opts.continuous}/${group}`] = mean(list.map((i) => i.c));
    chanceByGroup[group] = { d: mean(list.map((i) => i.chance.d)), c: mean(list.map((i) => i.chance.c)) };
    uniform &&= list.every((i) => i.chance.d === first.d && i.chance.c === first.c);
  }
  Object.assign(metrics, opts.metrics);
  const outcome: SuiteOutcome = {
    suite: opts.suite,
    discrete: opts.discrete,
    continuous: opts.continuous,
    chance: { d: mean(items.map((i) => i.chance.d)), c: mean(items.map((i) => i.chance.c)) },
    ceiling: opts.ceiling,
    metrics,
    items: items.map(({ id, group, d, c }) =>
      opts.controlGroups?.includes(group) ? { id, group, d, c, control: true } : { id, group, d, c },
    ),
  };
  if (!uniform) outcome.chance_by_group = chanceByGroup;
  return outcome;
}
