import type { Config } from '../config/schema.js';
import type { BackboneName } from '../models/registry.js';
import type { Artifact } from './artifact-store.js';
import {
  type DistillValue,
  distillArtifact,
  type RetrieveValue,
  retrieveArtifact,
  type SynthesizeValue,
  synthesizeArtifact,
  type TeacherValue,
  teacherArtifact,
} from './augment-stages.js';
import type { PipelineContext } from './context.js';
import { type TrainValue, trainStage } from './train-stages.js';

/**
 * The stages of the method as `crsaug run` chains them, shared with `crsaug experiment` so both name and
 * configure each stage identically and reuse each other's artifacts.
 */

export type Backbone = BackboneName;

export interface AugmentArtifacts {
  retrieved: Artifact<RetrieveValue>;
  teacher: Artifact<TeacherValue>;
  distilled: Artifact<DistillValue>;
  synthesized: Artifact<SynthesizeValue>;
}

/** retrieve → teacher → distill → synthesize, each reused from the store when its inputs are unchanged. */
export async function augmentStages(ctx: PipelineContext, datasetKey: string): Promise<AugmentArtifacts> {
  const retrieved = await retrieveArtifact(ctx, [datasetKey]);
  const teacher = await teacherArtifact(ctx, retrieved);
  const distilled = await distillArtifact(ctx, teacher, retrieved);
  const synthesized = await synthesizeArtifact(ctx, retrieved, teacher, distilled);
  return { retrieved, teacher, distilled, synthesized };
}

export interface SyntheticFile {
  key: string;
  file: string;
}

export function syntheticOf(synthesized: Artifact<SynthesizeValue>): SyntheticFile {
  return { key: synthesized.key, file: synthesized.value.file };
}

/*
 * The training calls below use the labels and settings `crsaug run` uses for the same models, so the
 * artifacts of a run (or of another experiment) are found and reused; a `suffix` names a variant.
 */

export function trainBaseline(
  ctx: PipelineContext,
  backbone: Backbone,
  suffix = '',
): Promise<Artifact<TrainValue>> {
  return trainStage(ctx, { backbone, mode: 'baseline', label: `baseline${suffix}` });
}

export function trainStage1(
  ctx: PipelineContext,
  backbone: Backbone,
  synthetic: SyntheticFile,
  variant: { suffix?: string; train?: Partial<Config['train']> } = {},
): Promise<Artifact<TrainValue>> {
  return trainStage(ctx, {
    backbone,
    mode: 'stage1',
    label: `stage1${variant.suffix ?? ''}`,
    synthetic,
    train: {
      epochs: ctx.config.run.stage1Epochs,
      ...variant.train,
    },
  });
}

/**
 * Stage 2 from the given stage-1 runs, with the stage-1 model as trained as both start and frozen KL
 * reference (the paper's). α defaults to the config's (`stage2`); α = 0 is `stage2-noKL`. `realItemPrior`
 * is the `stage2-prior` variant: start and reference get the real train labels' log prior as item bias.
 */
export function trainStage2(
  ctx: PipelineContext,
  backbone: Backbone,
  stage1: Artifact<TrainValue>,
  variant: { suffix?: string; alpha?: number; realItemPrior?: boolean } = {},
): Promise<Artifact<TrainValue>> {
  const alpha = variant.alpha ?? ctx.config.train.alpha;
  const name =
    alpha === ctx.config.train.alpha ? 'stage2' : alpha === 0 ? 'stage2-noKL' : `stage2-alpha${alpha}`;
  return trainStage(ctx, {
    backbone,
    mode: 'stage2',
    label: `${name}${variant.realItemPrior ? '-prior' : ''}${variant.suffix ?? ''}`,
    init: stage1,
    realItemPrior: variant.realItemPrior,
    train: { alpha },
  });
}

/** The method's comparison for a backbone: its baseline, stage 1 and stage 2 from it, as `crsaug run` trains them. */
export async function trainTwoStage(
  ctx: PipelineContext,
  backbone: Backbone,
  synthetic: SyntheticFile,
  suffix = '',
): Promise<{ baseline: Artifact<TrainValue>; stage1: Artifact<TrainValue>; stage2: Artifact<TrainValue> }> {
  const baseline = await trainBaseline(ctx, backbone, suffix);
  const stage1 = await trainStage1(ctx, backbone, synthetic, { suffix });
  const stage2 = await trainStage2(ctx, backbone, stage1, { suffix });
  return { baseline, stage1, stage2 };
}

export function trainMixed(
  ctx: PipelineContext,
  backbone: Backbone,
  synthetic: SyntheticFile,
): Promise<Artifact<TrainValue>> {
  return trainStage(ctx, {
    backbone,
    mode: 'mixed',
    label: 'mixed',
    synthetic,
  });
}
