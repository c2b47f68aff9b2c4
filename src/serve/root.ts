/**
 * Every path the dashboard touches is a path under ROOT, named relative to it. A request
 * names a run or file by that relative path; this turns it into a real path or refuses:
 * no absolute paths, no ".." segments, no NUL, and after resolving symlinks the result
 * must still lie under ROOT's own real path (a symlink that points out of ROOT is refused).
 */
import { realpathSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';
import { SlurryError } from '../util/errors.js';

/** A refused path: the HTTP layer answers it with this status. */
export class PathRefused extends Error {
  constructor(
    message: string,
    readonly status: 403 | 404,
  ) {
    super(message);
  }
}

/** The real path of ROOT, checked to be a directory (a clear error otherwise). */
export function openRoot(root: string): string {
  let real: string;
  try {
    real = realpathSync(root);
  } catch {
    throw new SlurryError(`${root}: no such directory (ROOT is the folder whose run directories slurry serve shows)`);
  }
  if (!statSync(real).isDirectory())
    throw new SlurryError(`${root}: not a directory (ROOT must be a folder of run directories)`);
  return real;
}

/** Is `real` (already resolved) inside `root` (or root itself)? */
export function isInside(root: string, real: string): boolean {
  const rel = relative(root, real);
  return rel === '' || (!rel.startsWith('..' + sep) && rel !== '..' && !isAbsolute(rel));
}

/**
 * The real path of `rel` (a '/'-separated path relative to root, already URL-decoded once),
 * or a PathRefused. Lexical checks come first so a hostile name never reaches the file system.
 */
export function resolveUnder(root: string, rel: string): string {
  if (rel.includes('\0')) throw new PathRefused('path contains NUL', 403);
  if (rel.includes('\\')) throw new PathRefused('path contains a backslash', 403);
  if (rel.startsWith('/') || isAbsolute(rel)) throw new PathRefused('absolute paths are refused', 403);
  const parts = rel.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.some((p) => p === '..')) throw new PathRefused('".." in a path is refused', 403);
  let real: string;
  try {
    real = realpathSync(join(root, ...parts));
  } catch {
    throw new PathRefused(`${rel || '.'}: not found under ROOT`, 404);
  }
  if (!isInside(root, real)) throw new PathRefused(`${rel}: resolves outside ROOT (symlink)`, 403);
  return real;
}

/** The '/'-separated path of `real` relative to root ('' for root itself). */
export function relativeName(root: string, real: string): string {
  return relative(root, real).split(sep).join('/');
}
