import { join } from 'node:path';
import type { Config } from '../config/schema.js';
import type { Dataset, SplitName } from '../data/types.js';
import { evaluateRecommender, type Metrics, splitOf } from '../eval/index.js';
import { asRecommender } from '../models/trainable.js';
import { loadModel, saveModel } from '../train/checkpoint.js';
import { runTraining } from '../train/run.js';
import { realSamples } from '../train/samples.js';
import { BEST_CHECKPOINT, logLabelPrior } from '../train/trainer.js';

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

/**
 * One seed of a training stage, as the main thread or a seed worker (seed-pool.ts) runs it: the seed's config
 * (its seed and the stage's train settings), the stage's folder and the stage-1 checkpoint it starts from.
 */
export interface SeedTask {
  config: Config;
  dir: string;
  /** The stage-1 checkpoint of the same seed (stage 2). */
  init?: string;
  /** Start from `init` with its item bias replaced by the real train labels' log prior (stage2-prior). */
  realItemPrior: boolean;
  verbose: boolean;
}

export interface SeedOutcome {
  run: SeedRun;
  samples: number;
}

/** Trains one seed (resuming from its last epoch checkpoint) and ranks the test pairs with its selected model. */
export async function trainOneSeed(dataset: Dataset, task: SeedTask): Promise<SeedOutcome> {
  const { config, dir } = task;
  const seed = config.seed;
  const init =
    task.init && task.realItemPrior
      ? await withRealItemPrior(dataset, task.init, join(dir, `seed-${seed}`, INIT_CHECKPOINT))
      : task.init;
  const result = await runTraining({ ...config, train: { ...config.train, init } }, dataset, {
    outDir: dir,
    resume: true,
    silent: !task.verbose,
  });
  const run = result.runs[0]!;
  return {
    samples: result.output.samples as number,
    run: {
      seed,
      test: run.test,
      valid: run.valid,
      bestEpoch: run.bestEpoch,
      epochs: run.history.length,
      trainSeconds: run.trainSeconds,
      pairRanks: await pairRanksOn({ config, dataset }, join(dir, `seed-${seed}`, BEST_CHECKPOINT), 'test'),
    },
  };
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

/** Filtered rank of each (context, gold) pair of a split under a checkpoint, -1 = miss. */
export async function pairRanksOn(
  ctx: { config: Config; dataset: Dataset },
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
