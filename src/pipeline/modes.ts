import { deepMerge } from '../config/load.js';
import type { RunMode } from '../config/run.js';
import type { Config, ConfigInput } from '../config/schema.js';
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
import { rerankArtifact } from './rerank.js';
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
  /** With threshold 'auto': each threshold tried and the mean valid selection metric of its stage 2. */
  thresholdChoice?: ThresholdChoice;
}

export interface ThresholdChoice {
  backbone: string;
  metric: string;
  chosen: number;
  tried: { threshold: number; labels: number; value: number }[];
}

/**
 * retrieve → teacher → distill → synthesize, each reused from the store when its inputs are unchanged. With
 * threshold 'auto' the synthesis is the one whose stage 2 is best on valid (chooseThreshold).
 */
export async function augmentStages(ctx: PipelineContext, datasetKey: string): Promise<AugmentArtifacts> {
  const retrieved = await retrieveArtifact(ctx, [datasetKey]);
  const teacher = await teacherArtifact(ctx, retrieved);
  const distilled = await distillArtifact(ctx, teacher, retrieved);
  if (ctx.config.augment.synthesize.threshold === 'auto') {
    const { synthesized, choice } = await chooseThreshold(ctx, retrieved, teacher, distilled);
    return { retrieved, teacher, distilled, synthesized, thresholdChoice: choice };
  }
  const synthesized = await synthesizeArtifact(ctx, retrieved, teacher, distilled);
  return { retrieved, teacher, distilled, synthesized };
}

/**
 * threshold 'auto': for each threshold of augment.synthesize.autoThresholds, the synthesis at it, stage 1
 * and the paper's stage 2 on the first backbone (the same artifacts a run at that threshold trains, so the
 * chosen one's are reused); the threshold with the best mean valid train.selectMetric of stage 2 over seeds
 * wins (ties: the higher threshold, fewer labels). Test is never read.
 */
