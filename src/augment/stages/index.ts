/**
 * The stage API: one recipe per step of the method, `(config, options) => summary`, shared by the
 * `crsaug augment` commands and `crsaug run` (which adds only artifact keys). See stage.ts for the contract.
 */
export { candidatesFile, scoresFile } from '../artifacts.js';
export { formatAgreementTable } from '../distill.js';
export { mergeShards } from '../merge.js';
export { parseShard, type Shard } from '../shard.js';
export { formatSynthesisStats } from '../synthesize.js';
export { type AnswerCounts, formatAnswerCounts, TooManyInvalidAnswersError } from '../valid-share.js';
export {
  type BatchImportOptions,
  type EmbeddingBatchExportOptions,
  exportEmbeddingBatchStage,
  exportScoreBatchStage,
  importEmbeddingBatchStage,
  importScoreBatchStage,
  type ScoreBatchExportOptions,
  type ScoreBatchExportSummary,
} from './batch.js';
export { type DistillStageOptions, type DistillStageSummary, distillStage } from './distill.js';
export { estimateAugmentCalls, type StageCallEstimate } from './estimate.js';
export {
  exportJudgeBatchStage,
  importJudgeBatchStage,
  JUDGED_SPLITS,
  type JudgeImportOptions,
  type JudgePoolSummary,
  type JudgeStageOptions,
  type JudgeStageSummary,
  judgeJudgmentsFile,
  judgeStage,
  type PoolRanker,
  requireJudge,
} from './judge.js';
export { type RetrieveStageOptions, type RetrieveStageSummary, retrieveStage } from './retrieve.js';
export { type PairSource, type ScoreStageOptions, type ScoreStageSummary, scoreStage } from './score.js';
export {
  augmentOutDir,
  openChatModel,
  type StageModel,
  type StageOptions,
  type StageProvider,
  using,
} from './stage.js';
export {
  type SynthesizeStageOptions,
  type SynthesizeStageSummary,
  synthesizeStage,
} from './synthesize.js';
export {
  hasChatModel,
  type TeacherStageOptions,
  type TeacherStageSummary,
  teacherScoreConfig,
  teacherStage,
} from './teacher.js';
