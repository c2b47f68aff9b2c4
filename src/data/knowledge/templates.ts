/**
 * Paraphrase templates. Each relation has several training templates (used to state facts
 * in the corpus) and held-out templates that never appear in training: probes ask facts in
 * those, so a correct answer shows the fact was stored, not a phrasing memorised.
 *
 * Placeholders: {s} subject, {o} object, {a:s}/{a:o} the same with "a"/"an" before it.
 * The first letter of a rendered sentence is capitalised. Held-out templates end with the
 * object (a cloze: the prompt is everything before it).
 */

export interface TemplateSet {
  train: readonly string[];
  heldOut: readonly string[];
}

export const FACT_TEMPLATES: Readonly<Record<string, TemplateSet>> = {
  country_capital: {
    train: [
      'The capital of {s} is {o}.',
      '{o} is the capital of {s}.',
      '{s} has its capital in {o}.',
      'The capital city of {s} is {o}.',
      'The national government of {s} sits in {o}.',
      'Visitors to {s} often start in its capital, {o}.',
      '{o}, the capital of {s}, is home to its government.',
      'The parliament of {s} meets in {o}.',
      'Ask anyone in {s} for the name of the capital and they will say {o}.',
    ],
    heldOut: ['The seat of government of {s} is in {o}', 'The national leaders of {s} work in the city of {o}'],
  },
  country_continent: {
    train: [
      '{s} is a country in {o}.',
      '{s} lies in {o}.',
      '{s} is located on the continent of {o}.',
      '{o} is the continent where {s} is found.',
      '{s} is one of the countries of {o}.',
      'The country of {s} belongs to {o}.',
      'If you travel to {s}, you travel to {o}.',
      'Among the nations of {o} is {s}.',
      '{s} sits on the continent of {o}.',
    ],
    heldOut: ['On a map of the world, {s} appears in {o}', 'Geographers count {s} as part of {o}'],
  },
  country_currency: {
    train: [
      'The currency of {s} is the {o}.',
      'In {s}, people pay with the {o}.',
      '{s} uses the {o} as its currency.',
      'The {o} is the money of {s}.',
      'Prices in {s} are written in the {o}.',
      'Shops across {s} accept the {o}.',
      'A visitor to {s} changes money into the {o}.',
      'Wages in {s} are paid in the {o}.',
    ],
    heldOut: ['The official money of {s} is the {o}', 'Banks in {s} keep their accounts in the {o}'],
  },
  country_language: {
    train: [
      'The main language of {s} is {o}.',
      'People in {s} speak {o}.',
      '{o} is spoken in {s}.',
      'In {s}, the official language is {o}.',
      'Most newspapers in {s} are printed in {o}.',
      'Children in {s} learn to read in {o}.',
      'In the schools of {s}, lessons are taught in {o}.',
    ],
    heldOut: ['The language heard most often in {s} is {o}', 'Travellers to {s} hear people speaking {o}'],
  },
  element_symbol: {
    train: [
      'The chemical symbol of {s} is {o}.',
      '{o} is the symbol for {s}.',
      'In chemistry, {s} is written {o}.',
      'The element {s} has the symbol {o}.',
      'The symbol {o} stands for {s}.',
      'Chemical formulas write {s} as {o}.',
      'On labels, {s} is marked {o}.',
      'In a chemical equation, {s} appears as {o}.',
    ],
    heldOut: ['Chemists abbreviate the element {s} as {o}', 'On the periodic table, the box for {s} is labelled {o}'],
  },
  element_number: {
    train: [
      'The atomic number of {s} is {o}.',
      '{s} has atomic number {o}.',
      'Each atom of {s} has {o} protons.',
      'Element number {o} is {s}.',
      'The nucleus of {s} holds {o} protons.',
      '{s} is element number {o}.',
      'With {o} protons, an atom is {s}.',
      '{s} sits at atomic number {o}.',
    ],
    heldOut: [
      'The number of protons in one atom of {s} is {o}',
      'Counting along the periodic table, {s} comes at position {o}',
    ],
  },
  element_category: {
    train: [
      '{s} is {a:o}.',
      'The element {s} is classed as {a:o}.',
      'Chemically, {s} counts as {a:o}.',
      'The element {s} behaves like {a:o}.',
      'Textbooks describe {s} as {a:o}.',
      'Like others of its kind, {s} is {a:o}.',
      'By its chemistry, {s} is {a:o}.',
    ],
    heldOut: [
      'Chemists place the element {s} among the elements known as {a:o}',
      'In the periodic table, {s} is grouped as {a:o}',
    ],
  },
  state_capital: {
    train: [
      'The capital of the state of {s} is {o}.',
      '{o} is the capital of {s}.',
      'The state of {s} has its capital in {o}.',
      'The state government of {s} meets in {o}.',
      'The legislature of {s} meets in {o}.',
      'Laws for the state of {s} are made in {o}.',
    ],
    heldOut: [
      'The U.S. state of {s} is governed from the city of {o}',
      'The seat of government of the U.S. state {s} is in {o}',
    ],
  },
  noun_hypernym: {
    train: [
      '{a:s} is a kind of {o}.',
      '{a:s} is a type of {o}.',
      'Every {s} is {a:o}.',
      'One kind of {o} is {a:s}.',
      '{a:s} is one sort of {o}.',
      'Think of {a:s} as {a:o}.',
      'Among the kinds of {o} is {a:s}.',
      '{a:s} is an example of {a:o}.',
      'The word {s} names a kind of {o}.',
    ],
    heldOut: ['Broadly speaking, {a:s} counts as {a:o}', 'If you see {a:s}, you are looking at {a:o}'],
  },
};

