/**
 * Finds the run directories under ROOT, at any depth: an episode keeps its run in run/ (or
 * runs/NAME/ when it compares schedules), a sweep is a folder of ordinary runs, and a
 * grokking run is a run directory too. A run directory is one with metrics.jsonl or
 * probes.jsonl; the walk does not descend into a run's own folders, hidden folders or
 * node_modules, never follows a symlink out of ROOT, and stops at a depth and count limit
 * so a huge tree cannot stall the server.
 */
import { existsSync, readdirSync, realpathSync, type Dirent } from 'node:fs';
import { join } from 'node:path';
import { runPaths } from '../run/layout.js';
import { isInside, relativeName } from './root.js';

const MAX_DEPTH = 8;
const MAX_DIRS = 20000;
const SKIP = new Set(['node_modules', 'checkpoints', 'probe-items', 'report', 'shards', 'dist', 'build']);

export function isRunDir(dir: string): boolean {
  const p = runPaths(dir);
  return existsSync(p.metrics) || existsSync(p.probes);
}

/** Relative paths ('' for ROOT itself) of every run directory under root, sorted. */
export function findRuns(root: string): string[] {
  const found: string[] = [];
  const seen = new Set<string>();
  let visited = 0;
  const walk = (dir: string, depth: number) => {
    if (seen.has(dir) || visited++ > MAX_DIRS) return;
    seen.add(dir);
    if (isRunDir(dir)) {
      found.push(relativeName(root, dir));
      return;
    }
    if (depth >= MAX_DEPTH) return;
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (e.name.startsWith('.') || SKIP.has(e.name)) continue;
      if (!e.isDirectory() && !e.isSymbolicLink()) continue;
      let real: string;
      try {
        real = realpathSync(join(dir, e.name));
      } catch {
        continue;
      }
      if (!isInside(root, real)) continue;
      if (e.isSymbolicLink() && !existsSync(real)) continue;
      walk(real, depth + 1);
    }
  };
  walk(root, 0);
  return found.sort();
}