export async function chooseThreshold(
  ctx: PipelineContext,
  retrieved: Artifact<RetrieveValue>,
  teacher: Artifact<TeacherValue>,
  distilled: Artifact<DistillValue>,
): Promise<{ synthesized: Artifact<SynthesizeValue>; choice: ThresholdChoice }> {
  const backbone = ctx.config.run.backbones[0]!;
  const metric = ctx.config.train.selectMetric;
  const tried: ThresholdChoice['tried'] = [];
  let best: { synthesized: Artifact<SynthesizeValue>; value: number; threshold: number } | undefined;
  for (const threshold of [...ctx.config.augment.synthesize.autoThresholds].sort((a, b) => b - a)) {
    const at = withSettings(ctx, { augment: { synthesize: { threshold } } });
    const synthesized = await synthesizeArtifact(at, retrieved, teacher, distilled);
    const stage1 = await trainStage1(at, backbone, syntheticOf(synthesized));
    const stage2 = await trainStage2(at, backbone, stage1);
    const runs = stage2.value.runs;
    const value = runs.reduce((s, r) => s + r.valid[metric]!, 0) / runs.length;
    tried.push({ threshold, labels: synthesized.value.labels, value });
    ctx.log(
      `threshold ${threshold}: ${synthesized.value.labels} labels, stage 2 valid ${metric} ${value.toFixed(4)}`,
    );
    if (!best || value > best.value) best = { synthesized, value, threshold };
  }
  ctx.log(`threshold auto: ${best!.threshold}`);
  return {
    synthesized: best!.synthesized,
    choice: {
      backbone,
      metric,
      chosen: best!.threshold,
      tried: tried.sort((a, b) => a.threshold - b.threshold),
    },
  };
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

/** The synthetic labels of stage2-soft: every candidate scoring at least run.soft.threshold, with its score. */
export async function softSynthetic(
  ctx: PipelineContext,
  augmented: AugmentArtifacts,
): Promise<SyntheticFile> {
  const soft = withSettings(ctx, { augment: { synthesize: { threshold: ctx.config.run.soft.threshold } } });
  const { retrieved, teacher, distilled } = augmented;
  return syntheticOf(await synthesizeArtifact(soft, retrieved, teacher, distilled));
}

/** Stage 1 trained listwise on the student's score distribution (run.soft), then the paper's stage 2 from it. */
export async function trainSoftTwoStage(
  ctx: PipelineContext,
  backbone: Backbone,
  augmented: AugmentArtifacts,
): Promise<{ stage1: Artifact<TrainValue>; stage2: Artifact<TrainValue> }> {
  const stage1 = await trainStage1(ctx, backbone, await softSynthetic(ctx, augmented), {
    suffix: '-soft',
    train: { labelMode: 'listwise', listwiseTemperature: ctx.config.run.soft.temperature },
  });
  return { stage1, stage2: await trainStage2(ctx, backbone, stage1, { suffix: '-soft' }) };
}

/** The context with some settings changed (e.g. the synthesis threshold); the store is shared. */
export function withSettings(ctx: PipelineContext, patch: ConfigInput): PipelineContext {
  return { ...ctx, config: deepMerge(ctx.config, patch) };
}

/**
 * The modes (or, for stage2-soft, the stage) each mode's recipe in trainRunModes trains first: the plan of
 * a run lists them before it (test/pipeline/run.test.ts fails on a computed stage the plan lacks).
 */
export function modePrerequisites(mode: string, config: Config): string[] {
  if (mode === 'stage2-soft') return ['stage1-soft'];
  if (mode.startsWith('stage2')) return ['stage1'];
  if (mode === 'rerank') return [config.run.rerank.base];
  return [];
}

/**
 * Trains (or reuses) the listed modes of one backbone in `crsaug run`'s order, each mode's prerequisites first
 * (stage 1 before the stage-2 modes), and returns the listed ones in the order given.
 */
export async function trainRunModes(
  ctx: PipelineContext,
  backbone: Backbone,
  augmented: AugmentArtifacts,
  modes: readonly RunMode[],
): Promise<Partial<Record<RunMode, Artifact<TrainValue>>>> {
  const synthetic = syntheticOf(augmented.synthesized);
  const done = new Map<RunMode, Promise<Artifact<TrainValue>>>();
  const once = (mode: RunMode, train: () => Promise<Artifact<TrainValue>>) => {
    let trained = done.get(mode);
    if (!trained) {
      trained = train();
      done.set(mode, trained);
    }
    return trained;
  };
  const soft = () =>
    once('stage2-soft', async () => (await trainSoftTwoStage(ctx, backbone, augmented)).stage2);
  const recipes: Record<RunMode, () => Promise<Artifact<TrainValue>>> = {
    baseline: () => once('baseline', () => trainBaseline(ctx, backbone)),
    stage1: () => once('stage1', () => trainStage1(ctx, backbone, synthetic)),
    stage2: () => once('stage2', async () => trainStage2(ctx, backbone, await recipes.stage1())),
    'stage2-prior': () =>
      once('stage2-prior', async () =>
        trainStage2(ctx, backbone, await recipes.stage1(), { realItemPrior: true }),
      ),
    'stage2-noKL': () =>
      once('stage2-noKL', async () => trainStage2(ctx, backbone, await recipes.stage1(), { alpha: 0 })),
    mixed: () => once('mixed', () => trainMixed(ctx, backbone, synthetic)),
    'stage2-soft': soft,
    rerank: () =>
      once('rerank', async () =>
        rerankArtifact(
          ctx,
          backbone,
          await recipes[ctx.config.run.rerank.base](),
          augmented.retrieved,
          augmented.distilled,
        ),
      ),
  };
  const trained: Partial<Record<RunMode, Artifact<TrainValue>>> = {};
  // Sequentially, in the listed order: the machine's cores go to one training at a time.
  for (const mode of modes) trained[mode] = await recipes[mode]();
  return trained;
}
