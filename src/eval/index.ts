export {
  aggregateRuns,
  type MetricSummary,
  type MetricsSummary,
  meansOf,
  stdsOf,
  summarize,
} from './aggregate.js';
export {
  comparePredictionSides,
  evaluatePredictionsFiles,
  type PredictionsComparison,
  type PredictionsSide,
} from './compare-predictions.js';
export {
  evaluatePredictionsFile,
  evaluateRecommender,
  evaluateSeeds,
  type RankedRun,
  type RankOptions,
  rankContexts,
  type SeededRun,
  splitOf,
} from './evaluate.js';
export {
  formatLongTail,
  formatMetricsTable,
  formatSeedAwareComparison,
  formatSignificance,
  formatSummaryTable,
} from './format.js';
export { holmAdjust } from './holm.js';
export {
  estimateJudging,
  estimatePool,
  type JudgePoolOptions,
  judgePool,
  judgmentLines,
  type PoolEstimate,
  PoolLineSchema,
  poolProposers,
  readPoolProposers,
  writePoolFile,
} from './judge-pool.js';
export {
  DEFAULT_JUDGED_OPTIONS,
  dcg,
  JUDGED_PREFIX,
  type JudgedOptions,
  type JudgedResult,
  judgedGain,
  judgedMetrics,
} from './judged.js';
export {
  assertTrainingJudgments,
  configuredJudgments,
  defaultJudgmentFiles,
  defaultJudgmentsDir,
  EVALUATION_ONLY_SPLITS,
  type JudgmentFile,
  Judgments,
  type LoadedJudgments,
  type LoadJudgmentsOptions,
  loadJudgments,
  type PairJudgment,
} from './judgments.js';
export {
  BUCKET_RULE,
  type BucketReport,
  type LongTailReport,
  longTailOfDataset,
  longTailReport,
  popularityBuckets,
} from './long-tail.js';
export {
  EXPOSURE_METRICS,
  METRICS,
  type MetricInfo,
  type MetricName,
  metricInfo,
  metricKey,
  PAPER_METRICS,
  PRIMARY_METRIC,
  REPORT_METRICS,
} from './metric-table.js';
export {
  exposureMetrics,
  log2Entropy,
  type Metrics,
  pairValue,
  parseRankMetricKey,
  RANK_METRICS,
  type RankMetric,
  rankMetrics,
} from './metrics.js';
export { METRICS_FILE, writeEvalOutputs } from './outputs.js';
export {
  buildPool,
  DEFAULT_POOL_OPTIONS,
  GOLD_PROPOSER,
  type Pool,
  type PooledContext,
  type PoolOptions,
  type PoolSystem,
  poolContexts,
  unjudgedScorePairs,
} from './pool.js';
export {
  contextKey,
  describePredictionsReport,
  type LoadedPredictions,
  type PredictionLine,
  PredictionLineSchema,
  type PredictionsReport,
  predictionsFileOf,
  readPredictions,
  writePredictions,
} from './predictions.js';
export {
  type EvalOptions,
  type EvalResult,
  evaluateRankings,
  filteredList,
  type PairRanks,
  REFERENCE_EVAL_OPTIONS,
  UNFILTERED_PREFIX,
} from './protocol.js';
export {
  compareSeededPairRanks,
  compareSeededRuns,
  FIXED_MODELS_METHOD,
  pairDialogues,
  SEED_AWARE_METHOD,
  type SeedAwareComparison,
} from './seed-significance.js';
export {
  comparePairRanks,
  pairedSignificance,
  type SignificanceOptions,
  type SignificanceResult,
} from './significance.js';
export * as simulate from './simulate/index.js';
export { topKOfMatrix, topKOfRow } from './topk.js';
