import { CrsaugError } from '../util/errors.js';
import { METRICS, type MetricName, metricKey, RANK_METRICS, type RankMetric } from './metric-table.js';

/** Flat metrics keyed like `recall@10`, `coverage@10`, `pairs`, `unfiltered.recall@10`. */
export type Metrics = Record<string, number>;

export { RANK_METRICS, type RankMetric } from './metric-table.js';

/** The value one pair contributes to `metric@k`: the table's pair value when rank < k (a hit), else 0. */
export function pairValue(metric: RankMetric, k: number, rank: number): number {
  return rank < 0 || rank >= k ? 0 : METRICS[metric].pairValue(rank);
}

/**
 * Micro-averages over pairs: `metric@k` = Σ pairValue / pairs for every rank metric and k, plus `pairs`.
 * With no pairs every mean is 0 (the reference would divide by zero).
 */
export function rankMetrics(ranks: Int32Array, ks: readonly number[], prefix = ''): Metrics {
  const out: Metrics = {};
  for (const metric of RANK_METRICS) {
    for (const k of ks) {
      let sum = 0;
      for (const rank of ranks) sum += pairValue(metric, k, rank);
      out[`${prefix}${metricKey(metric, k)}`] = ranks.length ? sum / ranks.length : 0;
    }
  }
  out[`${prefix}${'pairs' satisfies MetricName}`] = ranks.length;
  return out;
}

/** A ranked list and how many evaluated labels it served (its exposure is counted once per label). */
export interface WeightedList {
  items: Int32Array;
  weight: number;
}

/**
 * Diversity of the top-k lists: `coverage@k` = distinct items in any top-k list, `entropy@k` = log2 entropy
 * of how often each item appears in top-k lists, each list counted once per evaluated label it served.
 */
export function exposureMetrics(lists: readonly WeightedList[], ks: readonly number[]): Metrics {
  const out: Metrics = {};
  for (const k of ks) {
    const counts = new Map<number, number>();
    for (const { items, weight } of lists) {
      if (weight === 0) continue;
      const end = Math.min(k, items.length);
      for (let i = 0; i < end; i++) counts.set(items[i]!, (counts.get(items[i]!) ?? 0) + weight);
    }
    out[metricKey('coverage', k)] = counts.size;
    out[metricKey('entropy', k)] = log2Entropy(counts.values());
  }
  return out;
}

/** -Σ p·log2 p of the normalised counts; 0 for no counts. */
export function log2Entropy(counts: Iterable<number>): number {
  const values = [...counts];
  let total = 0;
  for (const c of values) total += c;
  if (total === 0) return 0;
  let entropy = 0;
  for (const c of values) {
    const p = c / total;
    if (p > 0) entropy -= p * Math.log2(p);
  }
  return entropy;
}

const RANK_METRIC_KEY = new RegExp(`^(${RANK_METRICS.join('|')})@([1-9]\\d*)$`);

/** Splits `recall@10` into its parts; throws on anything that is not a rank metric key. */
export function parseRankMetricKey(key: string): { metric: RankMetric; k: number } {
  const match = RANK_METRIC_KEY.exec(key);
  if (!match) {
    throw new CrsaugError(
      `not a rank metric: "${key}" (expected e.g. ${RANK_METRICS.map((m) => metricKey(m, 10)).join(', ')})`,
    );
  }
  return { metric: match[1] as RankMetric, k: Number(match[2]) };
}
