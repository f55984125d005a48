import { basename, join } from 'node:path';
import { candidatesFile } from '../augment/artifacts.js';
import {
  type DistillStageSummary,
  distillStage,
  hasChatModel,
  type RetrieveStageSummary,
  retrieveStage,
  type SynthesizeStageSummary,
  synthesizeStage,
  type TeacherStageSummary,
  teacherScoreConfig,
  teacherStage,
} from '../augment/stages/index.js';
import { datasetTeacherFiles } from '../augment/teacher-set.js';
import { SPLIT_NAMES } from '../data/types.js';
import type { Artifact } from './artifact-store.js';
import type { PipelineContext } from './context.js';

/*
 * The augment stages of `crsaug run`: each calls its stage recipe (src/augment/stages) inside an artifact
 * whose key is formed from the settings the recipe reads and the keys of the artifacts it reads.
 */

export type RetrieveValue = RetrieveStageSummary;
export type TeacherValue = TeacherStageSummary;
export type DistillValue = DistillStageSummary;
export type SynthesizeValue = SynthesizeStageSummary;

/** A recipe's progress lines and notes, shown when the run is verbose (else the run prints one line per stage). */
export function recipeOutput(ctx: PipelineContext): { silent: boolean; log?: (line: string) => void } {
  return ctx.verbose ? { silent: false, log: ctx.log } : { silent: true };
}

/** Candidates (top-K by inner product) and context embeddings for every split. */
export function retrieveArtifact(ctx: PipelineContext, inputs: string[]): Promise<Artifact<RetrieveValue>> {
  const { config, dataset } = ctx;
  return ctx.store.run(
    {
      stage: 'retrieve',
      version: 1,
      settings: {
        retrieve: config.augment.retrieve,
        embedding: config.providers.embedding,
        seed: config.seed,
      },
      inputs,
    },
    (dir) => retrieveStage(config, { dataset, splits: [...SPLIT_NAMES], outDir: dir, ...recipeOutput(ctx) }),
    ctx.log,
  );
}

/** The teacher's judgments: a sample judged by the configured chat model, else the shipped ones. */
export function teacherArtifact(
  ctx: PipelineContext,
  retrieved: Artifact<RetrieveValue>,
): Promise<Artifact<TeacherValue>> {
  const { config, dataset } = ctx;
  return ctx.store.run(
    {
      stage: 'teacher',
      version: 1,
      settings: hasChatModel(config)
        ? {
            chat: config.providers.chat,
            score: teacherScoreConfig(config),
            seed: config.seed,
          }
        : {
            shared: datasetTeacherFiles(dataset.name, config.dataDir, config.augment.distill.teachers).map(
              (f) => basename(f),
            ),
          },
      inputs: [retrieved.key],
    },
    (dir) =>
      teacherStage(config, { dataset, candidatesDir: retrieved.dir, outDir: dir, ...recipeOutput(ctx) }),
    ctx.log,
  );
}

/** The student scorer, trained with MSE on the teacher's judgments, with its held-out agreement. */
export function distillArtifact(
  ctx: PipelineContext,
  teacher: Artifact<TeacherValue>,
  retrieved: Artifact<RetrieveValue>,
): Promise<Artifact<DistillValue>> {
  const { config } = ctx;
  return ctx.store.run(
    {
      stage: 'distill',
      version: 1,
      settings: { distill: config.augment.distill, seed: config.seed },
      inputs: [teacher.key, retrieved.key],
    },
    (dir) =>
      distillStage(config, { teacherFiles: teacher.value.files, studentDir: dir, ...recipeOutput(ctx) }),
    ctx.log,
  );
}

/** Student scores for every retrieved candidate; those at or above the threshold become labels. */
export function synthesizeArtifact(
  ctx: PipelineContext,
  retrieved: Artifact<RetrieveValue>,
  teacher: Artifact<TeacherValue>,
  distilled: Artifact<DistillValue>,
): Promise<Artifact<SynthesizeValue>> {
  const { config, dataset } = ctx;
  const { split, autoThresholds: _grid, ...synthesize } = config.augment.synthesize;
  return ctx.store.run(
    {
      stage: 'synthesize',
      version: 1,
      // The grid of 'auto' is no setting of a synthesis at one threshold.
      settings: { synthesize: { split, ...synthesize }, examples: config.run.examples, seed: config.seed },
      inputs: [
        retrieved.key,
        distilled.key,
        ...(config.augment.synthesize.teacherOverride ? [teacher.key] : []),
      ],
    },
    (dir) =>
      synthesizeStage(config, {
        dataset,
        candidatesFile: candidatesFile(retrieved.dir, split),
        scorer: { studentDir: distilled.value.studentDir },
        outFile: join(dir, `${split}.synthetic.jsonl`),
        examples: { count: config.run.examples, teacherFiles: teacher.value.files },
        ...recipeOutput(ctx),
        teacherFiles: teacher.value.files,
      }),
    ctx.log,
  );
}
