import { join } from 'node:path';
import { protocolSettings } from '../config/evaluation.js';
import type { Config } from '../config/schema.js';
import type { TrainMode } from '../config/train.js';
import { BEST_CHECKPOINT } from '../train/trainer.js';
import type { Artifact } from './artifact-store.js';
import { datasetKeyOf, type PipelineContext } from './context.js';
import { inlineSeedRunner } from './seed-pool.js';
import type { SeedRun } from './seed-task.js';

export interface TrainValue {
  model: string;
  mode: string;
  samples: number;
  runs: SeedRun[];
}

export interface TrainStageOptions {
  backbone: Config['train']['model'];
  mode: TrainMode;
  /** The name the results use (e.g. 'stage2-noKL' for stage 2 with α = 0). */
  label: string;
  /** Synthetic label file (stage1, mixed). */
  synthetic?: { key: string; file: string };
  /** Stage-1 runs to start from, seed by seed (stage2). */
  init?: Artifact<TrainValue>;
  /**
   * Start from the init checkpoint with its item bias replaced by the log label prior of the real train
   * labels (what the baseline starts from). Stage 1 learns the synthetic labels' prior (long-tail items);
   * stage 2 otherwise spends its epochs unlearning it. The frozen KL reference is this same checkpoint.
   */
  realItemPrior?: boolean;
  train?: Partial<Config['train']>;
}

/** The seeds a run trains: seed, seed+1, … (train.seeds of them). */
export function runSeeds(config: Config): number[] {
  return Array.from({ length: config.train.seeds }, (_, i) => config.seed + i);
}

/**
 * Trains one backbone in one mode for every seed (stage 2 seed s starts from stage-1 seed s) and records
 * the test pair ranks of each seed's selected model. A killed stage resumes from its last epoch checkpoint.
 */
export function trainStage(ctx: PipelineContext, options: TrainStageOptions): Promise<Artifact<TrainValue>> {
  const { config, dataset } = ctx;
  const train = {
    ...config.train,
    ...options.train,
    model: options.backbone,
    mode: options.mode,
    seeds: 1,
    synthetic: options.synthetic?.file,
  };
  // The dataset is an input even where nothing else is (the baseline): its key must not match another dataset's.
  const inputs = [datasetKeyOf(dataset), options.synthetic?.key, options.init?.key].filter((k): k is string =>
    Boolean(k),
  );
  return ctx.store.run(
    {
      stage: `train-${options.backbone}-${options.label}`,
      version: 1,
      settings: {
        train: { ...train, synthetic: undefined },
        seeds: runSeeds(config),
        eval: protocolSettings(config.eval),
        ...(options.realItemPrior ? { realItemPrior: true } : {}),
      },
      inputs,
    },
    async (dir) => {
      const seeds = ctx.seeds ?? inlineSeedRunner(dataset);
      const outcomes = await Promise.all(
        runSeeds(config).map((seed) =>
          seeds.train({
            config: { ...config, seed, train: { ...train, init: undefined } },
            dir,
            ...(options.init ? { init: bestCheckpointOf(options.init, seed) } : {}),
            realItemPrior: options.realItemPrior ?? false,
            verbose: ctx.verbose ?? false,
          }),
        ),
      );
      return {
        model: options.backbone,
        mode: options.label,
        samples: outcomes.at(-1)?.samples ?? 0,
        runs: outcomes.map((o) => o.run),
      };
    },
    ctx.log,
  );
}

/** The selected checkpoint of one seed of a trained stage. */
export function bestCheckpointOf(trained: Artifact<TrainValue>, seed: number): string {
  return join(trained.dir, `seed-${seed}`, BEST_CHECKPOINT);
}
