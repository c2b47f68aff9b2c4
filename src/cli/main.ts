#!/usr/bin/env node
import { CommanderError } from 'commander';
import { SlurryError, systemError } from '../util/errors.js';
import { buildProgram } from './program.js';

/**
 * The one error path of the command line: a SlurryError (bad input, a damaged file) or an
 * operating-system error (no space left, a file where a directory belongs) is one line and
 * a non-zero exit; anything else is a bug, reported as one line that says so (the stack
 * with SLURRY_DEBUG=1), exit 70.
 */
function report(err: unknown): void {
  const known = systemError(err);
  if (known instanceof CommanderError) {
    process.exitCode = known.exitCode;
  } else if (known instanceof SlurryError) {
    process.stderr.write(`slurry: error: ${known.message}\n`);
    process.exitCode = known.exitCode;
  } else {
    const e = known as Error;
    const detail = process.env.SLURRY_DEBUG
      ? `\n${e?.stack ?? String(e)}`
      : ' (set SLURRY_DEBUG=1 for the stack trace)';
    process.stderr.write(`slurry: internal error: ${e?.message ?? String(e)}: this is a bug in slurry${detail}\n`);
    process.exitCode = 70;
  }
}

process.on('uncaughtException', (err) => {
  report(err);
  process.exit();
});

try {
  await (await buildProgram(process.argv)).parseAsync(process.argv);
} catch (err) {
  report(err);
}
