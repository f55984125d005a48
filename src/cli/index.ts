#!/usr/bin/env node
import { Command } from 'commander';
import { CrsaugError } from '../util/errors.js';
import { register as registerAugment } from './augment.js';
import { register as registerBaseline } from './baseline.js';
import { register as registerData } from './data.js';
import { register as registerEval } from './eval.js';
import { register as registerExperiment } from './experiment.js';
import { register as registerJudge } from './judge.js';
import { register as registerReport } from './report.js';
import { register as registerRun } from './run.js';
import { register as registerTrain } from './train.js';
import { PACKAGE_VERSION } from './version.js';

const program = new Command()
  .name('crsaug')
  .description('LLM-powered label augmentation for conversational recommenders')
  .version(PACKAGE_VERSION)
  .showHelpAfterError()
  // A command's options belong to it, not to its parent: `judge export-batch --run DIR` is export-batch's --run.
  .enablePositionalOptions();

// Each command lives in its own file and registers itself here.
const commands: ((program: Command) => void)[] = [
  registerRun,
  registerEval,
  registerBaseline,
  registerReport,
  registerData,
  registerTrain,
  registerAugment,
  registerJudge,
  registerExperiment,
];
for (const register of commands) register(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CrsaugError) {
    process.stderr.write(`crsaug: ${err.message}\n${err.hint ? `  hint: ${err.hint}\n` : ''}`);
    process.exitCode = 1;
  } else {
    throw err;
  }
}
