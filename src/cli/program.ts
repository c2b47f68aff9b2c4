/**
 * Builds the `slurry` command tree. Each command lives in its own file and registers itself
 * here; main.ts runs it.
 */
import { Command } from 'commander';
import { registerBench } from './bench.js';
import { registerDoctor } from './doctor.js';
import { registerGrok } from './grok.js';

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('slurry')
    .description('a lab for watching language models learn: stages or slurry?')
    .showHelpAfterError()
    .exitOverride();
  registerDoctor(program);
  registerBench(program);
  registerGrok(program);
  return program;
}
