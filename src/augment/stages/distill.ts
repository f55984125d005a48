import type { Config } from '../../config/schema.js';
import type { UsageRow } from '../../providers/middleware/usage.js';
import type { EmbeddingModel } from '../../providers/types.js';
import { type DistillResult, distill, saveDistillResult } from '../distill.js';
import { exportFinetuneSet, type FinetuneExportSummary } from '../finetune-export.js';
import { DatasetCache, datasetTeacherFiles, loadTeacherSet } from '../teacher-set.js';
import { openDatasetEmbedder, type StageModel, type StageOptions } from './stage.js';

export interface DistillStageOptions extends StageOptions {
  /** Teacher judgment files (default: every file shipped in ../shared/teacher). */
  teacherFiles?: string[];
  /** Receives the student (model.safetensors, config.json) and its agreement report. */
  studentDir: string;
  /** Also write the judgments as chat fine-tuning JSONL (the scorer's prompt) into this file. */
  exportFinetune?: string;
}

export interface DistillStageSummary extends Pick<DistillResult, 'files' | 'rows'> {
  studentDir: string;
  /** One line naming the student (its features, architecture and training data). */
  description: string;
  /** Train MSE of the last epoch. */
  finalTrainMse?: number;
  exported?: FinetuneExportSummary;
  usage: UsageRow[];
}

/**
 * The student scorer, trained with MSE on the teacher's judgments, with its held-out agreement. The pairs
 * of each judged dataset are featurised in that dataset's retrieval space (its embedder as retrieve opens it).
 */
export async function distillStage(
  config: Config,
  options: DistillStageOptions,
): Promise<DistillStageSummary> {
  const teacherFiles =
    options.teacherFiles ??
    datasetTeacherFiles(config.dataset, config.dataDir, config.augment.distill.teachers);
  const datasets = new DatasetCache({ dataDir: config.dataDir, cacheDir: config.cacheDir });
  const embedders: StageModel<EmbeddingModel>[] = [];
  try {
    const result = await distill({
      teacherFiles,
      datasets,
      openEmbedder: async (dataset) => {
        const embedder = await openDatasetEmbedder(
          config,
          dataset,
          { stage: 'distill', role: `embedder for ${dataset.name}` },
          options,
        );
        embedders.push(embedder);
        return embedder.model;
      },
      retrieveConfig: config.augment.retrieve,
      config: config.augment.distill,
      seed: config.seed,
      silent: options.silent,
    });
    await saveDistillResult(options.studentDir, result);
    const exported = options.exportFinetune
      ? await exportFinetuneSet(
          await Promise.all(teacherFiles.map((f) => loadTeacherSet(f, datasets))),
          config.augment.score,
          options.exportFinetune,
        )
      : undefined;
    return {
      studentDir: options.studentDir,
      description: result.student.config.description,
      files: result.files,
      rows: result.rows,
      finalTrainMse: result.trainMse.at(-1),
      ...(exported ? { exported } : {}),
      usage: embedders.flatMap((e) => e.usage.summary()),
    };
  } finally {
    for (const embedder of embedders) embedder.close();
  }
}
