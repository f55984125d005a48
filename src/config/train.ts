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
const LrField = { lr: z.number().positive() };
type WithLr<S> =
  S extends z.ZodObject<infer Shape> ? z.ZodObject<Shape & { lr: z.ZodDefault<z.ZodNumber> }> : never;
type BackboneSections = {
  [K in BackboneName as Backbones[K]['configKey']]: z.ZodPrefault<WithLr<Backbones[K]['schema']>>;
};

/**
 * One settings section per backbone, under its configKey, each with its schema's defaults and its peak
 * learning rate (AdamW), whose default is the backbone's own in the model table: the resolved config then
 * records the rate each backbone trains with, and `crsaug run` trains several backbones each at its own.
 */
function backboneSections(): BackboneSections {
  return Object.fromEntries(
    BACKBONE_NAMES.map((name) => {
      const {
        configKey,
        schema,
        learningRate: lr,
      }: { configKey: string; schema: z.ZodObject; learningRate: number } = MODELS[name];
      return [configKey, schema.extend({ lr: LrField.lr.default(lr) }).prefault({})];
    }),
  ) as unknown as BackboneSections;
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
   * How stage 1 and mixed train on synthetic labels. per-label: one CE sample per label (the reference);
   * multi-positive: one sample per context towards the uniform distribution over its labels, selected on
   * valid R@50 over per-label (docs/results.md), so contexts with 20+ synthetic labels weigh as much as one
   * with a single label. `crsaug experiment label-mode` trains both. listwise: the target distribution is
   * softmax(score / listwiseTemperature) over the file's items (stage2-soft's stage 1).
   */
  labelMode: z.enum(LABEL_MODES).default('multi-positive'),
  /** multi-positive only: weight each label by its `scores` entry instead of uniformly. */
  scoreWeighted: z.boolean().default(false),
  /**
   * listwise only: one sample per context whose target is softmax(score / listwiseTemperature) over the
   * file's items with their `scores` (the student's score distribution over the candidates); default 1.
   */
  listwiseTemperature: z.number().positive().optional(),
  /**
   * Seeds per model and mode (seed, seed+1, …), for `crsaug train` and every model `crsaug run` trains; test
   * metrics are reported as mean ± sample std (3 at least for a comparison; INSPIRED's 161 test pairs deserve 5).
   */
  seeds: z.number().int().positive().default(3),
  /**
   * Most epochs a run trains (with `patience`, it may stop earlier). The reference trains 5 for baseline and
   * stage 2 and 10 for stage 1; every mode here gets the same budget and selection rule, so no mode is
   * compared at a budget where its valid score was still rising (docs/training.md).
   */
  epochs: z.number().int().positive().default(10),
  batchSize: z.number().int().positive().default(64),
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

/** The learning rate a run trains with: its backbone section's `lr`. */
export function learningRate(train: TrainConfig): number {
  return backboneSection(train, train.model).lr;
}

/** The settings section of `backbone` in a train config (`train.<configKey>`, with its `lr`). */
export function backboneSection(train: TrainConfig, backbone: BackboneName): { lr: number } {
  return (train as unknown as Record<string, { lr: number }>)[MODELS[backbone].configKey]!;
}
