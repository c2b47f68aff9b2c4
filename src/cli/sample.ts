/**
 * `slurry sample RUN[/checkpoints/step-N] --prompt TEXT`: continuations from any checkpoint
 * (an early checkpoint is a smaller model of the same family). The model and tokenizer
 * both come from the checkpoint directory, which is verified against its manifest first.
 */
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { generate } from '../model/generate.js';
import { openCheckpoint } from '../model/load-checkpoint.js';
import { resolveCheckpointDir } from '../run/checkpoint.js';
import { STATE_FILE } from '../run/layout.js';
import { readTrainingState } from '../train/checkpoint-io.js';
import { SlurryError } from '../util/errors.js';
import { intFlag, numberFlag } from './flags.js';

interface SampleFlags {
  prompt: string[];
  step?: string;
  maxTokens: string;
  temperature: string;
  topK: string;
  samples: string;
  seed: string;
  json?: boolean;
}

export function registerSample(program: Command): void {
  program
    .command('sample')
    .description('print continuations of a prompt from a checkpoint (a run directory means its latest)')
    .argument('<path>', 'RUN, or RUN/checkpoints/step-N')
    .requiredOption('--prompt <text>', 'text to continue (repeat for several)', (v: string, prev: string[] = []) => [
      ...prev,
      v,
    ])
    .option('--step <n>', 'the checkpoint of RUN at this step')
    .option('--max-tokens <n>', 'new tokens per continuation', '64')
    .option('--temperature <t>', 'sampling temperature (0: greedy)', '0.8')
    .option('--top-k <k>', 'sample among the k likeliest tokens (0: all)', '40')
    .option('--samples <n>', 'continuations per prompt', '1')
    .option('--seed <s>', 'seed of the sampling', '0')
    .option('--json', 'one JSON object per continuation')
    .action((path: string, flags: SampleFlags) => {
      const step = flags.step === undefined ? undefined : intFlag('--step', flags.step, 0);
      const maxNewTokens = intFlag('--max-tokens', flags.maxTokens, 1);
      const temperature = numberFlag('--temperature', flags.temperature, (n) => n >= 0, 'a number >= 0');
      const topK = intFlag('--top-k', flags.topK, 0);
      const samples = intFlag('--samples', flags.samples, 1);
      const seed = intFlag('--seed', flags.seed, 0);

      const dir = resolveCheckpointDir(path, step);
      const { model, tokenizer } = openCheckpoint(dir);
      const state = existsSync(join(dir, STATE_FILE)) ? readTrainingState(dir) : null;
      if (!flags.json)
        console.log(`# ${dir}${state ? ` (step ${state.step}, ${state.tokens.toLocaleString('en-US')} tokens)` : ''}`);
      for (const prompt of flags.prompt) {
        const ids = tokenizer.encode(prompt);
        if (!ids.length) throw new SlurryError('--prompt: empty (give some text to continue)');
        for (let i = 0; i < samples; i++) {
          const out = generate(model, ids, {
            maxNewTokens,
            temperature,
            topK,
            seed: seed + i,
            stopToken: tokenizer.eotId,
          });
          const text = tokenizer.decode(out.filter((t) => t !== tokenizer.eotId));
          if (flags.json)
            console.log(
              JSON.stringify({ checkpoint: dir, step: state?.step ?? null, prompt, sample: i, continuation: text }),
            );
          else console.log(`${prompt}${text}${out[out.length - 1] === tokenizer.eotId ? ' <|endoftext|>' : ''}\n`);
        }
      }
    });
}
