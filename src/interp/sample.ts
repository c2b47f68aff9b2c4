/**
 * The fixed tokens every checkpoint of a run is measured on, built once from the corpus's
 * held-out (validation) split and kept in RUN/interp/sample.json, so every checkpoint sees
 * the same rows and the curves compare like with like.
 *
 * - saeWindows: windows of the training split for the SAE to train on;
 * - windows: `perSource` windows of context + 1 tokens from each source's validation split
 *   (Brown gets `posWindows`, for enough tagged words), evenly spaced;
 * - source rows: positions >= SOURCE_MIN_POSITION at stride SOURCE_STRIDE of every window,
 *   labelled with the window's source; control label per token id (Hewitt and Liang). A
 *   source depends on context, not on the token, so its selectivity is read against the
 *   embedding layer instead (see measure.ts);
 * - POS rows: the last token of every word of a Brown window whose coarse tag is clear: the
 *   word's most frequent Brown tag, mapped to a coarse class (COARSE_TAGS), holds at least
 *   POS_MIN_SHARE of its occurrences in the Brown Corpus; control label per word (Hewitt
 *   and Liang: a random label per type from the tags' overall distribution);
 * - windows with index % 4 == 3 are held out: probes are fitted on the others and scored
 *   on these, and their per-window scores are the items that bootstrap intervals resample.
 */
import type { Corpus } from '../data/corpus.js';
import type { Lexicon } from '../data/probe-files.js';
import type { Tokenizer } from '../data/tokenizer/tokenizer.js';
import { evenWindows } from '../probes/suites/tokens.js';
import { controlLabels } from './linear-probe.js';

export const SOURCE_MIN_POSITION = 8;
export const SOURCE_STRIDE = 4;
export const POS_MIN_SHARE = 0.9;

/** Brown base tags -> coarse classes (Universal-POS-like); other tags are left out. */
export const COARSE_TAGS: Record<string, readonly string[]> = {
  noun: ['NN', 'NNS', 'NN$', 'NNS$', 'NR', 'NRS'],
  proper_noun: ['NP', 'NPS', 'NP$', 'NPS$'],
  verb: [
    'VB',
    'VBD',
    'VBG',
    'VBN',
    'VBZ',
    'BE',
    'BED',
    'BEDZ',
    'BEG',
    'BEM',
    'BEN',
    'BER',
    'BEZ',
    'HV',
    'HVD',
    'HVG',
    'HVN',
    'HVZ',
    'DO',
    'DOD',
    'DOZ',
    'MD',
  ],
  adjective: ['JJ', 'JJR', 'JJS', 'JJT'],
  adverb: ['RB', 'RBR', 'RBT', 'RP', 'QL', 'WRB'],
  determiner: ['AT', 'DT', 'DTI', 'DTS', 'DTX', 'ABN', 'ABX', 'AP', 'WDT'],
  pronoun: ['PPS', 'PPSS', 'PPO', 'PP$', 'PP$$', 'PPL', 'PPLS', 'PN', 'WPS', 'WPO'],
  adposition: ['IN', 'TO'],
  conjunction: ['CC', 'CS'],
  numeral: ['CD', 'OD'],
};

export interface LabelledRows {
  /** Class names, by label. */
  classes: string[];
  /** Rows as window * context + position. */
  rows: number[];
  labels: number[];
  control: number[];
  /** The type each control label belongs to (a word, or a token id). */
  types: (string | number)[];
}

export interface InterpSample {
  version: 1;
  context: number;
  vocabSize: number;
  seed: number;
  windows: { id: string; source: string; kind: string; tokens: number[] }[];
  /** Windows of T tokens from the training split, for the SAE (by source, evenly spaced). */
  saeWindows: number[][];
  source: LabelledRows;
  pos: LabelledRows;
}

export interface SampleOptions {
  context: number;
  seed: number;
  perSource: number;
  posWindows: number;
  /** Training-split windows for the SAE, spread evenly over the sources. */
  saeWindows: number;
}

export const DEFAULT_SAMPLE = { perSource: 8, posWindows: 24, saeWindows: 96 } as const;

export function isHeldOut(window: number): boolean {
  return window % 4 === 3;
}

