#!/usr/bin/env node
import { CommanderError } from 'commander';
import { SlurryError } from '../util/errors.js';
import { buildProgram } from './program.js';

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
