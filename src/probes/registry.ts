/**
 * The suites `slurry probe` knows: one built-in per capability (each in suites/, one file
 * each), and external suites, any JSONL file of BLiMP minimal pairs or cloze items,
 * reported under the file's name.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { SlurryError } from '../util/errors.js';
import { clozeFits, generatedItems, prepareCloze, rankedItems, scoreCloze } from './cloze.js';
import { readItemFile, suiteNameOf } from './items.js';
import type { BadRowPolicy } from '../util/jsonl.js';
import { pairSuite, preparePairs } from './pairs.js';
import { summarize, type PreparedSuite, type SuiteDefinition } from './suite.js';
import { factsSuite, recallSuite } from './suites/facts.js';
import { iclSuite } from './suites/icl.js';
import { memorisationSuite } from './suites/memorisation.js';
import { reasoningSuite } from './suites/reasoning.js';
import { samplesSuite } from './suites/samples.js';
import { syntaxSuite, syntaxTemplatesSuite } from './suites/syntax.js';
import { tokensSuite } from './suites/tokens.js';
import type { Tokenizer } from '../data/tokenizer/tokenizer.js';

/** In the order they run and appear in probes.jsonl. */
export const BUILTIN_SUITES: readonly SuiteDefinition[] = [
  tokensSuite,
  syntaxSuite,
  syntaxTemplatesSuite,
  recallSuite,
  factsSuite,
  reasoningSuite,
  iclSuite,
  samplesSuite,
];

/** Built-ins that run only when named: they need a corpus built for them (`memorisation`: injected duplicates). */
export const OPT_IN_SUITES: readonly SuiteDefinition[] = [memorisationSuite];
const NAMED_SUITES = [...BUILTIN_SUITES, ...OPT_IN_SUITES];

export type SuiteSpec =
  | { kind: 'builtin'; name: string; def: SuiteDefinition }
  | { kind: 'file'; name: string; path: string };

/** A --suite argument: a built-in name, or a path to a .jsonl file. */
export function resolveSuite(arg: string): SuiteSpec {
  const def = NAMED_SUITES.find((s) => s.name === arg);
  if (def) return { kind: 'builtin', name: def.name, def };
  if (arg.endsWith('.jsonl') || existsSync(arg)) {
    const path = resolve(arg);
    if (!existsSync(path)) throw new SlurryError(`--suite ${arg}: no such file`);
    const name = suiteNameOf(path);
    if (NAMED_SUITES.some((s) => s.name === name)) {
      throw new SlurryError(
        `--suite ${arg}: an external suite is named after its file, and "${name}" is a built-in suite; rename the file`,
      );
    }
    return { kind: 'file', name, path };
  }
  throw new SlurryError(
    `--suite ${arg}: not a built-in suite (${NAMED_SUITES.map((s) => s.name).join(', ')}) or a .jsonl file`,
  );
}

/** The suites to run: the given ones (each once, in the order given), or every built-in. */
export function resolveSuites(args: readonly string[]): SuiteSpec[] {
  const specs = args.length
    ? args.map(resolveSuite)
    : BUILTIN_SUITES.map((def) => ({ kind: 'builtin' as const, name: def.name, def }));
  const seen = new Set<string>();
  for (const s of specs) {
    if (seen.has(s.name)) throw new SlurryError(`--suite: "${s.name}" is given twice`);
    seen.add(s.name);
  }
  return specs;
}

/**
 * An external suite, ready to run. Minimal pairs score like `syntax`; cloze items with
 * candidates everywhere like `facts` (top-1, p(answer)), otherwise like `reasoning`
 * (exact match, log-probability per token). Bad rows are reported by line through `warn`;
 * an item that does not fit a context of `context` tokens is refused, naming its line.
 */
export function prepareFileSuite(
  name: string,
  path: string,
  tokenizer: Tokenizer,
  context: number,
  policy: BadRowPolicy,
  warn: (line: string) => void,
): PreparedSuite {
  const file = readItemFile(path, policy);
  for (const bad of file.skipped) warn(`${path}:${bad.line}: skipped (${bad.message})`);
  if (file.kind === 'pairs') {
    const pairs = preparePairs(file.items, file.ids, tokenizer);
    pairs.forEach((p, i) => {
      // The start token and the sentence: the last token is only scored, never run.
      const n = Math.max(p.good.length, p.bad.length) - 1;
      if (n > context) {
        throw new SlurryError(
          `${path}:${file.lines[i]}: pair ${p.id}: a sentence of ${n} tokens does not fit the model's context of ${context} tokens`,
        );
      }
    });
    return pairSuite(name, pairs);
  }
  file.items.forEach((item, i) => {
    if (!clozeFits(tokenizer, context, item)) {
      throw new SlurryError(
        `${path}:${file.lines[i]}: item ${item.id}: its prompt and longest answer do not fit the model's context of ${context} tokens`,
      );
    }
  });
  const items = prepareCloze(file.items, tokenizer);
  const ranked = file.items.every((i) => i.candidates);
  return {
    name,
    kind: 'probe',
    run(model) {
      const scores = scoreCloze(model, name, items, tokenizer, { exact: !ranked });
      return ranked
        ? summarize(rankedItems(items, scores, tokenizer.vocabSize), {
            suite: name,
            discrete: 'accuracy',
            continuous: 'p_answer',
            ceiling: { d: 1, c: 1 },
          })
        : summarize(generatedItems(items, scores, tokenizer.vocabSize), {
            suite: name,
            discrete: 'exact_match',
            continuous: 'logprob_per_token',
            ceiling: { d: 1, c: 0 },
          });
    },
  };
}
