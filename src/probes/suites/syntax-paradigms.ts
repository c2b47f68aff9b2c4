/**
 * The syntax paradigms: templates that turn attested words into BLiMP-style minimal pairs.
 * Each paradigm makes a pair for either of two polarities, which swap the roles of the
 * surface forms (a singular subject makes "runs" good and "run" bad; a plural one the
 * reverse), so a model that merely prefers one form, or shorter sentences, scores 0.5 on
 * a paradigm with both polarities in equal numbers. The words that differ between the
 * sentences vary from pair to pair wherever the paradigm allows (an untrained model's
 * preference between two fixed tokens in a fixed context would otherwise decide a whole
 * polarity at once).
 */
import type { Rng } from '../../util/rng.js';
import type { NounForms, SyntaxWords, VerbForms } from './syntax-words.js';

export interface Paradigm {
  /** BLiMP-style UID: the group the pairs report under. */
  uid: string;
  /** BLiMP's field. */
  field: 'morphology' | 'syntax' | 'orthography';
  description: string;
  make(w: SyntaxWords, rng: Rng, polarity: 0 | 1): { good: string; bad: string };
}

const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[rng.int(xs.length)];
/** Two different items. */
const pickTwo = <T>(rng: Rng, xs: readonly T[]): [T, T] => {
  const a = rng.int(xs.length);
  const b = (a + 1 + rng.int(xs.length - 1)) % xs.length;
  return [xs[a], xs[b]];
};
const form = (n: NounForms, plural: boolean) => (plural ? n.pl : n.sg);
/** The present form agreeing with a singular or plural subject. */
const agree = (v: VerbForms, plural: boolean) => (plural ? v.base : v.vbz);
const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

const PREPOSITIONS = ['near', 'behind', 'beside', 'with', 'by', 'under', 'above', 'beyond', 'among', 'like'];

