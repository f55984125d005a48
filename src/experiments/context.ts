import { join, resolve } from 'node:path';
import { deepMerge } from '../config/load.js';
import type { Config, ConfigInput } from '../config/schema.js';
import type { BACKBONE_NAMES } from '../config/train.js';
import { loadDataset, splitStats } from '../data/index.js';
import { SPLIT_NAMES, type SplitName } from '../data/types.js';
import { type Artifact, ArtifactStore } from '../pipeline/artifact-store.js';
import {
  type DistillValue,
  distillStage,
  type RetrieveValue,
  retrieveStage,
  type SynthesizeValue,
  synthesizeStage,
  type TeacherValue,
  teacherStage,
} from '../pipeline/augment-stages.js';
import type { PipelineContext } from '../pipeline/context.js';
import { type TrainValue, trainStage } from '../pipeline/train-stages.js';

export type Backbone = (typeof BACKBONE_NAMES)[number];

/** What every experiment runs on: the pipeline context (shared artifact store) plus its own sweep settings. */
export interface ExperimentEnv {
  ctx: PipelineContext;
  /** The input key of the retrieve stage, exactly as `crsaug run` forms it (so a run's artifacts are reused). */
  datasetKey: string;
  stats: Partial<Record<SplitName, ReturnType<typeof splitStats>>>;
  backbones: Backbone[];
  /** Sweep points given on the command line; each experiment has its own defaults. */
  values?: number[];
}

/**
 * Loads the dataset and opens the artifact store under `<storeDir>/artifacts`: the experiment's own out
 * folder, or a `crsaug run` folder whose retrieval, teacher, distillation and trained models are then reused.
 */
export async function openExperimentEnv(
  config: Config,
  storeDir: string,
  log: (line: string) => void,
  values?: number[],
): Promise<ExperimentEnv> {
  const dataset = await loadDataset(config.dataset, { dataDir: config.dataDir, cacheDir: config.cacheDir });
  const stats: ExperimentEnv['stats'] = {};
  for (const split of SPLIT_NAMES) if (dataset.splits[split]) stats[split] = splitStats(dataset, split);
  return {
    ctx: { config, dataset, store: new ArtifactStore(join(resolve(storeDir), 'artifacts')), log },
    datasetKey: `dataset-${dataset.name}-${JSON.stringify(Object.values(stats).map((s) => s!.pairs))}`,
    stats,
    backbones: config.run.backbones,
    values,
  };
}

/** The context with some settings changed (e.g. the synthesis threshold); the store is shared. */
export function withSettings(ctx: PipelineContext, patch: ConfigInput): PipelineContext {
  return { ...ctx, config: deepMerge(ctx.config, patch) };
}

export interface AugmentArtifacts {
  retrieved: Artifact<RetrieveValue>;
  teacher: Artifact<TeacherValue>;
  distilled: Artifact<DistillValue>;
  synthesized: Artifact<SynthesizeValue>;
}

/** retrieve → teacher → distill → synthesize, each reused from the store when its inputs are unchanged. */
export async function augment(env: ExperimentEnv, ctx: PipelineContext = env.ctx): Promise<AugmentArtifacts> {
  const retrieved = await retrieveStage(ctx, [env.datasetKey]);
  const teacher = await teacherStage(ctx, retrieved);
  const distilled = await distillStage(ctx, teacher, retrieved);
  const synthesized = await synthesizeStage(ctx, retrieved, teacher, distilled);
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
      labelMode: ctx.config.run.syntheticLabelMode,
      ...variant.train,
    },
  });
}

/** Stage 2 from the given stage-1 runs; α defaults to the config's (the run's `stage2`), 0 is `stage2-noKL`. */
export function trainStage2(
  ctx: PipelineContext,
  backbone: Backbone,
  stage1: Artifact<TrainValue>,
  variant: { suffix?: string; alpha?: number } = {},
): Promise<Artifact<TrainValue>> {
  const alpha = variant.alpha ?? ctx.config.train.alpha;
  const name =
    alpha === ctx.config.train.alpha ? 'stage2' : alpha === 0 ? 'stage2-noKL' : `stage2-alpha${alpha}`;
  return trainStage(ctx, {
    backbone,
    mode: 'stage2',
    label: `${name}${variant.suffix ?? ''}`,
    init: stage1,
    realItemPrior: ctx.config.run.stage2RealItemPrior,
    train: { alpha },
  });
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
    train: { labelMode: ctx.config.run.syntheticLabelMode },
  });
}
