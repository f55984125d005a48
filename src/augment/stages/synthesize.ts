import { existsSync } from 'node:fs';
import type { Config } from '../../config/schema.js';
import { loadConfiguredDataset } from '../../data/load.js';
import type { Dataset, SplitName } from '../../data/types.js';
import type { UsageRow } from '../../providers/middleware/usage.js';
import type { EmbeddingModel } from '../../providers/types.js';
import type { ContextExample } from '../../report/schema.js';
import { CrsaugError } from '../../util/errors.js';
import { readCandidates, readScores } from '../artifacts.js';
import { buildExamples, teacherScoresOf } from '../examples.js';
import { PairFeaturizer, SemanticSpace } from '../features/index.js';
import { Student } from '../student.js';
import {
  judgedByContext,
  type PairScorer,
  type SynthesisStats,
  studentScorer,
  synthesize,
  teacherScoresScorer,
} from '../synthesize.js';
import { openDatasetEmbedder, type ProviderRole, type StageModel, type StageOptions } from './stage.js';

export interface SynthesizeStageOptions extends StageOptions {
  /** The split's retrieved candidates (`<split>.candidates.jsonl`); the split is augment.synthesize.split. */
  candidatesFile: string;
  /** Who scores the candidates: the distilled student in a folder, or teacher scores from `augment score`. */
  scorer: { studentDir: string } | { teacherScores: string };
  /** The synthetic dataset (processed JSONL) to write. */
  outFile: string;
  /** Also pick this many contexts, with every candidate's scores, for the report. */
  examples?: { count: number; teacherFiles: string[] };
  /** The teacher judgment files (shared/teacher format) for augment.synthesize.teacherOverride. */
  teacherFiles?: string[];
  /** The dataset when already loaded (default: the configured one, the split plus train). */
  dataset?: Dataset;
}

export interface SynthesizeStageSummary extends SynthesisStats {
  dataset: string;
  file: string;
  examples: ContextExample[];
  usage: UsageRow[];
}

/** Scores every retrieved candidate of the split; those at or above the threshold become synthetic labels. */
export async function synthesizeStage(
  config: Config,
  options: SynthesizeStageOptions,
): Promise<SynthesizeStageSummary> {
  const { split, topK } = config.augment.synthesize;
  const threshold = numericThreshold(config.augment.synthesize.threshold);
  if (!existsSync(options.candidatesFile)) {
    throw new CrsaugError(`no candidates file ${options.candidatesFile}`, {
      hint: `run \`crsaug augment retrieve --splits ${split}\` first`,
    });
  }
  const splits: SplitName[] = split === 'train' ? ['train'] : [split, 'train'];
  const dataset = options.dataset ?? (await loadConfiguredDataset(config, splits));
  const scoring = await openScorer(config, dataset, options);
  try {
    options.log?.(`scorer: ${scoring.scorer.description}`);
    const candidates = await readCandidates(options.candidatesFile);
    const { teacherOverride } = config.augment.synthesize;
    if (teacherOverride && !options.teacherFiles?.length)
      throw new CrsaugError('augment.synthesize.teacherOverride needs the teacher judgment files', {
        hint: 'pass --teacher FILE',
      });
    const teacher = options.teacherFiles?.length
      ? judgedByContext(await teacherScoresOf(options.teacherFiles, dataset.name), dataset)
      : undefined;
    const stats = await synthesize({
      teacher,
      teacherOverride,
      dataset,
      split,
      candidates,
      candidatesSource: options.candidatesFile,
      scorer: scoring.scorer,
      threshold,
      topK,
      outFile: options.outFile,
      silent: options.silent,
    });
    const examples = options.examples
      ? await buildExamples({
          dataset,
          contexts: dataset.splits[split]?.contexts ?? [],
          candidates: candidates.map((r) => ({ ...r, candidates: r.candidates.slice(0, topK) })),
          scorer: scoring.scorer,
          threshold,
          count: options.examples.count,
          seed: config.seed,
          teacherScores: await teacherScoresOf(options.examples.teacherFiles, dataset.name),
        })
      : [];
    return {
      ...stats,
      dataset: dataset.name,
      file: options.outFile,
      examples,
      usage: scoring.embedder?.usage.summary() ?? [],
    };
  } finally {
    scoring.embedder?.close();
  }
}

/** A threshold to apply: 'auto' is resolved by `crsaug run` (which tries each of autoThresholds) before synthesis. */
export function numericThreshold(threshold: number | 'auto'): number {
  if (threshold === 'auto')
    throw new CrsaugError('augment.synthesize.threshold "auto" is chosen on valid by `crsaug run`', {
      hint: 'give a number here (the paper: 3.5), or use crsaug run',
    });
  return threshold;
}

/** The scorer the options name; the student's features need the dataset's retrieval embedder, left open. */
async function openScorer(
  config: Config,
  dataset: Dataset,
  options: SynthesizeStageOptions,
): Promise<{ scorer: PairScorer; embedder?: StageModel<EmbeddingModel> }> {
  if ('teacherScores' in options.scorer) {
    const file = options.scorer.teacherScores;
    return { scorer: teacherScoresScorer(await readScores(file), dataset, file) };
  }
  const { studentDir } = options.scorer;
  if (!existsSync(studentDir)) {
    throw new CrsaugError(`no student in ${studentDir}`, {
      hint: 'run `crsaug augment distill` first, or pass --teacher-scores FILE',
    });
  }
  return openStudentScorer(config, dataset, studentDir, { stage: 'synthesize', role: 'embedder' }, options);
}

/**
 * The distilled student in `studentDir` on the pair features of the dataset's retrieval embedder (what
 * synthesis scores with, and `crsaug serve` too); the embedder stays open for the scorer: close it after.
 */
export async function openStudentScorer(
  config: Config,
  dataset: Dataset,
  studentDir: string,
  role: ProviderRole,
  options: StageOptions,
): Promise<{ scorer: PairScorer; embedder: StageModel<EmbeddingModel> }> {
  const student = await Student.load(studentDir);
  const embedder = await openDatasetEmbedder(config, dataset, role, options);
  try {
    const space = await SemanticSpace.create(embedder.model, dataset.catalog, config.augment.retrieve);
    return { scorer: studentScorer(student, PairFeaturizer.create(dataset, space)), embedder };
  } catch (error) {
    embedder.close();
    throw error;
  }
}
