/**
 * Every metric by name, in one table (RecBole's `metric_information`): what it measures, how its values
 * read, and for a rank metric its value per (context, gold) pair. Evaluation computes the rank metrics that
 * have a pair value and the exposure metrics; the CLI tables, the report's labels and formats, and the run's
 * headline columns all read this table.
 */
export interface MetricInfo {
  /** Display name (reports, charts). */
  label: string;
  /**
   * rank: a mean over (context, gold) pairs of a value of the gold item's rank; exposure: a property of the
   * top-k lists themselves; dialogue: a share of simulated dialogues; count: how many pairs were evaluated
   * (no cut-off).
   */
  kind: 'rank' | 'exposure' | 'dialogue' | 'count';
  /** How values read: a share in [0, 1] shown in percent, a count, or a plain number. */
  format: 'percent' | 'integer' | 'number';
  /** The value one pair contributes given the gold item's 0-based rank < k; absent when crsaug does not compute it. */
  pairValue?: (rank: number) => number;
}

export const METRICS = {
  recall: { label: 'Recall', kind: 'rank', format: 'percent', pairValue: () => 1 },
  ndcg: { label: 'NDCG', kind: 'rank', format: 'percent', pairValue: (rank) => 1 / Math.log2(rank + 2) },
  mrr: { label: 'MRR', kind: 'rank', format: 'percent', pairValue: (rank) => 1 / (rank + 1) },
  // Rank metrics other tools report; a report may show them from their results.
  hit: { label: 'Hit', kind: 'rank', format: 'percent' },
  precision: { label: 'Precision', kind: 'rank', format: 'percent' },
  map: { label: 'MAP', kind: 'rank', format: 'percent' },
  /** Distinct items in any top-k list. */
  coverage: { label: 'Coverage', kind: 'exposure', format: 'integer' },
  /** log2 entropy of how often each item appears in the top-k lists. */
  entropy: { label: 'Entropy', kind: 'exposure', format: 'number' },
  /** Simulated dialogues with a target in the top k at some turn (src/eval/simulate). */
  success: { label: 'Success', kind: 'dialogue', format: 'percent' },
  pairs: { label: 'Pairs', kind: 'count', format: 'integer' },
} as const satisfies Record<string, MetricInfo>;

export type MetricName = keyof typeof METRICS;

/** Metrics defined per (context, gold) pair from the gold item's 0-based rank (-1 = not in the list). */
export type RankMetric = {
  [K in MetricName]: (typeof METRICS)[K] extends { pairValue: unknown } ? K : never;
}[MetricName];

const names = Object.keys(METRICS) as MetricName[];
const info = (name: MetricName): MetricInfo => METRICS[name];

/** The rank metrics evaluation computes, in table order. */
export const RANK_METRICS = names.filter((m) => info(m).pairValue) as RankMetric[];

/** The exposure metrics evaluation computes, in table order. */
export const EXPOSURE_METRICS = names.filter((m) => info(m).kind === 'exposure');

/** `recall@10`, `coverage@50`: a metric at a cut-off. */
export function metricKey(name: MetricName, k: number): string {
  return `${name}@${k}`;
}

/**
 * A key's entry, variant prefix (`unfiltered.`) and case ignored; undefined for a name the table does not
 * know or a key of the wrong shape (a count has no cut-off, the others need one).
 */
export function metricInfo(key: string): MetricInfo | undefined {
  const [name, k] = key.slice(key.lastIndexOf('.') + 1).split('@');
  const found = (METRICS as Record<string, MetricInfo>)[name!.toLowerCase()];
  return found && (found.kind === 'count') === (k === undefined) ? found : undefined;
}

/** The cut-offs the paper reports: Recall@1, @10 and @50 (the run's table, its tests and experiments). */
export const PAPER_METRICS = [1, 10, 50].map((k) => metricKey('recall', k));

/** The metric a report charts and headlines first. */
export const PRIMARY_METRIC = metricKey('recall', 10);

/** A report's main-table columns: the paper's recalls, then NDCG and MRR at the primary cut-off. */
export const REPORT_METRICS = [...PAPER_METRICS, metricKey('ndcg', 10), metricKey('mrr', 10)];