export function buildSample(corpus: Corpus, lexicon: Lexicon | null, opts: SampleOptions): InterpSample {
  const T = opts.context;
  const windows: InterpSample['windows'] = [];
  for (const s of corpus.sources) {
    const count = s.name === 'brown' ? opts.posWindows : opts.perSource;
    for (const w of evenWindows(corpus.tokens(s.name, 'val'), T + 1, count)) {
      windows.push({ id: `${s.name}:${w.offset}`, source: s.name, kind: s.kind, tokens: w.tokens });
    }
  }
  const perSourceSae = Math.ceil(opts.saeWindows / corpus.sources.length);
  const saeWindows = corpus.sources.flatMap((s) =>
    evenWindows(corpus.tokens(s.name, 'train'), T, perSourceSae).map((w) => w.tokens),
  );
  const sourceNames = corpus.sources.map((s) => s.name).filter((n) => windows.some((w) => w.source === n));
  const source = emptyRows(sourceNames);
  windows.forEach((w, b) => {
    for (let t = SOURCE_MIN_POSITION; t < T; t += SOURCE_STRIDE) {
      source.rows.push(b * T + t);
      source.labels.push(sourceNames.indexOf(w.source));
      source.types.push(w.tokens[t]);
    }
  });
  const pos = emptyRows(Object.keys(COARSE_TAGS));
  if (lexicon) {
    const coarse = coarseTagger(lexicon);
    windows.forEach((w, b) => {
      if (w.source !== 'brown') return;
      for (const { end, word } of wordEnds(corpus.tokenizer, w.tokens.slice(0, T))) {
        const tag = coarse(word);
        if (tag === null || end < 1) continue;
        pos.rows.push(b * T + end);
        pos.labels.push(pos.classes.indexOf(tag));
        pos.types.push(word);
      }
    });
  }
  for (const r of [source, pos]) {
    r.control = Array.from(controlLabels(r.types, Int32Array.from(r.labels), r.classes.length, opts.seed));
  }
  const vocabSize = corpus.tokenizer.vocabSize;
  return {
    version: 1,
    context: T,
    vocabSize,
    seed: opts.seed,
    windows,
    saeWindows: saeWindows.slice(0, opts.saeWindows),
    source,
    pos,
  };
}

function emptyRows(classes: string[]): LabelledRows {
  return { classes, rows: [], labels: [], control: [], types: [] };
}

/** word -> coarse class, or null when the word is unknown or its class is not clear. */
function coarseTagger(lexicon: Lexicon): (word: string) => string | null {
  const classOf = new Map<string, string>();
  for (const [cls, tags] of Object.entries(COARSE_TAGS)) for (const t of tags) classOf.set(t, cls);
  return (word) => {
    const counts = lexicon.words[word];
    if (!counts) return null;
    const byClass = new Map<string, number>();
    let total = 0;
    for (const [tag, n] of Object.entries(counts)) {
      total += n;
      const cls = classOf.get(tag);
      if (cls) byClass.set(cls, (byClass.get(cls) ?? 0) + n);
    }
    let best: string | null = null;
    let bestN = 0;
    for (const [cls, n] of byClass) if (n > bestN) [best, bestN] = [cls, n];
    return best !== null && bestN >= POS_MIN_SHARE * total ? best : null;
  };
}

/**
 * The words of a token sequence (runs of letters, lower-cased) with the position of the
 * token each ends in. A word cut by the window's start is skipped.
 */
export function wordEnds(tokenizer: Tokenizer, tokens: readonly number[]): { end: number; word: string }[] {
  const pieces = tokens.map((id) => tokenizer.decode([id]));
  const out: { end: number; word: string }[] = [];
  let word = '';
  let complete = false;
  for (let t = 0; t < pieces.length; t++) {
    for (const ch of pieces[t]) {
      if (/\p{L}/u.test(ch)) {
        if (word === '') complete = t > 0 || !/^\p{L}/u.test(pieces[0]);
        word += ch.toLowerCase();
      } else {
        word = '';
      }
    }
    const nextStartsLetter = t + 1 < pieces.length && /^\p{L}/u.test(pieces[t + 1]);
    if (word !== '' && !nextStartsLetter) {
      if (complete) out.push({ end: t, word });
      word = '';
    }
  }
  return out;
}
