#!/usr/bin/env node
import { CommanderError } from 'commander';
import { CrsaugError, UsageError } from '../util/errors.js';
import { buildProgram } from './program.js';

/** Exit codes: 0 done (or help shown), 1 a failure, 2 a usage error (flags, arguments, their combination). */
const USAGE_ERROR = 2;
const HELP_SHOWN = new Set(['commander.helpDisplayed', 'commander.version']);

try {
  await buildProgram().parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    // commander has printed its message (and the hint) already
    process.exitCode = HELP_SHOWN.has(err.code) ? 0 : USAGE_ERROR;
  } else if (err instanceof CrsaugError) {
    process.stderr.write(`crsaug: ${err.message}\n${err.hint ? `  hint: ${err.hint}\n` : ''}`);
    process.exitCode = err instanceof UsageError ? USAGE_ERROR : 1;
  } else {
    throw err;
  }
}
