/**
 * Source code of pinned npm packages: lodash's modules, ramda's and rxjs's sources,
 * date-fns's modules and TypeScript's standard-library declarations. Each file is a
 * document. Bundles, minified files and generated wrappers are excluded by path here; the
 * code quality filter then drops anything minified or marked generated that slipped by.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { z } from 'zod';
import { packageDir } from '../packages.js';
import type { Document, Source } from './types.js';

interface CodeSet {
  package: string;
  /** Folder inside the package to walk. */
  root: string;
  /** Whether to descend into subfolders. */
  recursive: boolean;
  include: RegExp;
  exclude?: RegExp;
}

/** The files taken from each package (paths relative to the package folder). */
export const CODE_SETS: readonly CodeSet[] = [
  // The per-method modules; lodash.js and core.js bundle the same code again.
  {
    package: 'lodash',
    root: '.',
    recursive: false,
    include: /\.js$/,
    exclude: /^(lodash|core)(\.min)?\.js$|\.min\.js$/,
  },
  { package: 'ramda', root: 'src', recursive: true, include: /\.js$/ },
  { package: 'rxjs', root: 'src', recursive: true, include: /\.ts$/ },
  // Top-level ES modules and their helpers; locale data and the generated fp/ wrappers are left out.
  { package: 'date-fns', root: '.', recursive: false, include: /\.js$/, exclude: /^cdn/ },
  { package: 'date-fns', root: '_lib', recursive: true, include: /\.js$/ },
  { package: 'typescript', root: 'lib', recursive: false, include: /^(lib\..*|typescript)\.d\.ts$/ },
];

function listFiles(dir: string, recursive: boolean): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    const st = statSync(path);
    if (st.isDirectory()) {
      if (recursive) out.push(...listFiles(path, true));
    } else out.push(path);
  }
  return out;
}

/** The files of one code set, as paths relative to the package folder, sorted. */
export function codeSetFiles(set: CodeSet): string[] {
  const pkg = packageDir(set.package);
  return listFiles(join(pkg, set.root), set.recursive)
    .map((p) => relative(pkg, p))
    .filter((p) => {
      const base = p.slice(p.lastIndexOf('/') + 1);
      return set.include.test(base) && !set.exclude?.test(base);
    });
}

export const code: Source<Record<string, never>> = {
  name: 'code',
  kind: 'code',
  description: 'JavaScript/TypeScript source of lodash, ramda, rxjs, date-fns and the TypeScript lib declarations',
  packages: [...new Set(CODE_SETS.map((s) => s.package))],
  licenseNote: 'each file under its package licence (MIT or Apache-2.0, listed in packages)',
  filter: 'code',
  dedup: true,
  options: z.strictObject({}),
  documents(): Document[] {
    const docs: Document[] = [];
    for (const set of CODE_SETS) {
      const pkg = packageDir(set.package);
      for (const file of codeSetFiles(set)) {
        docs.push({
          id: `${set.package}/${file}`,
          text: readFileSync(join(pkg, file), 'utf8'),
          meta: { package: set.package, file },
        });
      }
    }
    return docs;
  },
};