export const PARADIGMS: readonly Paradigm[] = [
  {
    uid: 'sva_simple',
    field: 'morphology',
    description: 'subject-verb agreement: "The old dog runs." / "The old dog run."',
    make(w, rng, polarity) {
      const pl = polarity === 1;
      const n = pick(rng, w.nouns);
      const v = pick(rng, w.verbs);
      const a = pick(rng, w.adjectives);
      return { good: `The ${a} ${form(n, pl)} ${agree(v, pl)}.`, bad: `The ${a} ${form(n, pl)} ${agree(v, !pl)}.` };
    },
  },
  {
    uid: 'sva_across_pp',
    field: 'morphology',
    description:
      'agreement across a prepositional phrase with an attractor of the other number: "The dog near the cats runs."',
    make(w, rng, polarity) {
      const pl = polarity === 1;
      const [n, m] = pickTwo(rng, w.nouns);
      const v = pick(rng, w.verbs);
      const p = pick(rng, PREPOSITIONS);
      const head = `The ${form(n, pl)} ${p} the ${form(m, !pl)}`;
      return { good: `${head} ${agree(v, pl)}.`, bad: `${head} ${agree(v, !pl)}.` };
    },
  },
  {
    uid: 'sva_across_rc',
    field: 'morphology',
    description: 'agreement across an object relative clause with an attractor: "The dog that the cats see runs."',
    make(w, rng, polarity) {
      const pl = polarity === 1;
      const [n, m] = pickTwo(rng, w.nouns);
      const t = pick(rng, w.transitive);
      const v = pick(rng, w.verbs);
      const head = `The ${form(n, pl)} that the ${form(m, !pl)} ${agree(t, !pl)}`;
      return { good: `${head} ${agree(v, pl)}.`, bad: `${head} ${agree(v, !pl)}.` };
    },
  },
  {
    uid: 'determiner_noun_agreement',
    field: 'morphology',
    description: 'demonstrative-noun agreement: "The man saw this dog." / "The man saw this dogs."',
    make(w, rng, polarity) {
      const pl = polarity === 1;
      const [s, o] = pickTwo(rng, w.nouns);
      const t = pick(rng, w.transitive);
      const det = pl ? pick(rng, ['these', 'those']) : pick(rng, ['this', 'that']);
      const head = `The ${s.sg} ${t.vbd} ${det}`;
      return { good: `${head} ${form(o, pl)}.`, bad: `${head} ${form(o, !pl)}.` };
    },
  },
  {
    uid: 'anaphor_number_agreement',
    field: 'morphology',
    description:
      'reflexive number agreement: "The dogs hurt themselves." / "The dogs hurt itself."; "We saw ourselves." / "We saw myself."',
    make(w, rng, polarity) {
      const pl = polarity === 1;
      const t = pick(rng, w.transitive);
      // Several subject kinds, so no single pair of reflexive tokens decides the paradigm.
      const kinds: [string, string, string, string][] = [
        [`The ${pick(rng, w.nouns).sg}`, `The ${pick(rng, w.nouns).pl}`, 'itself', 'themselves'],
        ['I', 'We', 'myself', 'ourselves'],
        ['He', 'They', 'himself', 'themselves'],
        ['She', 'They', 'herself', 'themselves'],
      ];
      const [sg, plural, selfSg, selfPl] = pick(rng, kinds);
      const head = `${pl ? plural : sg} ${t.vbd}`;
      return { good: `${head} ${pl ? selfPl : selfSg}.`, bad: `${head} ${pl ? selfSg : selfPl}.` };
    },
  },
  {
    uid: 'irregular_past_participle',
    field: 'morphology',
    description:
      'past tense vs participle of irregular verbs: "The boy broke the cups." / "The boy broken the cups."; "has broken" / "has broke"',
    make(w, rng, polarity) {
      const [s, o] = pickTwo(rng, w.nouns);
      const v = pick(rng, w.irregular);
      const obj = form(o, rng.int(2) === 1);
      if (polarity === 0) return { good: `The ${s.sg} ${v.vbd} the ${obj}.`, bad: `The ${s.sg} ${v.vbn} the ${obj}.` };
      return { good: `The ${s.sg} has ${v.vbn} the ${obj}.`, bad: `The ${s.sg} has ${v.vbd} the ${obj}.` };
    },
  },
  {
    uid: 'word_order',
    field: 'syntax',
    description:
      'adjective before noun, object after verb: "The old dog runs." / "The dog old runs."; "The man saw old dogs." / "The man old dogs saw."',
    make(w, rng, polarity) {
      const pl = rng.int(2) === 1;
      const [a, b] = pickTwo(rng, w.adjectives);
      if (polarity === 0) {
        const n = pick(rng, w.nouns);
        const v = agree(pick(rng, w.verbs), pl);
        return { good: `The ${a} ${form(n, pl)} ${v}.`, bad: `The ${form(n, pl)} ${a} ${v}.` };
      }
      const [s, o] = pickTwo(rng, w.nouns);
      const t = pick(rng, w.transitive);
      return { good: `The ${form(s, pl)} ${t.vbd} ${b} ${o.pl}.`, bad: `The ${form(s, pl)} ${b} ${o.pl} ${t.vbd}.` };
    },
  },
  {
    uid: 'sentence_boundary',
    field: 'orthography',
    description:
      'where one sentence ends and the next begins: "The dogs run. Old cats sleep." / "The dogs run old. Cats sleep." / "The dogs. Run old cats sleep."',
    make(w, rng, polarity) {
      const [n, m] = pickTwo(rng, w.nouns);
      const [v, u] = pickTwo(rng, w.verbs);
      const a = pick(rng, w.adjectives);
      const p1 = rng.int(2) === 1;
      const first = form(n, p1);
      const verb = agree(v, p1);
      const rest = `${m.pl} ${u.base}.`;
      const good = `The ${first} ${verb}. ${cap(a)} ${rest}`;
      // The boundary one word too late, or one word too early: either way a period
      // competes with a varied word, once on each side.
      const bad =
        polarity === 0 ? `The ${first} ${verb} ${a}. ${cap(rest)}` : `The ${first}. ${cap(verb)} ${a} ${rest}`;
      return { good, bad };
    },
  },
  {
    uid: 'capitalisation',
    field: 'orthography',
    description:
      'a capital letter starts a sentence and only there: "Old dogs run." / "old dogs run."; "The man saw the cats." / "The man saw the Cats."',
    make(w, rng, polarity) {
      const a = pick(rng, w.adjectives);
      if (polarity === 0) {
        const n = pick(rng, w.nouns);
        const rest = `${n.pl} ${pick(rng, w.verbs).base}.`;
        return { good: `${cap(a)} ${rest}`, bad: `${a} ${rest}` };
      }
      const [s, o] = pickTwo(rng, w.nouns);
      const t = pick(rng, w.transitive);
      const head = `The ${form(s, rng.int(2) === 1)} ${t.vbd} the ${a}`;
      return { good: `${head} ${o.pl}.`, bad: `${head} ${cap(o.pl)}.` };
    },
  },
];
