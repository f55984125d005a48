import { z } from 'zod';

/**
 * The `train` config section: the trainer's settings and one schema per backbone, each with documented
 * defaults (docs/training.md lists them). Defaults are CPU-sized; the reference values are noted where
 * they differ.
 */

/** KBRD-style recommender: R-GCN entity encoder + self-attention pooling + dot-product item scores. */
export const KbrdConfigSchema = z.object({
  /** Entity embedding width (the reference UniCRS R-GCN uses 384; 64 trains in seconds on INSPIRED). */
  dim: z.number().int().positive().default(64),
  /** Bases of the R-GCN basis decomposition (reference: 8). */
  bases: z.number().int().positive().default(8),
  /** Hidden width of the self-attention pooling scorer. */
  attentionDim: z.number().int().positive().default(64),
  /** Most recent context entities kept (UniCRS keeps the last 43). */
  maxEntities: z.number().int().positive().default(32),
});
export type KbrdConfig = z.output<typeof KbrdConfigSchema>;

/**
 * Text + entities (a CPU-sized stand-in for BARCOR/UniCRS): a learned word tokenizer with hashed trigram
 * fallback, token + position (counted from the most recent token) + speaker-role embeddings, LayerNorm and
 * attention pooling → text vector; fused by a linear layer with the KBRD user vector; items scored like KBRD.
 */
export const TextConfigSchema = KbrdConfigSchema.extend({
  /** Most recent dialogue tokens kept (the reference keeps the last 256 INSPIRED / 160-200 ReDial LM tokens). */
  maxTokens: z.number().int().positive().default(128),
  /** Words in the vocabulary (the most frequent in the train split). */
  vocabularySize: z.number().int().positive().default(5000),
  /** Minimum train-split count of a vocabulary word. */
  minCount: z.number().int().positive().default(2),
  /** Hashed character-trigram ids for words outside the vocabulary (0: such words are dropped). */
  fallbackBuckets: z.number().int().nonnegative().default(1024),
  /** The vocabulary itself: learned from the train split when absent; checkpoints store it. */
  vocabulary: z.array(z.string()).optional(),
});
export type TextConfig = z.output<typeof TextConfigSchema>;

/** MLP over frozen context embeddings read from files (see docs/training.md for the format). */
export const EmbedHeadConfigSchema = z.object({
  /** Folder with `<split>.contexts.{f32,json}` (the `crsaug augment retrieve` output); required for this backbone. */
  embeddings: z.string().optional(),
  /** Hidden width of the MLP; 0 means a single linear layer. */
  hidden: z.number().int().nonnegative().default(256),
});
export type EmbedHeadConfig = z.output<typeof EmbedHeadConfigSchema>;

export const BACKBONE_NAMES = ['kbrd', 'text', 'embed-head'] as const;
export const TRAIN_MODES = ['baseline', 'stage1', 'stage2', 'mixed'] as const;
export type TrainMode = (typeof TRAIN_MODES)[number];
export const LABEL_MODES = ['per-label', 'multi-positive'] as const;
export type LabelMode = (typeof LABEL_MODES)[number];

/**
 * Peak learning rate of each backbone when `train.lr` is unset, chosen on valid Recall@50 (docs/training.md):
 * the embed-head's MLP over fixed embeddings under-trains at the encoders' 1e-3 in 5 epochs.
 */
export const BACKBONE_LEARNING_RATES: Record<(typeof BACKBONE_NAMES)[number], number> = {
  kbrd: 1e-3,
  text: 1e-3,
  'embed-head': 1e-2,
};

export const TrainConfigSchema = z.object({
  /** Backbone name (kbrd, text, embed-head). */
  model: z.enum(BACKBONE_NAMES).default('kbrd'),
  /**
   * baseline: CE on the real train pairs; stage1: CE on a synthetic label file; stage2: CE on real pairs
   * + α·KL(p_ref ‖ p) to a frozen copy of the --init model; mixed: synthetic and real pairs in one stage.
   */
  mode: z.enum(TRAIN_MODES).default('baseline'),
  /** Synthetic dataset (processed JSONL: `rec` = synthetic item names, optional `scores` aligned with rec). */
  synthetic: z.string().optional(),
  /** Checkpoint folder to start from (stage2 requires it: the stage-1 `best/` folder). */
  init: z.string().optional(),
  /** per-label: one CE sample per label (the reference); multi-positive: one sample per context with a target distribution over its labels. */
  labelMode: z.enum(LABEL_MODES).default('per-label'),
  /** multi-positive only: weight each label by its `scores` entry instead of uniformly. */
  scoreWeighted: z.boolean().default(false),
  /** Seeds per run (seed, seed+1, …); test metrics are reported as mean ± sample std. */
  seeds: z.number().int().positive().default(1),
  /**
   * Most epochs a run trains (with `patience`, it may stop earlier). The reference trains 5 for baseline and
   * stage 2 and 10 for stage 1; every mode here gets the same budget and selection rule, so no mode is
   * compared at a budget where its valid score was still rising (docs/training.md).
   */
  epochs: z.number().int().positive().default(10),
  batchSize: z.number().int().positive().default(64),
  /** Peak learning rate (AdamW); when unset, the backbone's own (BACKBONE_LEARNING_RATES). */
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
  kbrd: KbrdConfigSchema.prefault({}),
  text: TextConfigSchema.prefault({}),
  embedHead: EmbedHeadConfigSchema.prefault({}),
});
export type TrainConfig = z.output<typeof TrainConfigSchema>;
export type TrainConfigInput = z.input<typeof TrainConfigSchema>;

/** The learning rate a run trains with: `train.lr`, else its backbone's. */
export function learningRate(train: Pick<TrainConfig, 'lr' | 'model'>): number {
  return train.lr ?? BACKBONE_LEARNING_RATES[train.model];
}
