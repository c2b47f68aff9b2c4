/**
 * The words syntax probes build sentences from: nouns, verbs and adjectives whose forms are
 * attested in the Brown Corpus with their tags (the corpus's knowledge/lexicon.json), the
 * most frequent first, so the minimal pairs use words the model has seen in those roles.
 * Only a handful of closed-class words (determiners, prepositions, reflexives) and a list
 * of verbs that take an object are written here.
 */
import type { Lexicon } from '../../data/probe-files.js';
import { SlurryError } from '../../util/errors.js';

export interface NounForms {
  sg: string;
  pl: string;
}

export interface VerbForms {
  base: string;
  /** 3rd-person singular present. */
  vbz: string;
  vbd: string | null;
  vbn: string | null;
}

export interface SyntaxWords {
  nouns: NounForms[];
  /** Verbs with a present 3rd-singular form (subject-verb agreement). */
  verbs: VerbForms[];
  /** Verbs that take an object, with a past form (object positions, reflexives). */
  transitive: (VerbForms & { vbd: string })[];
  /** Transitive verbs whose past tense and participle differ (broke / broken). */
  irregular: (VerbForms & { vbd: string; vbn: string })[];
  adjectives: string[];
}

/** Verbs that read naturally with a noun object ("the dog saw the cats"). */
const TRANSITIVE = [
  'see',
  'like',
  'help',
  'watch',
  'follow',
  'find',
  'love',
  'hate',
  'know',
  'meet',
  'call',
  'hold',
  'visit',
  'need',
  'want',
  'fear',
  'push',
  'pull',
  'carry',
  'chase',
  'teach',
  'praise',
  'admire',
  'trust',
  'hear',
  'take',
  'break',
  'write',
  'eat',
  'drive',
  'give',
  'forget',
  'hide',
  'steal',
  'throw',
  'draw',
  'choose',
  'shake',
  'wear',
  'bite',
  'ride',
  'drink',
  'catch',
  'bring',
  'buy',
  'keep',
  'leave',
  'lose',
  'sell',
  'build',
  'feed',
  'hit',
  'hurt',
  'kick',
  'lift',
  'move',
  'paint',
  'pass',
  'remember',
  'save',
  'serve',
  'show',
  'study',
  'touch',
  'wash',
  'protect',
  'attack',
  'describe',
  'notice',
  'clean',
  'open',
  'check',
  'answer',
  'blame',
  'thank',
  'warn',
  'join',
  'support',
  'defend',
  'cover',
  'fill',
  'drop',
  'hunt',
  'guide',
  'lead',
  'beat',
  'dig',
  'fight',
  'forgive',
  'freeze',
  'grow',
  'shoot',
  'sing',
  'speak',
  'swallow',
  'tear',
  'weave',
  'win',
  'wake',
];

const WORD = /^[a-z]{3,11}$/;
const count = (lex: Lexicon, word: string, tag: string) => lex.words[word]?.[tag] ?? 0;
/** Occurrences of a word under all its tags. */
const total = (lex: Lexicon, word: string) => Object.values(lex.words[word] ?? {}).reduce((a, b) => a + b, 0);

export interface WordLimits {
  nouns: number;
  verbs: number;
  adjectives: number;
}

export const DEFAULT_WORD_LIMITS: WordLimits = { nouns: 300, verbs: 150, adjectives: 120 };

export function selectWords(lex: Lexicon, limits: WordLimits = DEFAULT_WORD_LIMITS): SyntaxWords {
  const nouns = lex.nouns
    .filter((n) => WORD.test(n.singular) && WORD.test(n.plural) && n.singular !== n.plural)
    // Mostly a noun in both forms: "dog"/"dogs", not "rose"/"roses".
    .filter((n) => count(lex, n.singular, 'NN') >= 5 && count(lex, n.plural, 'NNS') >= 3)
    .filter(
      (n) =>
        count(lex, n.singular, 'NN') * 2 >= total(lex, n.singular) &&
        count(lex, n.plural, 'NNS') * 2 >= total(lex, n.plural),
    )
    .sort((a, b) => count(lex, b.singular, 'NN') - count(lex, a.singular, 'NN') || (a.singular < b.singular ? -1 : 1))
    .slice(0, limits.nouns)
    .map((n) => ({ sg: n.singular, pl: n.plural }));
  const verbForms = lex.verbs
    .filter((v) => WORD.test(v.base) && v.vbz !== null && WORD.test(v.vbz))
    .filter((v) => count(lex, v.base, 'VB') >= 5 && count(lex, v.vbz!, 'VBZ') >= 2)
    .sort((a, b) => count(lex, b.base, 'VB') - count(lex, a.base, 'VB') || (a.base < b.base ? -1 : 1))
    .map((v) => ({ base: v.base, vbz: v.vbz!, vbd: v.vbd, vbn: v.vbn }));
  const verbs = verbForms.slice(0, limits.verbs);
  const transitiveSet = new Set(TRANSITIVE);
  const transitive = verbForms.filter(
    (v): v is VerbForms & { vbd: string } => transitiveSet.has(v.base) && v.vbd !== null && WORD.test(v.vbd),
  );
  const irregular = transitive.filter(
    (v): v is VerbForms & { vbd: string; vbn: string } =>
      v.vbn !== null &&
      v.vbn !== v.vbd &&
      WORD.test(v.vbn) &&
      count(lex, v.vbd, 'VBD') >= 2 &&
      count(lex, v.vbn, 'VBN') >= 2,
  );
  const adjectives = Object.keys(lex.words)
    .filter((w) => WORD.test(w) && count(lex, w, 'JJ') >= 10 && count(lex, w, 'JJ') * 2 >= total(lex, w))
    .sort((a, b) => count(lex, b, 'JJ') - count(lex, a, 'JJ') || (a < b ? -1 : 1))
    .slice(0, limits.adjectives);
  const need: [string, number, number][] = [
    ['nouns', nouns.length, 20],
    ['verbs with a 3rd-person singular form', verbs.length, 10],
    ['transitive verbs with a past form', transitive.length, 10],
    ['irregular transitive verbs (past differs from participle)', irregular.length, 4],
    ['adjectives', adjectives.length, 10],
  ];
  for (const [what, have, min] of need) {
    if (have < min)
      throw new SlurryError(`the lexicon (${lex.source}) attests ${have} ${what}; syntax probes need at least ${min}`);
  }
  return { nouns, verbs, transitive, irregular, adjectives };
}
