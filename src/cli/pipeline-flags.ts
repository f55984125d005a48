import type { Command } from 'commander';
import type { Config } from '../config/schema.js';
import { BACKBONE_NAMES, type BackboneName } from '../models/registry.js';
import {
  type ConfigFlags,
  choiceOption,
  configFromFlags,
  positiveInt,
  threadsOption,
  withConfigFlags,
} from './flags.js';

/** The flags `crsaug run` and `crsaug experiment` share: both drive the same pipeline stages. */
export interface PipelineFlags extends ConfigFlags {
  seeds?: number;
  backbones?: BackboneName[];
  epochs?: number;
  stage1Epochs?: number;
  threads?: number;
}

/** Adds the shared options; `--out` stays with each command (its default differs), and so does --config's help. */
export function addPipelineOptions(command: Command, epochsOf: string, configHelp?: string): Command {
  return threadsOption(withConfigFlags(command, configHelp))
    .option('--seeds <n>', 'seeds per model and mode', positiveInt)
    .addOption(choiceOption('--backbones <names...>', 'backbones to train', BACKBONE_NAMES))
    .option('--epochs <n>', `epochs of ${epochsOf}`, positiveInt)
    .option('--stage1-epochs <n>', 'epochs of stage 1 on the synthetic labels', positiveInt);
}

/** The run's config from the shared flags (defaults < config file < env < flags). */
export function pipelineConfig(flags: PipelineFlags, configFile: string | undefined, out?: string): Config {
  return configFromFlags(
    flags,
    {
      threads: flags.threads,
      out,
      train: { epochs: flags.epochs },
      run: {
        seeds: flags.seeds,
        stage1Epochs: flags.stage1Epochs,
        backbones: flags.backbones,
      },
    },
    configFile,
  );
}
