import type { Command } from 'commander';
import type { Config } from '../config/schema.js';
import { BACKBONE_NAMES, type BackboneName } from '../models/registry.js';
import {
  type ConfigFlags,
  cacheDirOption,
  choiceOption,
  configFromFlags,
  nonNegativeInt,
  type ProviderFlags,
  positiveInt,
  providersFromFlags,
  threadsOption,
  withConfigFlags,
  withProviderFlags,
} from './flags.js';

/** The flags `crsaug run` and `crsaug experiment` share: both drive the same pipeline stages. */
export interface PipelineFlags extends ConfigFlags, ProviderFlags {
  cacheDir?: string;
  seeds?: number;
  backbones?: BackboneName[];
  epochs?: number;
  stage1Epochs?: number;
  seedWorkers?: number;
  threads?: number;
}

/** Adds the shared options; `--out` stays with each command (its default differs), and so does --config's help. */
export function addPipelineOptions(command: Command, epochsOf: string, configHelp?: string): Command {
  const common = withProviderFlags(
    cacheDirOption(threadsOption(withConfigFlags(command, configHelp)), 'provider cache, fitted embedders'),
  );
  return common
    .option('--seeds <n>', 'seeds per model and mode', positiveInt)
    .addOption(choiceOption('--backbones <names...>', 'backbones to train', BACKBONE_NAMES))
    .option('--epochs <n>', `epochs of ${epochsOf}`, positiveInt)
    .option('--stage1-epochs <n>', 'epochs of stage 1 on the synthetic labels', positiveInt)
    .option(
      '--seed-workers <n>',
      'seeds of a stage trained or simulated at once, in worker threads (0: one per engine thread; 1: one at a time); results are the same',
      nonNegativeInt,
    );
}

/** The run's config from the shared flags (defaults < config file < env < flags). */
export function pipelineConfig(flags: PipelineFlags, configFile: string | undefined, out?: string): Config {
  return configFromFlags(
    flags,
    {
      threads: flags.threads,
      cacheDir: flags.cacheDir,
      out,
      providers: providersFromFlags(flags),
      train: { epochs: flags.epochs, seeds: flags.seeds },
      run: {
        stage1Epochs: flags.stage1Epochs,
        backbones: flags.backbones,
        seedWorkers: flags.seedWorkers,
      },
    },
    configFile,
  );
}
