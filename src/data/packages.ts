/**
 * Finds the pinned npm data packages that sources read, and the facts the manifest records
 * about each (exact version and licence, read from the installed package.json).
 *
 * Packages are located the way Node resolves them (walking up node_modules folders) but
 * without going through their `exports` map, since some data packages do not export
 * package.json or their data files.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { SlurryError } from '../util/errors.js';

const require = createRequire(import.meta.url);

export interface PackageInfo {
  name: string;
  version: string;
  license: string;
}

const dirCache = new Map<string, string>();

/** The installed directory of npm package `name`; a SlurryError when it is not installed. */
export function packageDir(name: string): string {
  const cached = dirCache.get(name);
  if (cached) return cached;
  for (const base of require.resolve.paths(name) ?? []) {
    const dir = join(base, name);
    if (existsSync(join(dir, 'package.json'))) {
      dirCache.set(name, dir);
      return dir;
    }
  }
  throw new SlurryError(`npm package "${name}" is not installed; run \`npm install\` in the slurry folder`);
}

/** Name, exact version and licence of an installed package. */
export function packageInfo(name: string): PackageInfo {
  const file = join(packageDir(name), 'package.json');
  const pkg = JSON.parse(readFileSync(file, 'utf8')) as { version?: unknown; license?: unknown };
  if (typeof pkg.version !== 'string') throw new SlurryError(`${file}: no "version" string`);
  const license = typeof pkg.license === 'string' ? pkg.license : 'UNKNOWN';
  return { name, version: pkg.version, license };
}

/** Reads a file inside an installed package. */
export function readPackageFile(name: string, relPath: string): string {
  const file = join(packageDir(name), relPath);
  if (!existsSync(file)) throw new SlurryError(`${file}: missing from npm package "${name}" (reinstall it)`);
  return readFileSync(file, 'utf8');
}

/** Reads and parses a JSON file inside an installed package. */
export function readPackageJson<T>(name: string, relPath: string): T {
  return JSON.parse(readPackageFile(name, relPath)) as T;
}
