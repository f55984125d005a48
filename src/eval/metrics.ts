import { CrsaugError } from '../util/errors.js';

/** Flat metrics keyed like `recall@10`, `coverage@10`, `pairs`, `unfiltered.recall@10`. */
export type Metrics = Record<string, number>;

/** Metrics defined per (context, gold) pair from the gold item's 0-based rank (-1 = not in the list). */
export type RankMetric = 'recall' | 'ndcg' | 'mrr';
export const RANK_METRICS: readonly RankMetric[] = ['recall', 'ndcg', 'mrr'];

/** The value one pair contributes to `metric@k`: hit, 1/log2(rank+2) or 1/(rank+1) when rank < k, else 0. */
export function pairValue(metric: RankMetric, k: number, rank: number): number {
  if (rank < 0 || rank >= k) return 0;
  switch (metric) {
    case 'recall':
      return 1;
    case 'ndcg':
      return 1 / Math.log2(rank + 2);
    case 'mrr':
      return 1 / (rank + 1);
  }
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
      out[`${prefix}${metric}@${k}`] = ranks.length ? sum / ranks.length : 0;
    }
  }
  out[`${prefix}pairs`] = ranks.length;
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
    out[`coverage@${k}`] = counts.size;
    out[`entropy@${k}`] = log2Entropy(counts.values());
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

/** Splits `recall@10` into its parts; throws on anything that is not a rank metric key. */
export function parseRankMetricKey(key: string): { metric: RankMetric; k: number } {
  const match = /^(recall|ndcg|mrr)@([1-9]\d*)$/.exec(key);
  if (!match) throw new CrsaugError(`not a rank metric: "${key}" (expected e.g. recall@10, ndcg@10, mrr@10)`);
  return { metric: match[1] as RankMetric, k: Number(match[2]) };
}
