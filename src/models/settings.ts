import { z } from 'zod';

/**
 * The settings of each trainable backbone (config `train.<configKey>`, see the model table in registry.ts),
 * with documented defaults (docs/training.md lists them). Defaults are CPU-sized; the reference values are
 * noted where they differ.
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
