/**
 * Generated low-quality web pages, the poison of the spam-poisons experiment: the four
 * kinds that quality filters and deduplication exist for (Rae et al. 2021, appendix A;
 * Raffel et al. 2020; Lee et al. 2022):
 *   boilerplate    navigation, cookie and subscription lines repeated down the page
 *   stuffing       a few keywords repeated, padded with more or fewer common words
 *   near-duplicate a few products' pages, each copied many times with another page number
 *   broken         text mangled in transit: mojibake, words cut short, symbol runs, ellipses
 * Its words are ordinary English, so what harms a model is the text's quality, not an
 * alien vocabulary. The source is filtered as prose and deduplicated like natural text: with
 * the filters on, most of it goes (the pages that pass are the subtler ones), and the build's
 * manifest counts what each rule took.
 */
import { z } from 'zod';
import { Rng } from '../random.js';
import type { Document, Source } from './types.js';

const KINDS = ['boilerplate', 'stuffing', 'near_duplicate', 'broken'] as const;

const Options = z.strictObject({
  pages: z.number().int().positive().max(1_000_000).default(4000),
  /** Words per page, roughly. */
  pageWords: z.number().int().positive().max(10_000).default(220),
});
type Options = z.infer<typeof Options>;

const KEYWORDS = [
  ['cheap', 'flights'],
  ['best', 'hotel', 'deals'],
  ['free', 'online', 'games'],
  ['weight', 'loss', 'tips'],
  ['buy', 'cheap', 'shoes'],
  ['car', 'insurance', 'quotes'],
  ['make', 'money', 'fast'],
  ['top', 'rated', 'recipes'],
];
const FILLER = ['best', 'top', 'cheap', 'online', 'now', 'today', 'free', 'buy', 'deals', 'sale', 'new', 'great'];
const MENU = ['Home', 'About', 'Contact', 'Login', 'Register', 'Shop', 'Blog', 'Help', 'Privacy', 'Terms', 'Sitemap'];
const NOTICES = [
  'We use cookies to improve your experience. By continuing you agree to our use of cookies.',
  'Subscribe to our newsletter and never miss a deal!',
  'Click here to read more.',
  'All rights reserved.',
  'Share this page on social media.',
  'Sign up today for exclusive offers.',
  'This site uses cookies. Accept all cookies to continue.',
];
const PRODUCTS = ['running shoes', 'coffee maker', 'garden hose', 'desk lamp', 'travel bag', 'phone case'];
const PROSE = [
  'the',
  'of',
  'and',
  'to',
  'a',
  'in',
  'that',
  'is',
  'was',
  'for',
  'with',
  'on',
  'as',
  'have',
  'people',
  'time',
  'year',
  'way',
  'day',
  'world',
  'life',
  'hand',
  'part',
  'place',
  'work',
  'week',
  'case',
  'point',
  'home',
  'water',
  'room',
  'money',
  'story',
  'fact',
  'month',
  'right',
  'study',
  'book',
  'word',
  'business',
];
const MOJIBAKE = ['Ã©', 'Ã¨', 'â€™', 'â€œ', 'â€', 'Ã¼', 'Â', 'ï»¿'];

function boilerplate(rng: Rng, words: number): string {
  const lines: string[] = [];
  let n = 0;
  while (n < words) {
    const line =
      rng.next() < 0.5
        ? rng
            .shuffle([...MENU])
            .slice(0, rng.int(4, 8))
            .join(' | ')
        : rng.pick(NOTICES);
    lines.push(line);
    n += line.split(' ').length;
  }
  return lines.join('\n');
}

// Pages range from pure keyword lists to keywords padded with common words, so some pass
// the filters, as real spam does.
function stuffing(rng: Rng, words: number): string {
  const keys = rng.pick(KEYWORDS);
  const padding = 0.7 * rng.next();
  const out: string[] = [];
  while (out.length < words) {
    if (rng.next() < padding) out.push(rng.pick(PROSE), rng.pick(PROSE));
    else out.push(...keys);
    if (rng.next() < 0.4) out.push(rng.pick(FILLER));
  }
  const text = out.slice(0, words).join(' ');
  return text.charAt(0).toUpperCase() + text.slice(1) + '.';
}

function nearDuplicate(rng: Rng, words: number): string {
  const product = rng.pick(PRODUCTS);
  // Each product's page keeps its price and sentence order: its copies differ in a page number.
  const own = Rng.derive(0, product);
  const price = `$${own.int(5, 99)}.${own.int(10, 99)}`;
  const lines = own.shuffle([
    `Buy the ${product} now for only ${price}.`,
    `This is the best ${product} you can buy today, and it ships free to your home.`,
    `Order it today and save money on your next purchase.`,
    `Customers love it and say that it is worth every cent.`,
    `Read the reviews and see why people have chosen it for years.`,
    `It is on sale this week for ${price}, so do not miss this great deal.`,
    `Our team is here to help you with any question you have.`,
    `Find more products like this one in our online store.`,
  ]);
  const out: string[] = [];
  let n = 0;
  for (let i = 0; n < words; i++) {
    const line = lines[i % lines.length]!;
    out.push(line);
    n += line.split(' ').length;
  }
  return `${out.join(' ')} Page ${rng.int(1, 999)} of our catalogue.`;
}

function broken(rng: Rng, words: number): string {
  const out: string[] = [];
  for (let i = 0; i < words; i++) {
    let w = rng.pick(PROSE);
    const r = rng.next();
    if (r < 0.15) w = w.slice(0, Math.max(1, rng.int(1, w.length)));
    else if (r < 0.3) w = `${w}${rng.pick(MOJIBAKE)}`;
    else if (r < 0.38) w = '#'.repeat(rng.int(2, 6));
    out.push(w);
    if (rng.next() < 0.08) out.push('...\n');
  }
  return out.join(' ');
}

const MAKERS: Record<(typeof KINDS)[number], (rng: Rng, words: number) => string> = {
  boilerplate,
  stuffing,
  near_duplicate: nearDuplicate,
  broken,
};

export const spam: Source<Options> = {
  name: 'spam',
  kind: 'web',
  description: 'generated low-quality web pages: boilerplate, keyword stuffing, near-duplicate pages, broken text',
  packages: [],
  licenseNote: 'generated by slurry',
  filter: 'prose',
  dedup: true,
  options: Options,
  documents(opts, ctx): Document[] {
    const rng = Rng.derive(ctx.seed, 'spam');
    return Array.from({ length: opts.pages }, (_, i) => {
      const kind = KINDS[i % KINDS.length]!;
      const words = Math.max(20, Math.round(opts.pageWords * (0.6 + 0.8 * rng.next())));
      return {
        id: `spam-${String(i).padStart(6, '0')}`,
        text: MAKERS[kind](rng, words),
        meta: { kind },
      };
    });
  },
};
