import { z } from 'zod';
import { BACKBONE_NAMES, DEFAULT_BACKBONE } from '../models/registry.js';

/** The `run` section: what `crsaug run` trains beyond the `train` settings (seeds, label mode, … live there). */
export const RunConfigSchema = z
  .object({
    /** Backbones trained as baseline and with augmentation (two-stage). */
    backbones: z.array(z.enum(BACKBONE_NAMES)).min(1).default([DEFAULT_BACKBONE]),
    /**
     * Most stage-1 epochs (the reference trains 10 on synthetic labels); the other modes train up to
     * train.epochs (also 10), all with the same early stopping and valid selection.
     */
    stage1Epochs: z.number().int().positive().default(10),
    /**
     * With a chat model configured, the teacher judges this many train contexts (seeded random subset) …
     * (the shipped offline judgments cover 240 contexts per dataset).
     */
    teacherContexts: z.number().int().positive().default(240),
    /** … and this many of each context's candidates, evenly over retrieval-rank strata. */
    teacherPairsPerContext: z.number().int().positive().default(12),
    /** Per-context examples shown in the report. */
    examples: z.number().int().nonnegative().default(6),
  })
  .prefault({});
export type RunConfig = z.output<typeof RunConfigSchema>;
