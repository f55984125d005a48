import { Command } from 'commander';
import { register as registerAugment } from './augment.js';
import { register as registerBaseline } from './baseline.js';
import { register as registerData } from './data.js';
import { register as registerEval } from './eval.js';
import { register as registerExperiment } from './experiment.js';
import { register as registerExport } from './export.js';
import { register as registerJudge } from './judge.js';
import { register as registerProviders } from './providers.js';
import { register as registerReport } from './report.js';
import { register as registerRun } from './run.js';
import { register as registerServe } from './serve.js';
import { register as registerTrain } from './train.js';
import { PACKAGE_VERSION } from './version.js';

/** Each command lives in its own file and registers itself here. */
const COMMANDS: ((program: Command) => void)[] = [
  registerRun,
  registerEval,
  registerBaseline,
  registerReport,
  registerData,
  registerTrain,
  registerAugment,
  registerJudge,
  registerExperiment,
  registerExport,
  registerProviders,
  registerServe,
];

/**
 * The `crsaug` program with every command. Usage errors (unknown flag, bad value, missing argument) print
 * commander's one-line message and a one-line hint, never the whole help, and reach the caller as a
 * CommanderError (exitOverride) so the entry point can exit 2 for them and 1 for failures.
 */
export function buildProgram(): Command {
  const program = new Command()
    .name('crsaug')
    .description('LLM-powered label augmentation for conversational recommenders')
    .version(PACKAGE_VERSION)
    .exitOverride()
    .showHelpAfterError('(add --help for the options)')
    // A command's options belong to it, not to its parent: `judge export-batch --run DIR` is export-batch's --run.
    .enablePositionalOptions();
  for (const register of COMMANDS) register(program);
  return program;
}
