/**
 * Minimal pairs cut from real, held-out sentences. A tagged Brown sentence that no training
 * document contains is kept as the good sentence; the bad one changes a single word so that
 * it breaks one agreement rule, the way BLiMP's pairs do, but in prose someone wrote rather
 * than in a template filled with random words ("The difficult answer remembers."). A model
 * that has learned agreement in text like its training text gets these right; one that
 * prefers a frequent form scores 0.5, since every paradigm holds both polarities (the good
 * form singular, or plural) and the suite keeps them in equal numbers.
 *
 * Paradigms (the changed word is the only difference):
 *   natural_sva             a present verb right after its noun: "the jury says" / "the jury say",
 *                           "the men are" / "the men is"; be, have, do and -s forms
 *   natural_determiner_noun this/that + singular noun, these/those + plural: "this house" /
 *                           "this houses"
 *   natural_anaphor         reflexive number: "he found himself" / "he found themselves"
 *   natural_participle      irregular past tense vs participle: "had broken" / "had broke",
 *                           "she broke" / "she broken"
 */
import type { Lexicon } from '../probe-files.js';
import type { TaggedWord } from '../sources/brown.js';
import { baseTag } from './lexicon.js';

export interface NaturalPair {
  uid: string;
  /** 1 when the good sentence's changed word is plural (or the participle), else 0. */
  polarity: 0 | 1;
  good: string;
  bad: string;
}

/** The paradigms, in the order reports list them. */
export const NATURAL_PARADIGMS = [
  'natural_sva',
  'natural_determiner_noun',
  'natural_anaphor',
  'natural_participle',
] as const;

/** Sentences longer than this (in words) are skipped: they cost probe time and context. */
const MAX_WORDS = 28;

const AUXILIARY_SWAP: Record<string, [string, string, 0 | 1]> = {
  // tag: [word it must be, the word of the other number, polarity of the good form]
  BEZ: ['is', 'are', 0],
  BER: ['are', 'is', 1],
  BEDZ: ['was', 'were', 0],
  BED: ['were', 'was', 1],
  HVZ: ['has', 'have', 0],
  DOZ: ['does', 'do', 0],
};

const REFLEXIVE_SWAP: Record<string, [string, 0 | 1]> = {
  himself: ['themselves', 0],
  herself: ['themselves', 0],
  itself: ['themselves', 0],
  myself: ['ourselves', 0],
  themselves: ['himself', 1],
  ourselves: ['myself', 1],
};

interface Forms {
  /** vbz -> base and base -> vbz of regular and irregular verbs. */
  vbzToBase: Map<string, string>;
  baseToVbz: Map<string, string>;
  singular: Map<string, string>;
  plural: Map<string, string>;
  /** Irregular verbs whose past tense and participle differ: past -> participle and back. */
  pastToParticiple: Map<string, string>;
  participleToPast: Map<string, string>;
}

function formsOf(lexicon: Lexicon): Forms {
  const f: Forms = {
    vbzToBase: new Map(),
    baseToVbz: new Map(),
    singular: new Map(),
    plural: new Map(),
    pastToParticiple: new Map(),
    participleToPast: new Map(),
  };
  for (const n of lexicon.nouns) {
    if (n.singular === n.plural) continue;
    f.plural.set(n.singular, n.plural);
    f.singular.set(n.plural, n.singular);
  }
  for (const v of lexicon.verbs) {
    if (v.vbz) {
      f.baseToVbz.set(v.base, v.vbz);
      f.vbzToBase.set(v.vbz, v.base);
    }
    if (v.irregular && v.vbd && v.vbn && v.vbd !== v.vbn) {
      f.pastToParticiple.set(v.vbd, v.vbn);
      f.participleToPast.set(v.vbn, v.vbd);
    }
  }
  return f;
}

/** Keeps the case of the first letter of `like`. */
function matchCase(word: string, like: string): string {
  return like[0] === like[0]?.toUpperCase() ? word[0]!.toUpperCase() + word.slice(1) : word;
}

const HAVE = new Set(['have', 'has', 'had', 'having']);

/**
 * The single-word changes one sentence allows: [index of the word, the bad word, paradigm,
 * polarity]. Tags are Brown's (baseTag strips title and headline marks).
 */
export function sentenceEdits(words: readonly TaggedWord[], forms: Forms): [number, string, string, 0 | 1][] {
  const tags = words.map((w) => baseTag(w.tag));
  const lower = words.map((w) => w.word.toLowerCase());
  const edits: [number, string, string, 0 | 1][] = [];
  for (let i = 1; i < words.length; i++) {
    const tag = tags[i];
    const w = lower[i]!;
    const prev = tags[i - 1];
    // Agreement with the noun right before the verb.
    if (prev === 'NN' && tag === 'VBZ' && forms.vbzToBase.has(w))
      edits.push([i, forms.vbzToBase.get(w)!, 'natural_sva', 0]);
    if (prev === 'NNS' && tag === 'VB' && forms.baseToVbz.has(w))
      edits.push([i, forms.baseToVbz.get(w)!, 'natural_sva', 1]);
    const aux = tag ? AUXILIARY_SWAP[tag] : undefined;
    if (aux && w === aux[0] && ((aux[2] === 0 && prev === 'NN') || (aux[2] === 1 && prev === 'NNS')))
      edits.push([i, aux[1], 'natural_sva', aux[2]]);
    // A demonstrative and its noun.
    if (
      tag === 'NN' &&
      tags[i - 1] === 'DT' &&
      (lower[i - 1] === 'this' || lower[i - 1] === 'that') &&
      forms.plural.has(w)
    )
      edits.push([i, forms.plural.get(w)!, 'natural_determiner_noun', 0]);
    if (tag === 'NNS' && tags[i - 1] === 'DTS' && forms.singular.has(w))
      edits.push([i, forms.singular.get(w)!, 'natural_determiner_noun', 1]);
    // Reflexives.
    const reflexive = REFLEXIVE_SWAP[w];
    if (reflexive && (tag === 'PPL' || tag === 'PPLS')) edits.push([i, reflexive[0], 'natural_anaphor', reflexive[1]]);
    // Irregular past tense and participle.
    const afterHave = [1, 2].some((k) => i - k >= 0 && HAVE.has(lower[i - k]!));
    if (tag === 'VBN' && afterHave && forms.participleToPast.has(w))
      edits.push([i, forms.participleToPast.get(w)!, 'natural_participle', 1]);
    if (tag === 'VBD' && !afterHave && forms.pastToParticiple.has(w))
      edits.push([i, forms.pastToParticiple.get(w)!, 'natural_participle', 0]);
  }
  return edits;
}

/**
 * Every pair the sentences allow, one per (sentence, edit), in sentence order.
 * `detokenize` turns words back into text as the corpus writes them.
 */
export function naturalPairs(
  sentences: Iterable<readonly TaggedWord[]>,
  lexicon: Lexicon,
  detokenize: (words: readonly string[]) => string,
): NaturalPair[] {
  const forms = formsOf(lexicon);
  const out: NaturalPair[] = [];
  for (const sentence of sentences) {
    if (sentence.length < 4 || sentence.length > MAX_WORDS) continue;
    if (sentence.some((w) => /-hl$|^fw-/.test(w.tag))) continue;
    const words = sentence.map((w) => w.word);
    const good = detokenize(words);
    for (const [i, bad, uid, polarity] of sentenceEdits(sentence, forms)) {
      const changed = [...words];
      changed[i] = matchCase(bad, words[i]!);
      out.push({ uid, polarity, good, bad: detokenize(changed) });
    }
  }
  return out;
}
