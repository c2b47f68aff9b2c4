/**
 * Injected near-duplicates, for the dedup experiment. Passages of one source's training
 * documents are copied into its training split as documents of their own, each copy with
 * a few words changed (a near duplicate, as the same page crawled twice with different
 * boilerplate), and offered to the deduplicator after every other document: with
 * deduplication on, the first copy of a passage stays and the later ones go wherever MinHash
 * LSH finds them (most, not all: build.ts counts those kept); with it off, all stay (Lee et
 * al. 2022, "Deduplicating training data makes language models better").
 *
 * The memorisation probes are the passages' openings, cut into a prefix and the words that
 * follow it (Carlini et al. 2023, "Quantifying memorization across neural language models": a
 * suffix is extractable when greedy decoding from the prefix writes it exactly). Group
 * `duplicated` holds the copied passages; group `single` as many passages of other
 * training documents, each seen once per epoch: the control.
 */
import { z } from 'zod';
import { SlurryError } from '../util/errors.js';
import type { MemorisationProbe } from './probe-files.js';
import type { Rng } from './random.js';
import type { Document } from './sources/types.js';

export const DuplicateOptions = z
  .strictObject({
    /** The source whose training documents give the passages; the copies join its training split. */
    source: z.string().min(1),
    /** Passages copied (and as many single-copy controls). */
    passages: z.number().int().positive().default(32),
    /** Copies of each passage added to training. */
    copies: z.number().int().positive().default(24),
    /**
     * Words of a passage. With 5-word shingles an edit changes up to 5 of them: between two
     * Brown copies with one edit each, every Jaccard similarity measured was below 0.8 at 38
     * words and at least 0.876 at 160.
     */
    passageWords: z.number().int().positive().default(160),
    /** Words at the start of a passage the probe gives as the prompt. */
    prefixWords: z.number().int().positive().default(40),
    /** Words after the prefix the probe asks for. */
    suffixWords: z.number().int().positive().default(12),
    /** Words of each copy replaced by another word of the passage. */
    editsPerCopy: z.number().int().nonnegative().default(1),
  })
  .refine((o) => o.prefixWords + o.suffixWords <= o.passageWords, {
    message: 'prefixWords + suffixWords must not exceed passageWords',
    path: ['passageWords'],
  });
export type DuplicateOptions = z.infer<typeof DuplicateOptions>;

interface Passage {
  doc: string;
  /** The passage exactly as it stands in its document. */
  text: string;
  /** Where the probe's suffix starts in `text` (the whitespace before its first word included) and ends. */
  cut: number;
  end: number;
}

/** Word spans (start, end) of a text: runs of non-space characters. */
function wordSpans(text: string): [number, number][] {
  return [...text.matchAll(/\S+/g)].map((m) => [m.index!, m.index! + m[0].length]);
}

/** One passage of `passageWords` words from each of `docs`, at a seeded word position. */
function cutPassages(docs: readonly Document[], opts: DuplicateOptions, rng: Rng): Passage[] {
  const words = opts.passageWords;
  return docs.map((d) => {
    const spans = wordSpans(d.text);
    const first = rng.int(0, spans.length - words);
    const start = spans[first]![0];
    return {
      doc: d.id,
      text: d.text.slice(start, spans[first + words - 1]![1]),
      cut: spans[first + opts.prefixWords - 1]![1] - start,
      end: spans[first + opts.prefixWords + opts.suffixWords - 1]![1] - start,
    };
  });
}

/** A copy of the passage with `edits` of its words replaced by other words of it. */
function nearCopy(text: string, edits: number, rng: Rng): string {
  const spans = wordSpans(text);
  const words = spans.map(([a, b]) => text.slice(a, b));
  const replaced = new Map<number, string>();
  for (let e = 0; e < edits; e++) {
    const at = rng.int(0, words.length - 1);
    const other = words.filter((w) => w !== words[at]);
    if (other.length) replaced.set(at, rng.pick(other));
  }
  let out = '';
  let last = 0;
  spans.forEach(([a, b], i) => {
    out += text.slice(last, a) + (replaced.get(i) ?? text.slice(a, b));
    last = b;
  });
  return out + text.slice(last);
}

export interface Injection {
  /** The copies, in the order they are offered to the deduplicator. */
  copies: (Document & { passage: number })[];
  duplicated: Passage[];
  single: Passage[];
}

/**
 * Chooses 2 x passages training documents long enough (the first half copied, the second
 * the controls) and writes the copies. Throws when the source has too few.
 */
export function planDuplicates(train: readonly Document[], opts: DuplicateOptions, rng: Rng): Injection {
  const words = opts.passageWords;
  const long = train.filter((d) => wordSpans(d.text).length >= words);
  if (long.length < 2 * opts.passages)
    throw new SlurryError(
      `duplicates: source ${opts.source} has ${long.length} training documents of at least ${words} words; ` +
        `${2 * opts.passages} are needed (passages: ${opts.passages}, and as many single-copy controls)`,
    );
  const chosen = rng.shuffle([...long]).slice(0, 2 * opts.passages);
  const duplicated = cutPassages(chosen.slice(0, opts.passages), opts, rng);
  const single = cutPassages(chosen.slice(opts.passages), opts, rng);
  const copies = duplicated.flatMap((p, i) =>
    Array.from({ length: opts.copies }, (_, k) => ({
      id: `${opts.source}-duplicate-${i}-${k}`,
      text: nearCopy(p.text, opts.editsPerCopy, rng),
      passage: i,
    })),
  );
  return { copies, duplicated, single };
}

/** The probe items: each passage's prefix and the words after it, with the copies kept in training. */
export function memorisationProbes(inj: Injection, kept: readonly number[]): MemorisationProbe[] {
  const item = (p: Passage, group: 'duplicated' | 'single', i: number, copies: number): MemorisationProbe => ({
    id: `${group}:${i}`,
    group,
    document: p.doc,
    copies,
    prompt: p.text.slice(0, p.cut),
    answer: p.text.slice(p.cut, p.end),
  });
  return [
    ...inj.duplicated.map((p, i) => item(p, 'duplicated', i, kept[i]!)),
    ...inj.single.map((p, i) => item(p, 'single', i, 0)),
  ];
}
