import { z } from 'zod';
import { BACKBONE_NAMES, type BackboneName, DEFAULT_BACKBONE, MODELS } from '../models/registry.js';

/**
 * The `train` config section: the trainer's settings and one section per backbone (its schema from the model
 * table in src/models/registry.ts), each with documented defaults (docs/training.md lists them). Defaults are
 * CPU-sized; the reference values are noted where they differ.
 */

export { BACKBONE_NAMES };
export const TRAIN_MODES = ['baseline', 'stage1', 'stage2', 'mixed'] as const;
export type TrainMode = (typeof TRAIN_MODES)[number];
export const LABEL_MODES = ['per-label', 'multi-positive', 'listwise'] as const;
export type LabelMode = (typeof LABEL_MODES)[number];

type Backbones = typeof MODELS;
type BackboneSections = {
  [K in BackboneName as Backbones[K]['configKey']]: z.ZodPrefault<Backbones[K]['schema']>;
};

/** One settings section per backbone, under its configKey, each with its schema's defaults. */
function backboneSections(): BackboneSections {
  return Object.fromEntries(
    BACKBONE_NAMES.map((name) => {
      const { configKey, schema }: { configKey: string; schema: z.ZodObject } = MODELS[name];
      return [configKey, schema.prefault({})];
    }),
  ) as BackboneSections;
}

export const TrainConfigSchema = z.object({
  /** Backbone name (a backbone of the model table). */
  model: z.enum(BACKBONE_NAMES).default(DEFAULT_BACKBONE),
  /**
   * baseline: CE on the real train pairs; stage1: CE on a synthetic label file; stage2: CE on real pairs
   * + α·KL(p_ref ‖ p) to a frozen copy of the --init model; mixed: synthetic and real pairs in one stage.
   */
  mode: z.enum(TRAIN_MODES).default('baseline'),
  /** Synthetic dataset (processed JSONL: `rec` = synthetic item names, optional `scores` aligned with rec). */
  synthetic: z.string().optional(),
  /** Checkpoint folder to start from (stage2 requires it: the stage-1 `best/` folder). */
  init: z.string().optional(),
  /**
   * per-label: one CE sample per label (the reference); multi-positive: one sample per context with a target
   * distribution over its labels; listwise: that distribution is softmax(score / listwiseTemperature).
   */
  labelMode: z.enum(LABEL_MODES).default('per-label'),
  /** multi-positive only: weight each label by its `scores` entry instead of uniformly. */
  scoreWeighted: z.boolean().default(false),
  /**
   * listwise only: one sample per context whose target is softmax(score / listwiseTemperature) over the
   * file's items with their `scores` (the student's score distribution over the candidates); default 1.
   */
  listwiseTemperature: z.number().positive().optional(),
  /** Seeds per run (seed, seed+1, …); test metrics are reported as mean ± sample std. */
  seeds: z.number().int().positive().default(1),
  /**
   * Most epochs a run trains (with `patience`, it may stop earlier). The reference trains 5 for baseline and
   * stage 2 and 10 for stage 1; every mode here gets the same budget and selection rule, so no mode is
   * compared at a budget where its valid score was still rising (docs/training.md).
   */
  epochs: z.number().int().positive().default(10),
  batchSize: z.number().int().positive().default(64),
  /** Peak learning rate (AdamW); when unset, the backbone's own (its learningRate in the model table). */
  lr: z.number().positive().optional(),
  /** Decoupled weight decay, not applied to biases (reference: 0.01). */
  weightDecay: z.number().nonnegative().default(0.01),
  /** Linear warm-up steps; -1 means one epoch of steps, as the reference scripts do. Then linear decay to 0. */
  warmupSteps: z.number().int().min(-1).default(-1),
  /** Global gradient-norm clip (reference Llama2: 1.0); 0 disables it. */
  clipNorm: z.number().nonnegative().default(1),
  /** stage2: weight α of the KL term. */
  alpha: z.number().nonnegative().default(0.5),
  /** stage2: temperature τ of both distributions in the KL term (reference: 1). */
  temperature: z.number().positive().default(1),
  /** stage2: multiply the KL term by τ² as Hinton et al. (2015) do; the paper: τ = 1 and no factor. */
  temperatureSquared: z.boolean().default(false),
  /**
   * Start the item bias at the log label prior of the training samples, log((n_i + 1) / (N + items)), so a
   * fresh model begins at popularity ranking and learns the context-dependent part (not used with --init).
   */
  itemPrior: z.boolean().default(true),
  /**
   * Early stopping: end training after this many epochs without a better valid score (the selected epoch
   * stays the best one); 0 trains every epoch. `epochs` is then the most a run may train.
   */
  patience: z.number().int().nonnegative().default(3),
  /** Valid metric that selects the best epoch (reference protocol, filtered). */
  selectMetric: z.string().default('recall@50'),
  /** Contexts per scoring call during evaluation. */
  evalBatchSize: z.number().int().positive().default(256),
  ...backboneSections(),
});
export type TrainConfig = z.output<typeof TrainConfigSchema>;
export type TrainConfigInput = z.input<typeof TrainConfigSchema>;

/** The learning rate a run trains with: `train.lr`, else its backbone's. */
export function learningRate(train: Pick<TrainConfig, 'lr' | 'model'>): number {
  return train.lr ?? MODELS[train.model].learningRate;
}
