/** A tiny corpus for tests: every source, a few hundred kilobytes, built in seconds. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildCorpus } from '../../src/data/build.js';
import { type BuildConfig, parseBuildConfig } from '../../src/data/config.js';

export function tinyConfig(seed = 7): BuildConfig {
  return parseBuildConfig(
    {
      preset: 'custom',
      seed,
      tokenizer: { vocabSize: 512, sampleBytes: 300_000 },
      knowledge: { hypernymNouns: 60 },
      sources: {
        brown: { maxBytes: 150_000 },
        moby_dick: { maxBytes: 60_000 },
        sotu: { maxBytes: 100_000 },
        wordnet: { maxBytes: 60_000 },
        code: { maxBytes: 60_000 },
        facts: { maxExposure: 30, headMin: 20, torsoMin: 5 },
        twohop: { repeats: 2 },
        arithmetic: { problems: 2000, maxDigits: 2, heldOutPerDigits: 20 },
        tracing: { programs: 500, heldOut: 50 },
      },
    },
    'test config',
  );
}

/** Builds the tiny corpus into a fresh temporary directory and returns its path. */
export async function buildTinyCorpus(seed = 7): Promise<string> {
  const out = join(mkdtempSync(join(tmpdir(), 'slurry-corpus-')), 'corpus');
  await buildCorpus({ config: tinyConfig(seed), out, progress: 'silent' });
  return out;
}
