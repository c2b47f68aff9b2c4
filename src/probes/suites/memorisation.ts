/**
 * `memorisation`: extractable memorisation of training text (Carlini et al. 2023,
 * "Quantifying memorization across neural language models"), on a corpus built with
 * injected near-duplicates (data/duplicates.ts, probes/memorisation.jsonl). Each item is a
 * training passage's prefix and the words after it. Per item d = 1 when greedy decoding
 * from the prefix writes those words exactly and then ends the word (cloze.ts), c = their
 * log-probability per token. Group `duplicated`: passages copied into training (the
 * capability); group `single`: passages seen once per epoch, the control. Not in the
 * default set: a corpus has the file only when its build config asks for duplicates.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PROBE_FILES, readProbeItems } from '../../data/probe-files.js';
import { SlurryError } from '../../util/errors.js';
import { clozeFits, generatedItems, prepareCloze, scoreCloze } from '../cloze.js';
import { ClozeItem } from '../items.js';
import { readJsonlFile } from '../../util/jsonl.js';
import { summarize, type BuildContext, type SuiteDefinition } from '../suite.js';

export function buildMemorisationItems(ctx: BuildContext): ClozeItem[] {
  if (!existsSync(join(ctx.corpus.dir, PROBE_FILES.memorisation.path)))
    throw new SlurryError(
      `suite memorisation: ${ctx.corpus.dir} has no ${PROBE_FILES.memorisation.path}; only a corpus built with "duplicates" in its config has (slurry experiment dedup builds two)`,
    );
  return readProbeItems(ctx.corpus.dir, 'memorisation')
    .filter((p) => clozeFits(ctx.corpus.tokenizer, ctx.context, p))
    .map((p) => ({
      id: p.id,
      group: p.group,
      prompt: p.prompt,
      answer: p.answer,
      meta: { document: p.document, copies: p.copies },
    }));
}

export const memorisationSuite: SuiteDefinition = {
  name: 'memorisation',
  description:
    'training passages copied many times (duplicated) or once (single): greedy extraction of the words after a prefix, and their log-probability',
  build: buildMemorisationItems,
  prepare(file, tokenizer, policy) {
    const items = readJsonlFile(file, ClozeItem, policy).rows.map((r) => r.value);
    const prepared = prepareCloze(items, tokenizer);
    return {
      name: 'memorisation',
      kind: 'probe',
      run(model) {
        const scores = scoreCloze(model, 'memorisation', prepared, tokenizer, { exact: true });
        return summarize(generatedItems(prepared, scores, tokenizer.vocabSize), {
          suite: 'memorisation',
          discrete: 'extracted',
          continuous: 'logprob_per_token',
          ceiling: { d: 1, c: 0 },
          controlGroups: ['single'],
        });
      },
    };
  },
};
