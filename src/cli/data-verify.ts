import type { Command } from 'commander';
import { openCorpus } from '../data/corpus.js';

/** `slurry data verify DIR`: every file present, of the recorded size and SHA-256, inside the corpus; every token id in the vocabulary. */
export function registerDataVerify(data: Command): void {
  data
    .command('verify')
    .description(
      "check a corpus's files against its manifest (sizes and SHA-256) and its shards' token ids against the vocabulary",
    )
    .argument('<dir>', 'corpus directory')
    .action((dir: string) => {
      const corpus = openCorpus(dir, { verify: 'hash' });
      for (const s of corpus.sources) for (const split of ['train', 'val'] as const) corpus.tokens(s.name, split);
      const files = 1 + corpus.manifest.sources.length * 2 + corpus.manifest.files.length;
      console.log(
        `${dir}: ok (${files} files match the manifest; every token id is below ${corpus.tokenizer.vocabSize})`,
      );
    });
}
