import { z } from 'zod';

/**
 * Settings of `augment distill` and `augment synthesize`. (They live here until src/config/augment.ts
 * carries `distill`/`synthesize` sub-objects; the CLI parses its flags through these schemas.)
 */
export const DistillConfigSchema = z
  .object({
    /** Hidden layer widths of the student MLP. */
    hidden: z.array(z.number().int().positive()).default([32, 16]),
    epochs: z.number().int().positive().default(60),
    batchSize: z.number().int().positive().default(64),
    lr: z.number().positive().default(3e-3),
    weightDecay: z.number().nonnegative().default(1e-3),
    /** Share of each teacher file's contexts held out for the agreement report (split by context, not pair). */
    heldOutShare: z.number().min(0).max(0.9).default(0.2),
  })
  .prefault({});

export const SynthesizeConfigSchema = z
  .object({
    /** A candidate becomes a synthetic label when its score is at least this (the paper: 3.5). */
    threshold: z.number().min(0).max(4).default(3.5),
    /** Candidates scored per context (the paper: the retriever's top 50). */
    topK: z.number().int().positive().default(50),
    /** Split whose contexts get synthetic labels (stage 1 trains on train). */
    split: z.enum(['train', 'valid', 'test']).default('train'),
  })
  .prefault({});

export type DistillConfig = z.output<typeof DistillConfigSchema>;
export type SynthesizeConfig = z.output<typeof SynthesizeConfigSchema>;
