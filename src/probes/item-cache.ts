/**
 * Built-in item sets are built once and cached as JSONL, so every checkpoint of a run (and
 * every run on the same corpus and context) sees exactly the same items:
 *
 *   RUN/probe-items/SUITE.jsonl   the suite's items, in the shape its `prepare` reads
 *   RUN/probe-items/meta.json     the corpus (path and manifest SHA-256), seed and context
 *                                 they were built from
 *
 * A missing file is built (the corpus is opened only then); items built from a different
 * corpus are refused rather than mixed.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { openCorpus, type Corpus } from '../data/corpus.js';
import { SlurryError } from '../util/errors.js';
import { writeFileAtomic, writeJsonAtomic } from '../util/fs.js';
import { readJsonFile } from '../util/json.js';
import type { SuiteDefinition } from './suite.js';

/** Every item set is drawn from this seed: runs on one corpus share their items. */
export const ITEM_SEED = 0;

const Meta = z.strictObject({
  corpus: z.string(),
  corpus_manifest_sha256: z.string(),
  seed: z.number().int(),
  context: z.number().int().positive(),
  suites: z.record(z.string(), z.strictObject({ items: z.number().int().nonnegative(), build_seconds: z.number() })),
});
type Meta = z.infer<typeof Meta>;

export interface ItemSource {
  /** The corpus directory the items come from. */
  corpus: string;
  /** The models' context length. */
  context: number;
}

function manifestHash(corpusDir: string): string {
  const path = join(corpusDir, 'manifest.json');
  if (!existsSync(path))
    throw new SlurryError(`${path}: missing (the probe items are built from a corpus made by \`slurry data build\`)`);
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/**
 * The item file of each suite in `dir`, building the missing ones from `source()` (called
 * only when something is missing).
 */
export function ensureItemFiles(
  dir: string,
  defs: readonly SuiteDefinition[],
  source: () => ItemSource,
  log: (line: string) => void,
): Map<string, string> {
  const files = new Map(defs.map((d) => [d.name, join(dir, `${d.name}.jsonl`)]));
  const missing = defs.filter((d) => !existsSync(files.get(d.name)!));
  if (missing.length === 0) return files;
  const metaPath = join(dir, 'meta.json');
  const { corpus: corpusDir, context } = source();
  const hash = manifestHash(corpusDir);
  let meta: Meta = { corpus: corpusDir, corpus_manifest_sha256: hash, seed: ITEM_SEED, context, suites: {} };
  if (existsSync(metaPath)) {
    meta = readJsonFile(metaPath, Meta);
    if (meta.corpus_manifest_sha256 !== hash || meta.context !== context) {
      throw new SlurryError(
        `${dir}: items were built from ${meta.corpus} (manifest ${meta.corpus_manifest_sha256.slice(0, 12)}, context ${meta.context}), ` +
          `not ${corpusDir} (manifest ${hash.slice(0, 12)}, context ${context}); delete ${dir} to rebuild every suite's items`,
      );
    }
  }
  let corpus: Corpus | null = null;
  for (const def of missing) {
    corpus ??= openCorpus(corpusDir);
    const t0 = performance.now();
    const rows = def.build({ corpus, seed: meta.seed, context });
    const seconds = (performance.now() - t0) / 1000;
    writeFileAtomic(files.get(def.name)!, rows.map((r) => JSON.stringify(r) + '\n').join(''));
    meta.suites[def.name] = { items: rows.length, build_seconds: Math.round(seconds * 100) / 100 };
    writeJsonAtomic(metaPath, meta);
    log(`built ${rows.length} ${def.name} items in ${seconds.toFixed(1)} s -> ${files.get(def.name)}`);
  }
  return files;
}
