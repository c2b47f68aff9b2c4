/**
 * A real corpus, built by the data pipeline in under a second: three small sources and a
 * byte-level vocabulary (257 ids), so tiny models train fast on the reference backend.
 * Built once per test process into a temporary directory.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildCorpus } from '../../../src/data/build.js';
import { parseBuildConfig } from '../../../src/data/config.js';

let built: Promise<string> | null = null;

export function miniCorpus(): Promise<string> {
  built ??= (async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'slurry-mini-corpus-')), 'corpus');
    const config = parseBuildConfig(
      {
        preset: 'custom',
        seed: 1,
        tokenizer: { vocabSize: 'byte', sampleBytes: 100_000 },
        sources: {
          moby_dick: { maxBytes: 60_000 },
          arithmetic: { problems: 1500, maxDigits: 2, heldOutPerDigits: 20 },
          tracing: { programs: 400, heldOut: 30 },
        },
      },
      'mini corpus',
    );
    await buildCorpus({ config, out, progress: 'silent' });
    return out;
  })();
  return built;
}
