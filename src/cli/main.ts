#!/usr/bin/env node
import { CommanderError } from 'commander';
import { SlurryError } from '../util/errors.js';
import { runInterruptCleanups } from '../util/interrupt.js';
import { buildProgram } from './program.js';

// Half-made files of the work in progress (a corpus build's temporary directory) go first.
for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
  process.once(signal, () => {
    runInterruptCleanups();
    process.exit(code);
  });
}

try {
  await buildProgram().parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    process.exitCode = err.exitCode;
  } else if (err instanceof SlurryError) {
    process.stderr.write(`slurry: error: ${err.message}\n`);
    process.exitCode = err.exitCode;
  } else {
    throw err;
  }
}
