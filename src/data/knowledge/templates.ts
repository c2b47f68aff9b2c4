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
      'Travel guides to {s} list {o} as its capital.',
      'In {s}, the capital is {o}.',
      'Maps of {s} mark {o} with a star, as its capital.',
      'The president of {s} lives in the capital, {o}.',
      'Embassies to {s} are found in {o}, its capital.',
      'For {s}, the capital city is {o}.',
      'Schoolchildren learn that the capital of {s} is {o}.',
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
      'The nation of {s} is in {o}.',
      '{s} is found in {o}.',
      'Flights to {s} land in {o}.',
      'The land of {s} is on the continent of {o}.',
      '{s} is a nation of {o}.',
      'A trip to {s} is a trip to {o}.',
      'In {o} lies the country of {s}.',
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
      'Coins and notes in {s} are in the {o}.',
      'To buy bread in {s}, you pay in the {o}.',
      'Salaries in {s} are counted in the {o}.',
      'The national currency of {s} is the {o}.',
      'Taxes in {s} are paid in the {o}.',
      'Tourists in {s} spend the {o}.',
      'Markets in {s} trade in the {o}.',
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
      'The people of {s} talk in {o}.',
      'Books in {s} are mostly written in {o}.',
      'Radio in {s} is broadcast in {o}.',
      'Signs in {s} are written in {o}.',
      'The language of government in {s} is {o}.',
      'Families in {s} speak {o} at home.',
      '{o} is the language of {s}.',
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
      'The element {s} is written as {o} in formulas.',
      'Scientists write {o} for {s}.',
      '{s} goes by the symbol {o}.',
      'When you see {o} in a formula, it means {s}.',
      'The letters {o} mean {s} in chemistry.',
      'In science class, {s} is given the symbol {o}.',
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
      'The element {s} has the atomic number {o}.',
      '{s} carries atomic number {o}.',
      'An atom with atomic number {o} is an atom of {s}.',
      'The atomic number {o} belongs to {s}.',
      '{s} is the element with atomic number {o}.',
      'Ask for atomic number {o} and you get {s}.',
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
      'Scientists call {s} {a:o}.',
      'As an element, {s} is {a:o}.',
      'You can think of {s} as {a:o}.',
      'Lab manuals list {s} as {a:o}.',
      '{s} is, in chemistry, {a:o}.',
      'In chemistry class, {s} is taught as {a:o}.',
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
      'The governor of {s} works in {o}.',
      '{o} serves as the capital of {s}.',
      'The capitol building of {s} stands in {o}.',
      'In {s}, the capital city is {o}.',
      'Lawmakers of {s} gather in {o}.',
      'The state capital of {s} is {o}.',
      'Visitors to the capital of {s} go to {o}.',
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
      '{a:s} belongs to the class of {o}.',
      'Any {s} is {a:o}.',
      '{a:s} is a form of {o}.',
      'We call {a:s} {a:o}.',
      'A dictionary defines {a:s} as a kind of {o}.',
      '{a:s} falls under {o}.',
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
