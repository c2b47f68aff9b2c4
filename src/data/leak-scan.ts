/**
 * Is any held-out probe text in training? Every held-out probe file's items (PROBE_FILES
 * with heldOut: true: facts in held-out templates, two-hop compositions, additions, code
 * tracing) give the texts that must never be trained on: each item's full text (prompt and
 * answer), a held-out fact's phrasing of its subject (the prompt alone), and every
 * phrasing of a held-out two-hop composition for its subject (all its templates, not only
 * the one the probe asks). The training shards are decoded back to text and searched for
 * all of them at once.
 *
 * Matching ignores case and treats any run of whitespace as one space; a text that starts
 * or ends with a letter or digit only matches where the training text does not continue
 * that word or number ("1 + 2 = 3" is not found inside "31 + 2 = 33").
 */
import type { Corpus } from './corpus.js';
import { render, TWOHOP_TEMPLATES } from './knowledge/templates.js';
import { PROBE_FILES, readProbeItems, type ProbeFileName } from './probe-files.js';

export interface HeldOutText {
  /** Probe file (facts, twohop, ...) and item id. */
  file: ProbeFileName;
  id: string;
  /** What is held out: the item's text, its phrasing, or another phrasing of its composition. */
  what: 'item' | 'phrasing' | 'composition';
  text: string;
}

export interface Leak extends HeldOutText {
  source: string;
}

export interface LeakScan {
  texts: number;
  /** Items of each held-out probe file. */
  items: Partial<Record<ProbeFileName, number>>;
  /** Training characters searched (decoded shards). */
  characters: number;
  leaks: Leak[];
}

const normalise = (s: string) => s.toLowerCase().replace(/\s+/g, ' ');
const WORD = /[\p{L}\p{N}]/u;

/** Every held-out text of the corpus's probe files. */
export function heldOutTexts(corpusDir: string): { texts: HeldOutText[]; items: LeakScan['items'] } {
  const texts: HeldOutText[] = [];
  const items: LeakScan['items'] = {};
  for (const file of Object.keys(PROBE_FILES) as ProbeFileName[]) {
    if (!PROBE_FILES[file].heldOut) continue;
    const rows = readProbeItems(corpusDir, file);
    items[file] = rows.length;
    for (const r of rows) {
      if ('sentence_good' in r) {
        // A natural minimal pair: its good sentence is a held-out Brown sentence.
        texts.push({ file, id: r.id, what: 'item', text: r.sentence_good });
        continue;
      }
      texts.push({ file, id: r.id, what: 'item', text: r.prompt + r.answer });
      if (file === 'facts') texts.push({ file, id: r.id, what: 'phrasing', text: r.prompt });
      if ('composition' in r) {
        for (const t of TWOHOP_TEMPLATES[r.composition] ?? []) {
          // The answer as the probe writes it, without the article a template may add.
          const object = r.answer.trim().replace(/^an? /, '');
          texts.push({ file, id: r.id, what: 'composition', text: render(t, r.subject, object).replace(/\.$/, '') });
        }
      }
    }
  }
  return { texts, items };
}

/** Searches every source's decoded training shard for every held-out text. */
export function scanForLeaks(corpus: Corpus): LeakScan {
  const { texts, items } = heldOutTexts(corpus.dir);
  const { found, characters } = findInTraining(corpus, texts);
  return { texts: texts.length, items, characters, leaks: found };
}

/** The texts that occur in the decoded training shards (first occurrence, with its source). */
export function findInTraining<T extends { text: string }>(
  corpus: Corpus,
  texts: readonly T[],
): { found: (T & { source: string })[]; characters: number } {
  const needles = texts.map((t) => normalise(t.text));
  // Texts are found by their first K characters, then compared whole.
  const K = Math.max(1, Math.min(12, ...needles.map((n) => n.length)));
  const byPrefix = new Map<string, number[]>();
  needles.forEach((n, i) => {
    const key = n.slice(0, K);
    const list = byPrefix.get(key);
    if (list) list.push(i);
    else byPrefix.set(key, [i]);
  });
  const found: (T & { source: string })[] = [];
  const seen = new Set<number>();
  let characters = 0;
  for (const source of corpus.sources) {
    const text = normalise([...corpus.documents(source.name, 'train')].join('\n'));
    characters += text.length;
    for (let at = 0; at + K <= text.length; at++) {
      const candidates = byPrefix.get(text.slice(at, at + K));
      if (!candidates) continue;
      for (const i of candidates) {
        const n = needles[i];
        if (seen.has(i) || !text.startsWith(n, at)) continue;
        const before = at > 0 && WORD.test(n.charAt(0)) && WORD.test(text.charAt(at - 1));
        const after = WORD.test(n.charAt(n.length - 1)) && WORD.test(text.charAt(at + n.length));
        if (before || after) continue;
        seen.add(i);
        found.push({ ...texts[i], source: source.name });
      }
    }
  }
  return { found, characters };
}
