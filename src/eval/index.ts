export { aggregateRuns, type MetricSummary, type MetricsSummary, meansOf, summarize } from './aggregate.js';
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
export { formatLongTail, formatMetricsTable, formatSignificance, formatSummaryTable } from './format.js';
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
  contextKey,
  describePredictionsReport,
  type LoadedPredictions,
  type PredictionLine,
  PredictionLineSchema,
  type PredictionsReport,
  readPredictions,
  writePredictions,
} from './predictions.js';
export {
  type EvalOptions,
  type EvalResult,
  evaluateRankings,
  type PairRanks,
  REFERENCE_EVAL_OPTIONS,
  UNFILTERED_PREFIX,
} from './protocol.js';
export {
  comparePairRanks,
  pairedSignificance,
  type SignificanceOptions,
  type SignificanceResult,
} from './significance.js';
export { topKOfMatrix, topKOfRow } from './topk.js';
