/**
 * How often the words of each held-out fact phrasing, and their adjacent pairs, occur in
 * the corpus's training text (every document of every source's training split, the facts'
 * own training phrasings included; a pair does not span two documents). A held-out phrasing whose cue the text never uses ("On the periodic
 * table, the box for X is labelled" in a corpus without "periodic table") cannot be tied to
 * its relation by a model trained on that corpus, whatever facts it stored; `slurry data
 * stats` lists each phrasing's rarest words and pairs so a reader can tell such a template
 * from a fact the model did not learn.
 */
import type { Corpus } from './corpus.js';
import { readProbeItems } from './probe-files.js';

export interface Counted {
  /** A word, or two adjacent words joined by a space. */
  text: string;
  count: number;
}

export interface PhrasingWords {
  template: string;
  relation: string;
  /** The phrasing with its subject written X (the prompt of one of its items). */
  phrasing: string;
  /** Each distinct word of the phrasing but the subject's, rarest first (ties by text). */
  words: Counted[];
  /** Each distinct pair of adjacent words on the same side of the subject, rarest first. */
  pairs: Counted[];
}

const WORD = /[a-z]+(?:'[a-z]+)*/g;

function wordsOf(text: string): string[] {
  return text.toLowerCase().match(WORD) ?? [];
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function rarestFirst(texts: readonly string[], counts: ReadonlyMap<string, number>): Counted[] {
  return [...new Set(texts)]
    .map((text) => ({ text, count: counts.get(text)! }))
    .sort((a, b) => a.count - b.count || (a.text < b.text ? -1 : 1));
}

/** Every held-out template of the corpus's facts probe file, with its words' and pairs' counts in the training text. */
export function heldOutPhrasingWords(corpus: Corpus): PhrasingWords[] {
  const firstItem = new Map<string, { relation: string; prompt: string; subject: string }>();
  for (const p of readProbeItems(corpus.dir, 'facts'))
    if (!firstItem.has(p.template_id)) firstItem.set(p.template_id, p);
  const phrasings = [...firstItem].map(([template, p]) => {
    const phrasing = p.prompt.replace(new RegExp(escapeRegExp(p.subject), 'gi'), 'X');
    const parts = phrasing.split('X').map(wordsOf);
    return {
      template,
      relation: p.relation,
      phrasing,
      words: parts.flat(),
      pairs: parts.flatMap((ws) => ws.slice(1).map((w, i) => `${ws[i]} ${w}`)),
    };
  });
  const counts = new Map(phrasings.flatMap((p) => [...p.words, ...p.pairs].map((t): [string, number] => [t, 0])));
  for (const s of corpus.sources)
    for (const text of corpus.documents(s.name, 'train')) {
      let previous = '';
      for (const w of wordsOf(text)) {
        for (const key of [w, `${previous} ${w}`]) {
          const n = counts.get(key);
          if (n !== undefined) counts.set(key, n + 1);
        }
        previous = w;
      }
    }
  return phrasings.map(({ template, relation, phrasing, words, pairs }) => ({
    template,
    relation,
    phrasing,
    words: rarestFirst(words, counts),
    pairs: rarestFirst(pairs, counts),
  }));
}
