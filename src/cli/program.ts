/**
 * Builds the `slurry` command tree. Each command lives in its own file and registers itself
 * here; main.ts runs it.
 */
import { Command } from 'commander';
import { registerAnalyze } from './analyze.js';
import { registerBench } from './bench.js';
import { registerData } from './data.js';
import { registerDoctor } from './doctor.js';
import { registerEpisode } from './episode.js';
import { registerExperiment } from './experiment.js';
import { registerGrok } from './grok.js';
import { registerInterp } from './interp.js';
import { registerProbe } from './probe.js';
import { registerReport } from './report.js';
import { registerSample } from './sample.js';
import { registerScore } from './score.js';
import { registerServe } from './serve.js';
import { registerSweep } from './sweep.js';
import { registerTrain } from './train.js';
import { registerWorker } from './worker.js';

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('slurry')
    .description('a lab for watching language models learn: stages or slurry?')
    .showHelpAfterError()
    .exitOverride();
  registerEpisode(program);
  registerData(program);
  registerTrain(program);
  registerSample(program);
  registerProbe(program);
  registerInterp(program);
  registerAnalyze(program);
  registerReport(program);
  registerSweep(program);
  registerExperiment(program);
  registerWorker(program);
  registerGrok(program);
  registerScore(program);
  registerServe(program);
  registerBench(program);
  registerDoctor(program);
  return program;
}
