/**
 * The records the corpus build writes for probes and analysis, each as a zod schema (which
 * is also its TypeScript type) and a reader that validates a file and names file:line on
 * any problem. These are the contract between `slurry data build` and the probe suite.
 *
 *   CORPUS/probes/facts.jsonl       FactProbe: cloze prompts in held-out templates
 *   CORPUS/probes/facts_seen.jsonl  FactProbe: the same facts in a training template (recall
 *                                   of the trained phrasing, next to transfer to new ones)
 *   CORPUS/probes/twohop.jsonl      TwoHopProbe: held-out two-hop compositions
 *   CORPUS/probes/arithmetic.jsonl  ArithmeticProbe: additions not in training
 *   CORPUS/probes/code.jsonl        CodeProbe: code-tracing snippets not in training
 *   CORPUS/knowledge/facts.json     FactRecord[]: every fact with its exposure
 *   CORPUS/knowledge/lexicon.json   Lexicon: Brown word -> tag counts, noun and verb forms
 *
 * Conventions for every prompt/answer item: the prompt is a context the model continues;
 * `answer` is the exact continuation (it starts with a space where a space is due), so
 * `prompt + answer` is the full text; `candidates` lists every possible answer of the
 * relation in the same form (for ranking by log-probability), the answer included.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { SlurryError } from '../util/errors.js';
import { readJsonFile } from '../util/json.js';
import { parseJsonlStrict } from '../util/jsonl.js';

export const EXPOSURE_BUCKETS = ['head', 'torso', 'tail', 'unseen'] as const;
export type ExposureBucket = (typeof EXPOSURE_BUCKETS)[number];

const answerShape = {
  prompt: z.string().min(1),
  answer: z.string().min(1),
};

/** One fact of the knowledge base with its exposure in the training text. */
export const FactRecord = z.strictObject({
  /** Stable id: RELATION:SUBJECT_KEY, e.g. "country_capital:FR". */
  id: z.string().min(1),
  relation: z.string().min(1),
  subject: z.string().min(1),
  object: z.string().min(1),
  /** Number of training statements of this fact (after cleaning, dedup and the split). */
  exposure: z.number().int().nonnegative(),
  bucket: z.enum(EXPOSURE_BUCKETS),
});
export type FactRecord = z.infer<typeof FactRecord>;

/** A cloze probe of one fact in a template that never appears in training. */
export const FactProbe = z.strictObject({
  /** FACT_ID/TEMPLATE_ID */
  id: z.string().min(1),
  fact_id: z.string().min(1),
  relation: z.string().min(1),
  subject: z.string().min(1),
  template_id: z.string().min(1),
  ...answerShape,
  candidates: z.array(z.string().min(1)).min(2),
  exposure: z.number().int().nonnegative(),
  bucket: z.enum(EXPOSURE_BUCKETS),
});
export type FactProbe = z.infer<typeof FactProbe>;

/**
 * A two-hop question whose composition (this subject through this chain) never appears in
 * training; both single hops are facts with ids in knowledge/facts.json, so probes can
 * score the items where both hops are known.
 */
export const TwoHopProbe = z.strictObject({
  id: z.string().min(1),
  /** The chain, e.g. "capital_continent" (city -> its country -> the country's continent). */
  composition: z.string().min(1),
  subject: z.string().min(1),
  template_id: z.string().min(1),
  ...answerShape,
  candidates: z.array(z.string().min(1)).min(2),
  hop1: z.string().min(1),
  hop2: z.string().min(1),
  hop1_exposure: z.number().int().nonnegative(),
  hop2_exposure: z.number().int().nonnegative(),
});
export type TwoHopProbe = z.infer<typeof TwoHopProbe>;

/** "A + B =" with the sum as answer; the pair (A, B) never appears in training. */
export const ArithmeticProbe = z.strictObject({
  id: z.string().min(1),
  /** Digits of the longer operand. */
  digits: z.number().int().positive(),
  /** Number of carries the sum needs. */
  carries: z.number().int().nonnegative(),
  a: z.number().int().nonnegative(),
  b: z.number().int().nonnegative(),
  ...answerShape,
});
export type ArithmeticProbe = z.infer<typeof ArithmeticProbe>;

/** A short program; the answer is the value it prints. The program is not in training. */
export const CodeProbe = z.strictObject({
  id: z.string().min(1),
  /** Statements before the print. */
  steps: z.number().int().positive(),
  variable: z.string().min(1),
  ...answerShape,
});
export type CodeProbe = z.infer<typeof CodeProbe>;

/**
 * A passage of training text cut into a prompt and the words after it
 * (data/duplicates.ts): in training by design, `copies` times over beside its own
 * document (group duplicated) or only there (group single).
 */
