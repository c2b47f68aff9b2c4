/**
 * Probe items are data. Every suite reads one JSONL file of items, and the built-in
 * generators write exactly the shapes external suites use:
 *
 * - PairItem: BLiMP's minimal pair (`sentence_good`, `sentence_bad`, optional `UID`,
 *   `field`, `pairID`; BLiMP's other columns are accepted and ignored). Scored by
 *   whole-sentence log-probability (BLiMP's "simple LM method").
 * - ClozeItem: a prompt, the right answer (the exact continuation, with its leading space),
 *   and optionally every candidate answer (ranked by log-probability). `hops` are the
 *   single-hop questions a two-hop item composes.
 * - SequenceItem: token ids (held-out text windows, repeated random sequences); these are
 *   tied to a tokenizer, so they live in the run's item cache.
 */
import { basename } from 'node:path';
import { z } from 'zod';
import { SlurryError } from '../util/errors.js';
import { parseJsonl, type BadRowPolicy, type BadRow } from '../util/jsonl.js';
import { readUtf8File } from '../util/text-file.js';

const text = z.string().min(1);
const meta = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]));

export const PairItem = z.looseObject({
  sentence_good: text,
  sentence_bad: text,
  /** BLiMP's paradigm id (e.g. "regular_plural_subject_verb_agreement_1"): the group. */
  UID: text.optional(),
  /** BLiMP's field (morphology, syntax, semantics, ...). */
  field: z.string().optional(),
  pairID: z.union([z.string(), z.number()]).optional(),
  /** slurry's own: a stable id and a group; default from UID and pairID. */
  id: text.optional(),
  group: text.optional(),
});
export type PairItem = z.infer<typeof PairItem>;

const Cloze = z.strictObject({
  prompt: text,
  answer: text,
  /** Every possible answer in the answer's form (leading space included); the answer is one. */
  candidates: z.array(text).min(2).optional(),
});

export const ClozeItem = Cloze.extend({
  id: text,
  group: text,
  /** The single hops of a two-hop item: the item counts as "known" when both are answered. */
  hops: z.array(Cloze).optional(),
  meta: meta.optional(),
}).refine((item) => !item.candidates || item.candidates.includes(item.answer), {
  message: 'candidates must include the answer',
  path: ['candidates'],
});
export type ClozeItem = z.infer<typeof ClozeItem>;

export const SequenceItem = z.strictObject({
  id: text,
  group: text,
  tokens: z.array(z.number().int().nonnegative()).min(2),
  meta: meta.optional(),
});
export type SequenceItem = z.infer<typeof SequenceItem>;

/** The group a pair reports under: its own, else BLiMP's UID, else its field. */
export function pairGroup(item: PairItem): string {
  return item.group ?? item.UID ?? (item.field || 'all');
}

/** A stable id: its own, else UID:pairID, else the file line. */
export function pairId(item: PairItem, line: number): string {
  return item.id ?? `${item.UID ?? 'pair'}:${item.pairID ?? line}`;
}

/** An item file's usable rows; `lines[i]` is item i's line in the file (1-based). */
export type ItemFile =
  | { kind: 'pairs'; items: PairItem[]; ids: string[]; lines: number[]; skipped: BadRow[] }
  | { kind: 'cloze'; items: ClozeItem[]; lines: number[]; skipped: BadRow[] };

/**
 * Reads an item file of minimal pairs or cloze items (the kind is read off the first row
 * that parses as JSON). Bad rows are refused or skipped as `policy` says; ids must be
 * unique. An external suite is named after its file: blimp/anaphor_number_agreement.jsonl
 * -> "anaphor_number_agreement".
 */
export function readItemFile(file: string, policy: BadRowPolicy): ItemFile {
  try {
    return readItems(file, policy);
  } catch (err) {
    // An external file the user can repair, or skip past: say how.
    if (err instanceof SlurryError && policy === 'refuse' && /:\d+: /.test(err.message)) {
      throw new SlurryError(`${err.message} (pass --skip-bad-rows to skip such rows)`);
    }
    throw err;
  }
}

function readItems(file: string, policy: BadRowPolicy): ItemFile {
  const content = readUtf8File(file, 'suite file');
  const first = firstJsonRow(content);
  const isPairs = first !== null && typeof first === 'object' && 'sentence_good' in first;
  const isCloze = first !== null && typeof first === 'object' && 'prompt' in first;
  if (!isPairs && !isCloze) {
    throw new SlurryError(
      `${file}: expected JSONL rows with "sentence_good"/"sentence_bad" (BLiMP) or "prompt"/"answer" (cloze)`,
    );
  }
  let result: ItemFile;
  if (isPairs) {
    const parsed = parseJsonl(content, PairItem, file, policy);
    const ids = parsed.rows.map((r) => pairId(r.value, r.line));
    result = {
      kind: 'pairs',
      items: parsed.rows.map((r) => r.value),
      ids,
      lines: parsed.rows.map((r) => r.line),
      skipped: parsed.skipped,
    };
  } else {
    const parsed = parseJsonl(content, ClozeItem, file, policy);
    result = {
      kind: 'cloze',
      items: parsed.rows.map((r) => r.value),
      lines: parsed.rows.map((r) => r.line),
      skipped: parsed.skipped,
    };
  }
  const ids = result.kind === 'pairs' ? result.ids : result.items.map((i) => i.id);
  const seen = new Set<string>();
  for (const id of ids) {
    if (seen.has(id)) throw new SlurryError(`${file}: item id "${id}" appears twice (ids must be unique)`);
    seen.add(id);
  }
  if (ids.length === 0) throw new SlurryError(`${file}: no usable items`);
  return result;
}

export function suiteNameOf(file: string): string {
  return basename(file).replace(/\.jsonl$/i, '');
}

function firstJsonRow(content: string): unknown {
  for (const line of content.split('\n')) {
    if (line.trim() === '') continue;
    try {
      return JSON.parse(line);
    } catch {
      continue;
    }
  }
  return null;
}
