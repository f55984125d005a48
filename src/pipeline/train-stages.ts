import { join } from 'node:path';
import { protocolSettings } from '../config/evaluation.js';
import type { Config } from '../config/schema.js';
import type { TrainMode } from '../config/train.js';
import type { Dataset, SplitName } from '../data/types.js';
import { evaluateRecommender, type Metrics, splitOf } from '../eval/index.js';
import { asRecommender } from '../models/trainable.js';
import { loadModel, saveModel } from '../train/checkpoint.js';
import { runTraining } from '../train/run.js';
import { realSamples } from '../train/samples.js';
import { BEST_CHECKPOINT, logLabelPrior } from '../train/trainer.js';
import type { Artifact } from './artifact-store.js';
import { datasetKeyOf, type PipelineContext } from './context.js';

export interface SeedRun {
  seed: number;
  test: Metrics;
  valid: Metrics;
  bestEpoch: number;
  /** Epochs trained: the budget (train.epochs), or fewer when early stopping ended the run. */
  epochs: number;
  trainSeconds: number;
  /** Filtered test rank of each (context, gold) pair, -1 = miss (for paired significance tests). */
  pairRanks: number[];
  /** The same on valid, when the mode has no checkpoint to evaluate later (rerank). */
  validPairRanks?: number[];
}

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
      const runs: SeedRun[] = [];
      let samples = 0;
      for (const seed of runSeeds(config)) {
        const stage1 = options.init ? bestCheckpointOf(options.init, seed) : undefined;
        const init =
          stage1 && options.realItemPrior
            ? await withRealItemPrior(dataset, stage1, join(dir, `seed-${seed}`, INIT_CHECKPOINT))
            : stage1;
        const seedConfig: Config = { ...config, seed, train: { ...train, init } };
        const result = await runTraining(seedConfig, dataset, {
          outDir: dir,
          resume: true,
          silent: !ctx.verbose,
        });
        const run = result.runs[0]!;
        samples = result.output.samples as number;
        runs.push({
          seed,
          test: run.test,
          valid: run.valid,
          bestEpoch: run.bestEpoch,
          epochs: run.history.length,
          trainSeconds: run.trainSeconds,
          pairRanks: await pairRanksOn(ctx, join(dir, `seed-${seed}`, BEST_CHECKPOINT), 'test'),
        });
      }
      return { model: options.backbone, mode: options.label, samples, runs };
    },
    ctx.log,
  );
}

/** Where a stage writes the checkpoint it starts from when it rewrites the item bias of its init. */
export const INIT_CHECKPOINT = 'init';

/** Copies a checkpoint into `outDir` with its item bias set to the log prior of the real train labels. */
export async function withRealItemPrior(
  dataset: Dataset,
  checkpoint: string,
  outDir: string,
): Promise<string> {
  const model = await loadModel(checkpoint, dataset);
  try {
    const samples = realSamples(splitOf(dataset, 'train').contexts);
    model.setItemBias(logLabelPrior(samples, dataset.catalog.itemEntity.length));
    await saveModel(outDir, model, dataset);
    return outDir;
  } finally {
    model.module.free();
  }
}

/** The selected checkpoint of one seed of a trained stage. */
export function bestCheckpointOf(trained: Artifact<TrainValue>, seed: number): string {
  return join(trained.dir, `seed-${seed}`, BEST_CHECKPOINT);
}

/** Filtered rank of each (context, gold) pair of a split under a checkpoint, -1 = miss. */
export async function pairRanksOn(
  ctx: PipelineContext,
  checkpoint: string,
  split: SplitName,
): Promise<number[]> {
  const model = await loadModel(checkpoint, ctx.dataset);
  try {
    const evaluated = evaluateRecommender(
      asRecommender(model),
      splitOf(ctx.dataset, split).contexts,
      ctx.dataset.catalog,
      {
        ks: ctx.config.eval.ks,
        topK: ctx.config.eval.topK,
        silent: true,
      },
    );
    return [...evaluated.result.filtered.ranks];
  } finally {
    model.module.free();
  }
}