export const MemorisationProbe = z.strictObject({
  id: z.string().min(1),
  group: z.enum(['duplicated', 'single']),
  /** The training document the passage was cut from. */
  document: z.string().min(1),
  /** Near copies of the passage kept in training after deduplication. */
  copies: z.number().int().nonnegative(),
  ...answerShape,
});
export type MemorisationProbe = z.infer<typeof MemorisationProbe>;

/**
 * A minimal pair cut from a held-out Brown sentence (knowledge/natural-pairs.ts): the good
 * sentence as written, the bad one with one word changed. Neither occurs in training.
 */
export const NaturalPairProbe = z.strictObject({
  id: z.string().min(1),
  UID: z.string().min(1),
  /** 1 when the good sentence's changed word is the plural (or participle) form. */
  polarity: z.union([z.literal(0), z.literal(1)]),
  sentence_good: z.string().min(1),
  sentence_bad: z.string().min(1),
});
export type NaturalPairProbe = z.infer<typeof NaturalPairProbe>;

const formOrNull = z.string().min(1).nullable();

/**
 * Words and POS tags from the Brown Corpus. Brown's tagset has no VBP: its VB covers both
 * the base form and the non-3rd-person present, so VBZ/VB pairs are the agreement pairs.
 */
export const Lexicon = z.strictObject({
  source: z.string(),
  /** Tag -> meaning for the tags the lists below use. */
  tags: z.record(z.string(), z.string()),
  /** Lowercased word -> tag -> count; tags upper-case, without Brown's -TL/-HL/-NC marks. */
  words: z.record(z.string(), z.record(z.string(), z.number().int().positive())),
  /** Attested singular (NN) / plural (NNS) pairs. */
  nouns: z.array(z.strictObject({ singular: z.string().min(1), plural: z.string().min(1), irregular: z.boolean() })),
  /** Verbs attested as VB with at least one inflected form attested under its tag. */
  verbs: z.array(
    z.strictObject({
      base: z.string().min(1),
      vbz: formOrNull,
      vbd: formOrNull,
      vbn: formOrNull,
      vbg: formOrNull,
      irregular: z.boolean(),
    }),
  ),
});
export type Lexicon = z.infer<typeof Lexicon>;

/**
 * The probe files. `heldOut` files promise that no item's text (prompt + answer, or a pair's
 * good sentence) occurs
 * in training; the build checks it against the sentence index and leaves out any item
 * that does (counted in its log).
 */
export const PROBE_FILES = {
  facts: { path: 'probes/facts.jsonl', schema: FactProbe, heldOut: true },
  facts_seen: { path: 'probes/facts_seen.jsonl', schema: FactProbe, heldOut: false },
  twohop: { path: 'probes/twohop.jsonl', schema: TwoHopProbe, heldOut: true },
  arithmetic: { path: 'probes/arithmetic.jsonl', schema: ArithmeticProbe, heldOut: true },
  code: { path: 'probes/code.jsonl', schema: CodeProbe, heldOut: true },
  syntax_natural: { path: 'probes/syntax_natural.jsonl', schema: NaturalPairProbe, heldOut: true },
  memorisation: { path: 'probes/memorisation.jsonl', schema: MemorisationProbe, heldOut: false },
} as const;
export type ProbeFileName = keyof typeof PROBE_FILES;
export type ProbeItem<K extends ProbeFileName> = z.infer<(typeof PROBE_FILES)[K]['schema']>;

const REBUILD = 'rebuild the corpus with `slurry data build`';

function readText(file: string): string {
  if (!existsSync(file)) throw new SlurryError(`${file}: missing (${REBUILD})`);
  return readFileSync(file, 'utf8');
}

/** Reads and validates CORPUS/probes/NAME.jsonl. */
export function readProbeItems<K extends ProbeFileName>(corpusDir: string, name: K): ProbeItem<K>[] {
  const { path, schema } = PROBE_FILES[name];
  const file = join(corpusDir, path);
  return parseJsonlStrict(readText(file), schema, file) as ProbeItem<K>[];
}

export const KNOWLEDGE_FILES = {
  facts: 'knowledge/facts.json',
  lexicon: 'knowledge/lexicon.json',
} as const;

/** Reads and validates CORPUS/knowledge/facts.json. */
export function readFactRecords(corpusDir: string): FactRecord[] {
  const file = join(corpusDir, KNOWLEDGE_FILES.facts);
  return readJsonFile(file, z.array(FactRecord), REBUILD);
}

/** Reads and validates CORPUS/knowledge/lexicon.json. */
export function readLexicon(corpusDir: string): Lexicon {
  const file = join(corpusDir, KNOWLEDGE_FILES.lexicon);
  return readJsonFile(file, Lexicon, REBUILD);
}
