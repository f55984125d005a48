import { join } from 'node:path';
import type { Config } from '../config/schema.js';
import type { TrainMode } from '../config/train.js';
import { evaluateRecommender, type Metrics, splitOf } from '../eval/index.js';
import { asRecommender } from '../models/trainable.js';
import { loadModel } from '../train/checkpoint.js';
import { runTraining } from '../train/run.js';
import { BEST_CHECKPOINT } from '../train/trainer.js';
import type { Artifact } from './artifact-store.js';
import type { PipelineContext } from './context.js';

export interface SeedRun {
  seed: number;
  test: Metrics;
  valid: Metrics;
  bestEpoch: number;
  trainSeconds: number;
  /** Filtered test rank of each (context, gold) pair, -1 = miss (for paired significance tests). */
  pairRanks: number[];
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
  train?: Partial<Config['train']>;
}

/** The seeds a run trains: seed, seed+1, … (run.seeds of them). */
export function runSeeds(config: Config): number[] {
  return Array.from({ length: config.run.seeds }, (_, i) => config.seed + i);
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
  const inputs = [options.synthetic?.key, options.init?.key].filter((k): k is string => Boolean(k));
  return ctx.store.run(
    {
      stage: `train-${options.backbone}-${options.label}`,
      version: 1,
      settings: { train: { ...train, synthetic: undefined }, seeds: runSeeds(config), eval: config.eval },
      inputs,
    },
    async (dir) => {
      const runs: SeedRun[] = [];
      let samples = 0;
      for (const seed of runSeeds(config)) {
        const init = options.init ? join(options.init.dir, `seed-${seed}`, BEST_CHECKPOINT) : undefined;
        const seedConfig: Config = { ...config, seed, train: { ...train, init } };
        const result = await runTraining(seedConfig, dataset, { outDir: dir, resume: true });
        const run = result.runs[0]!;
        samples = result.output.samples as number;
        runs.push({
          seed,
          test: run.test,
          valid: run.valid,
          bestEpoch: run.bestEpoch,
          trainSeconds: run.trainSeconds,
          pairRanks: await testPairRanks(ctx, join(dir, `seed-${seed}`, BEST_CHECKPOINT)),
        });
      }
      return { model: options.backbone, mode: options.label, samples, runs };
    },
    ctx.log,
  );
}

async function testPairRanks(ctx: PipelineContext, checkpoint: string): Promise<number[]> {
  const model = await loadModel(checkpoint, ctx.dataset);
  try {
    const evaluated = evaluateRecommender(
      asRecommender(model),
      splitOf(ctx.dataset, 'test').contexts,
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
