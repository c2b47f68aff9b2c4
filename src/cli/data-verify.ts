import type { Command } from 'commander';
import { openCorpus } from '../data/corpus.js';

/** `slurry data verify DIR`: every file present, of the recorded size and SHA-256. */
export function registerDataVerify(data: Command): void {
  data
    .command('verify')
    .description("check a corpus's files against its manifest (sizes and SHA-256)")
    .argument('<dir>', 'corpus directory')
    .action((dir: string) => {
      const corpus = openCorpus(dir, { verify: 'hash' });
      const files = 1 + corpus.manifest.sources.length * 2 + corpus.manifest.files.length;
      console.log(`${dir}: ok (${files} files match the manifest)`);
    });
}