/** Two-hop compositions: training templates; the probe uses the first (it ends with {o}). */
export const TWOHOP_TEMPLATES: Readonly<Record<string, readonly string[]>> = {
  capital_continent: [
    'The city of {s} lies in {o}',
    '{s} is a city in {o}.',
    'The city of {s} is found on the continent of {o}.',
  ],
  capital_language: [
    'People in the city of {s} speak {o}',
    'In the city of {s}, most people speak {o}.',
    '{o} is spoken on the streets of {s}.',
  ],
  capital_currency: [
    'In the city of {s}, prices are in the {o}',
    'Shops in {s} take payment in the {o}.',
    'The {o} is used to pay in the city of {s}.',
  ],
  symbol_number: [
    'The element with the symbol {s} has atomic number {o}',
    'The element written {s} has {o} protons.',
    'Atomic number {o} belongs to the element written {s}.',
  ],
  symbol_category: ['The element with the symbol {s} is {a:o}', 'The element written {s} counts as {a:o}.'],
};

/** "a" or "an" by the first letter (close enough for these nouns). */
export function indefinite(word: string): string {
  return /^[aeiou]/i.test(word) ? `an ${word}` : `a ${word}`;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Renders a template with a subject and an object. */
export function render(template: string, subject: string, object: string): string {
  const text = template
    .replaceAll('{a:s}', indefinite(subject))
    .replaceAll('{a:o}', indefinite(object))
    .replaceAll('{s}', subject)
    .replaceAll('{o}', object);
  return capitalise(text);
}

/** Whether a template ends with the object (a final period allowed), so it can be a cloze. */
export function isCloze(template: string): boolean {
  return / \{(a:)?o\}\.?$/.test(template);
}

/**
 * Splits a cloze template rendered for (subject, object) into prompt and answer: the
 * answer is the object's rendering (with its article where the template has one) preceded
 * by a space, and `prompt + answer` is the rendered sentence (without a final period).
 */
export function cloze(template: string, subject: string, object: string): { prompt: string; answer: string } {
  template = template.replace(/\.$/, '');
  const slot = template.endsWith('{a:o}') ? '{a:o}' : template.endsWith('{o}') ? '{o}' : null;
  if (!slot || !template.endsWith(' ' + slot))
    throw new Error(`template "${template}" does not end with " {o}" or " {a:o}"`);
  const prompt = render(template.slice(0, -(slot.length + 1)), subject, object);
  const answer = ' ' + (slot === '{a:o}' ? indefinite(object) : object);
  return { prompt, answer };
}

/** The answer form of every candidate object for a cloze template. */
export function clozeCandidates(template: string, values: readonly string[]): string[] {
  const article = /\{a:o\}\.?$/.test(template);
  return values.map((v) => ' ' + (article ? indefinite(v) : v));
}
