import type { Command } from 'commander';
import { resolveConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import type { BACKBONE_NAMES } from '../config/train.js';
import { configureEngine } from '../engine/index.js';
import { positiveInt } from './eval.js';

/** The flags `crsaug run` and `crsaug experiment` share: both drive the same pipeline stages. */
export interface PipelineFlags {
  dataset?: string;
  config?: string;
  dataDir?: string;
  seeds?: number;
  backbones?: string[];
  epochs?: number;
  stage1Epochs?: number;
  threads?: number;
}

/** Adds the shared options; `--config` and `--out` stay with each command (their defaults differ). */
export function addPipelineOptions(command: Command, epochsOf: string): Command {
  return command
    .option('--data-dir <dir>', 'data root (default: CRSAUG_DATA_DIR, ../shared/data, user cache)')
    .option('--seeds <n>', 'seeds per model and mode', positiveInt)
    .option('--backbones <names...>', 'backbones to train (kbrd, text, embed-head)')
    .option('--epochs <n>', `epochs of ${epochsOf}`, positiveInt)
    .option('--stage1-epochs <n>', 'epochs of stage 1 on the synthetic labels', positiveInt)
    .option('--threads <n>', 'compute threads', positiveInt);
}

/** The run's config from the shared flags (defaults < config file < env < flags), with the engine set up. */
export function pipelineConfig(flags: PipelineFlags, configFile: string | undefined, out?: string): Config {
  const config = resolveConfig({
    configFile,
    flags: {
      dataset: flags.dataset,
      dataDir: flags.dataDir,
      threads: flags.threads,
      out,
      train: { epochs: flags.epochs },
      run: {
        seeds: flags.seeds,
        stage1Epochs: flags.stage1Epochs,
        backbones: flags.backbones as (typeof BACKBONE_NAMES)[number][] | undefined,
      },
    },
  });
  if (config.threads > 0) configureEngine({ threads: config.threads });
  return config;
}
