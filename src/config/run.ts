import { z } from 'zod';
import { BACKBONE_NAMES, DEFAULT_BACKBONE } from '../models/registry.js';

/**
 * The modes `crsaug run` can train and report beside the baseline, each with what it is. `stage2` is the
 * paper's; the others are ablations and our variants (docs/training.md, docs/results.md).
 */
export const RUN_MODES = {
  baseline: 'the backbone on the real train labels (what every other mode is compared with)',
  stage1: 'stage 1 alone: the backbone on the synthetic labels',
  stage2:
    "the paper's stage 2: from stage 1 as trained, CE on the real labels + α·KL to the frozen stage-1 model",
  'stage2-prior': "stage 2 whose start and KL reference get the real labels' log prior as item bias",
  'stage2-noKL': 'stage 2 with α = 0 (fine-tuning from stage 1 only)',
  mixed: 'synthetic and real labels in one stage (our ablation)',
  'stage2-soft':
    "stage 2 (the paper's) from a stage 1 trained listwise on the student's score distribution over the candidates (run.soft)",
  rerank:
    "the top 100 of run.rerank.base (the baseline) re-ranked at inference by its score fused with the student's (run.rerank)",
} as const;
export type RunMode = keyof typeof RUN_MODES;
export const RUN_MODE_NAMES = Object.keys(RUN_MODES) as RunMode[];
/** What `crsaug run` trains when run.modes is not set. */
export const DEFAULT_RUN_MODES: RunMode[] = [
  'baseline',
  'stage1',
  'stage2',
  'stage2-prior',
  'stage2-noKL',
  'mixed',
  'rerank',
];

/** The `run` section: what `crsaug run` trains beyond the `train` settings (seeds, label mode, … live there). */
export const RunConfigSchema = z
  .object({
    /** Backbones trained as baseline and with augmentation (two-stage). */
    backbones: z.array(z.enum(BACKBONE_NAMES)).min(1).default([DEFAULT_BACKBONE]),
    /**
     * The modes trained and reported, in this order (the baseline always: every mode is compared with it);
     * a mode's prerequisites (stage 1 for the stage-2 modes) are trained too but reported only when listed.
     */
    modes: z
      .array(z.enum(RUN_MODE_NAMES as [RunMode, ...RunMode[]]))
      .min(1)
      .default(DEFAULT_RUN_MODES)
      .refine((modes) => modes.includes('baseline'), {
        message: 'must include "baseline": every mode is compared with it',
      })
      .refine((modes) => new Set(modes).size === modes.length, { message: 'lists a mode twice' }),
    /** stage2-soft: the stage-1 targets. */
    soft: z
      .object({
        /** Candidates scored at least this enter the target distribution (0 = every candidate). */
        threshold: z.number().min(0).max(4).default(0),
        /** Target ∝ exp(score / temperature) over a context's candidates. */
        temperature: z.number().positive().default(0.5),
      })
      .prefault({}),
    /** rerank: the base model's top `candidates` re-ranked by z(base score) + weight · student score. */
    rerank: z
      .object({
        /** The trained mode whose lists are re-ranked (the baseline: the student's effect alone). */
        base: z.enum(['baseline', 'stage2', 'stage2-prior', 'stage2-soft']).default('baseline'),
        /** Fusion weights tried; the one with the best mean valid train.selectMetric over seeds is kept. */
        weights: z
          .array(z.number().nonnegative())
          .min(1)
          .default([0, 0.1, 0.2, 0.35, 0.5, 0.75, 1, 1.5, 2, 3]),
        /** List length re-ranked (the protocol's top 100). */
        candidates: z.number().int().positive().default(100),
      })
      .prefault({}),
    /**
     * Seeds of a stage trained (or talked to by the attribute simulator) at once, each in a worker thread on a
     * one-thread engine; 0 = one per engine thread (threads, else one per core); 1 = one at a time on the main
     * thread's engine, each kernel split over its threads. Every seed's result is the same either way.
     */
    seedWorkers: z.number().int().nonnegative().default(0),
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
