/**
 * `slurry score CHECKPOINT_DIR --text TEXT [--json]`: the tokens of TEXT and each token's
 * log-probability under the checkpoint (the first token has none: nothing precedes it).
 * This is how anyone checks slurry's numbers against another implementation, e.g.
 * Hugging Face's GPT2LMHeadModel loading the same directory.
 */
import type { Command } from 'commander';
import { openCheckpoint } from '../model/load-checkpoint.js';
import { tokenLogprobs } from '../model/logprobs.js';
import { SlurryError } from '../util/errors.js';

export interface ScoredToken {
  id: number;
  text: string;
  /** Natural-log probability of this token given the ones before it; null for the first. */
  logprob: number | null;
}

export function registerScore(program: Command): void {
  program
    .command('score')
    .description("print the tokens of a text and each token's log-probability under a checkpoint")
    .argument('<checkpoint>', 'a checkpoint directory (model.safetensors, config.json, tokenizer.json)')
    .requiredOption('--text <text>', 'the text to score')
    .option('--json', 'print one JSON object: {tokens: [{id, text, logprob}], total_logprob, mean_logprob}')
    .action((dir: string, flags: { text: string; json?: boolean }) => {
      const { model, tokenizer } = openCheckpoint(dir);
      const ids = tokenizer.encode(flags.text);
      if (ids.length < 2)
        throw new SlurryError(`--text: "${flags.text}" is ${ids.length} token(s); scoring needs at least 2`);
      if (ids.length > model.config.n_positions + 1) {
        throw new SlurryError(
          `--text: ${ids.length} tokens; this model's context holds ${model.config.n_positions} (+1 scored token)`,
        );
      }
      const lps = tokenLogprobs(model, [ids])[0];
      const tokens: ScoredToken[] = ids.map((id, i) => ({
        id,
        text: tokenizer.decode([id]),
        logprob: i === 0 ? null : lps[i - 1],
      }));
      const total = lps.reduce((a, b) => a + b, 0);
      if (flags.json) {
        console.log(JSON.stringify({ tokens, total_logprob: total, mean_logprob: total / lps.length }));
        return;
      }
      for (const t of tokens)
        console.log(
          `${String(t.id).padStart(6)}  ${t.logprob === null ? '       -' : t.logprob.toFixed(4).padStart(8)}  ${JSON.stringify(t.text)}`,
        );
      console.log(
        `total ${total.toFixed(4)} nats over ${lps.length} scored tokens (mean ${(total / lps.length).toFixed(4)})`,
      );
    });
}
