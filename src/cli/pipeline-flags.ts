import type { Command } from 'commander';
import type { Config } from '../config/schema.js';
import type { BACKBONE_NAMES } from '../config/train.js';
import { configureEngine } from '../engine/index.js';
import { type ConfigFlags, configFromFlags, positiveInt, threadsOption, withConfigFlags } from './flags.js';

/** The flags `crsaug run` and `crsaug experiment` share: both drive the same pipeline stages. */
export interface PipelineFlags extends ConfigFlags {
  seeds?: number;
  backbones?: string[];
  epochs?: number;
  stage1Epochs?: number;
  threads?: number;
}

/** Adds the shared options; `--out` stays with each command (its default differs), and so does --config's help. */
export function addPipelineOptions(command: Command, epochsOf: string, configHelp?: string): Command {
  return threadsOption(withConfigFlags(command, configHelp))
    .option('--seeds <n>', 'seeds per model and mode', positiveInt)
    .option('--backbones <names...>', 'backbones to train (kbrd, text, embed-head)')
    .option('--epochs <n>', `epochs of ${epochsOf}`, positiveInt)
    .option('--stage1-epochs <n>', 'epochs of stage 1 on the synthetic labels', positiveInt);
}

/** The run's config from the shared flags (defaults < config file < env < flags), with the engine set up. */
export function pipelineConfig(flags: PipelineFlags, configFile: string | undefined, out?: string): Config {
  const config = configFromFlags(
    flags,
    {
      threads: flags.threads,
      out,
      train: { epochs: flags.epochs },
      run: {
        seeds: flags.seeds,
        stage1Epochs: flags.stage1Epochs,
        backbones: flags.backbones as (typeof BACKBONE_NAMES)[number][] | undefined,
      },
    },
    configFile,
  );
  if (config.threads > 0) configureEngine({ threads: config.threads });
  return config;
}
