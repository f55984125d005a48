import { basename, join } from 'node:path';
import type { ScoreConfig } from '../../config/augment.js';
import { deepMerge } from '../../config/load.js';
import type { Config } from '../../config/schema.js';
import { loadConfiguredDataset } from '../../data/load.js';
import type { Dataset } from '../../data/types.js';
import { selectChatProvider } from '../../providers/factory.js';
import { CrsaugError } from '../../util/errors.js';
import { writeJsonl } from '../../util/jsonl.js';
import { readScores, scoresFile } from '../artifacts.js';
import { datasetTeacherFiles } from '../teacher-set.js';
import { type AnswerCounts, formatAnswerCounts } from '../valid-share.js';
import { judgePairs } from './score.js';
import type { StageOptions, StageProvider } from './stage.js';

export interface TeacherStageOptions extends StageOptions {
  /** Folder holding the retrieved `train.candidates.jsonl`. */
  candidatesDir: string;
  /** Receives the teacher's scores file and its judgments in the shared/teacher format. */
  outDir: string;
  /** The dataset when already loaded (default: the configured one, train split only). */
  dataset?: Dataset;
}

export interface TeacherStageSummary extends StageProvider {
  /** Teacher judgment files (shared/teacher format) the student is distilled from. */
  files: string[];
  /** Pairs judged validly by the chat model in this call (0 with the shipped judgments). */
  judged: number;
  /** The chat model's answers for the sampled pairs, earlier runs' included (absent with the shipped judgments). */
  answers?: AnswerCounts;
}

/** Whether a chat model is configured, i.e. whether the teacher is called or its shipped judgments are read. */
export function hasChatModel(config: Config): boolean {
  return selectChatProvider(config.providers.chat) !== undefined;
}

/** The teacher judges a stratified sample of train candidates (the student scores the rest), not all of them. */
export function teacherScoreConfig(config: Config): ScoreConfig {
  const { score } = config.augment;
  const { teacherContexts, teacherPairsPerContext } = config.run;
  return {
    ...score,
    sampler: {
      ...score.sampler,
      strategy: 'stratified' as const,
      maxContexts: teacherContexts,
      pairsPerContext: teacherPairsPerContext,
    },
  };
}

/**
 * The teacher's judgments. With a chat model configured, the teacher judges a sample of the train
 * candidates (resumable; every call cached); otherwise the LLM judgments shipped in shared/teacher/ for
 * the dataset (all of them when none is for it) are used as they are.
 */
export async function teacherStage(
  config: Config,
  options: TeacherStageOptions,
): Promise<TeacherStageSummary> {
  const dataset = options.dataset ?? (await loadConfiguredDataset(config, ['train']));
  if (!hasChatModel(config)) {
    const files = datasetTeacherFiles(dataset.name, config.dataDir, config.augment.distill.teachers);
    return {
      files,
      judged: 0,
      usage: [],
      provider: {
        role: 'teacher',
        id: 'shared/teacher',
        description: `LLM judgments shipped with the data (${files.map((f) => basename(f)).join(', ')}), made offline with the rubric; no LLM was called in this run`,
        offline: true,
      },
    };
  }
  const file = scoresFile(options.outDir, 'train');
  const scored = await judgePairs(
    deepMerge(config, { augment: { score: teacherScoreConfig(config) } }),
    { ...options, dataset, split: 'train', scoresFile: file },
    'teacher',
  );
  options.log?.(`teacher: ${formatAnswerCounts(scored.answers)} answers in ${file}`);
  // Re-written in the shared/teacher format, so the student reads online and shipped judgments alike.
  const judgments = [...(await readScores(file)).values()]
    .filter((s) => s.valid && s.score !== null)
    .map((s) => ({
      dataset: dataset.name,
      split: 'train',
      dialog_id: s.dialog_id,
      turn_id: s.turn_id,
      item: s.item,
      score: s.expected ?? s.score,
    }));
  if (judgments.length === 0) {
    // An empty file would only make the student fail later with "no judgments in file".
    throw new CrsaugError(`the teacher gave no valid answer (${formatAnswerCounts(scored.answers)})`, {
      hint: `its answers are in ${file}; check the chat model and augment.score (responseFormat, mode, maxTokens)`,
    });
  }
  const teacherFile = join(options.outDir, 'teacher.jsonl');
  await writeJsonl(teacherFile, judgments);
  return {
    files: [teacherFile],
    judged: scored.valid,
    answers: scored.answers,
    provider: scored.provider,
    usage: scored.usage,
  };
}
