/**
 * A real corpus with every source the built-in probes read (Brown for the lexicon, facts,
 * two-hop, arithmetic, tracing), small and byte-level, built by the data pipeline once per
 * test process (about 20 s, most of it loading the Brown and WordNet packages).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildCorpus } from '../../../src/data/build.js';
import { parseBuildConfig } from '../../../src/data/config.js';

let built: Promise<string> | null = null;

export function probeCorpus(): Promise<string> {
  built ??= (async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'slurry-probe-corpus-')), 'corpus');
    const config = parseBuildConfig(
      {
        preset: 'custom',
        seed: 1,
        tokenizer: { vocabSize: 'byte', sampleBytes: 100_000 },
        sources: {
          brown: { maxBytes: 150_000 },
          facts: { maxExposure: 20, headMin: 10, torsoMin: 3 },
          twohop: { repeats: 1 },
          arithmetic: { problems: 1500, maxDigits: 2, heldOutPerDigits: 20 },
          tracing: { programs: 400, heldOut: 30 },
        },
      },
      'probe test corpus',
    );
    await buildCorpus({ config, out, progress: 'silent' });
    return out;
  })();
  return built;
}
