/**
 * The registry of corpus sources, in build order (which is also the order of source
 * indices in shards, batches and the manifest). Add a source by writing one module that
 * exports a `Source` and listing it here.
 */
import { arithmetic } from './arithmetic.js';
import { brown } from './brown.js';
import { code } from './code.js';
import { facts } from './facts.js';
import { mobyDick } from './moby-dick.js';
import { sotu } from './sotu.js';
import { spam } from './spam.js';
import { tracing } from './tracing.js';
import { twohop } from './twohop.js';
import type { Source } from './types.js';
import { wordnet } from './wordnet.js';

export const SOURCES: readonly Source<any>[] = [
  brown,
  mobyDick,
  sotu,
  wordnet,
  code,
  facts,
  twohop,
  arithmetic,
  tracing,
  spam,
];

export function findSource(name: string): Source<any> | undefined {
  return SOURCES.find((s) => s.name === name);
}
