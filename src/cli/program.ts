/**
 * Builds the `slurry` command tree. Each command lives in its own file and registers itself
 * here; main.ts runs it. Only the command being run is loaded (with everything it imports):
 * loading all sixteen costs about a second at every start, which a sweep of tiny cells or a
 * script calling slurry in a loop pays again and again. Help and unknown commands load all.
 */
import { Command } from 'commander';

type Register = (program: Command) => void;

/** The commands in the order help lists them, each loaded on demand. */
const COMMANDS: Record<string, () => Promise<Register>> = {
  episode: async () => (await import('./episode.js')).registerEpisode,
  data: async () => (await import('./data.js')).registerData,
  train: async () => (await import('./train.js')).registerTrain,
  sample: async () => (await import('./sample.js')).registerSample,
  probe: async () => (await import('./probe.js')).registerProbe,
  interp: async () => (await import('./interp.js')).registerInterp,
  analyze: async () => (await import('./analyze.js')).registerAnalyze,
  report: async () => (await import('./report.js')).registerReport,
  sweep: async () => (await import('./sweep.js')).registerSweep,
  experiment: async () => (await import('./experiment.js')).registerExperiment,
  worker: async () => (await import('./worker.js')).registerWorker,
  grok: async () => (await import('./grok.js')).registerGrok,
  score: async () => (await import('./score.js')).registerScore,
  serve: async () => (await import('./serve.js')).registerServe,
  bench: async () => (await import('./bench.js')).registerBench,
  doctor: async () => (await import('./doctor.js')).registerDoctor,
};

/** The program for `argv` (process.argv): with its command alone when argv names one. */
export async function buildProgram(argv: readonly string[] = []): Promise<Command> {
  const program = new Command();
  program
    .name('slurry')
    .description('a lab for watching language models learn: stages or slurry?')
    .showHelpAfterError()
    .exitOverride();
  const named = argv[2];
  const names = named !== undefined && Object.hasOwn(COMMANDS, named) ? [named] : Object.keys(COMMANDS);
  for (const register of await Promise.all(names.map((n) => COMMANDS[n]()))) register(program);
  return program;
}
