/**
 * Builds the `slurry` command tree. Each command lives in its own file and registers itself
 * here; main.ts runs it.
 */
import { Command } from 'commander';
import { registerAnalyze } from './analyze.js';
import { registerBench } from './bench.js';
import { registerData } from './data.js';
import { registerDoctor } from './doctor.js';
import { registerGrok } from './grok.js';
import { registerReport } from './report.js';

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('slurry')
    .description('a lab for watching language models learn: stages or slurry?')
    .showHelpAfterError()
    .exitOverride();
  registerDoctor(program);
  registerBench(program);
  registerAnalyze(program);
  registerReport(program);
  registerData(program);
  registerGrok(program);
  return program;
}
