import { CrsaugError } from '../util/errors.js';
import { Rng } from '../util/rng.js';
import { pairValue, parseRankMetricKey } from './metrics.js';
import type { PairRanks } from './protocol.js';

/**
 * Paired significance tests between two runs on the same (context, gold) pairs, for a per-pair metric such as
 * recall@10 (hits). Both tests are two-sided and seeded, so a p-value can be reproduced exactly:
 *
 * - paired permutation (sign-flip) test: under H0 the two runs are exchangeable within each pair, so each
 *   per-pair difference keeps or flips its sign at random; p = (1 + #{|mean flipped| ≥ |mean observed|}) / (1 + R);
 * - paired bootstrap: resample pairs with replacement; p = (1 + #{|δ* − δ| ≥ |δ|}) / (1 + B) (the bootstrap
 *   distribution shifted to H0), plus the 95 % percentile interval of δ*.
 *
 * Identical runs give p = 1 under both; the +1 terms keep p above 0 for a finite number of resamples.
 */
export interface SignificanceOptions {
  /** Resamples for each test (default 10,000). */
  resamples?: number;
  seed?: number;
}

export interface SignificanceResult {
  metric: string;
  pairs: number;
  /** Mean of the metric over the pairs, run A and run B. */
  meanA: number;
  meanB: number;
  /** meanB − meanA. */
  difference: number;
  permutation: { pValue: number; resamples: number };
  bootstrap: { pValue: number; resamples: number; ci95: [number, number] };
  seed: number;
}

const DEFAULT_RESAMPLES = 10_000;
// Means of the same pairs computed in a different order can differ in the last bits; ties must still count.
const TOLERANCE = 1e-12;

/** Compares two runs' filtered (or unfiltered) pairs on `metricKey` (e.g. `recall@10`). */
export function comparePairRanks(
  a: PairRanks,
  b: PairRanks,
  metricKey: string,
  options: SignificanceOptions = {},
): SignificanceResult {
  assertSamePairs(a, b);
  const { metric, k } = parseRankMetricKey(metricKey);
  const valuesA = Float64Array.from(a.ranks, (rank) => pairValue(metric, k, rank));
  const valuesB = Float64Array.from(b.ranks, (rank) => pairValue(metric, k, rank));
  return pairedSignificance(valuesA, valuesB, metricKey, options);
}

/** Both tests on per-pair values of two runs (same length, same pair order). */
export function pairedSignificance(
  valuesA: Float64Array,
  valuesB: Float64Array,
  metric: string,
  options: SignificanceOptions = {},
): SignificanceResult {
  if (valuesA.length !== valuesB.length) {
    throw new CrsaugError(`paired test needs equal lengths, got ${valuesA.length} and ${valuesB.length}`);
  }
  const n = valuesA.length;
  const resamples = options.resamples ?? DEFAULT_RESAMPLES;
  const seed = options.seed ?? 0;
  const diffs = Float64Array.from(valuesB, (v, i) => v - valuesA[i]!);
  const observed = mean(diffs);
  const rng = new Rng(seed);
  return {
    metric,
    pairs: n,
    meanA: mean(valuesA),
    meanB: mean(valuesB),
    difference: observed,
    permutation: { pValue: permutationPValue(diffs, observed, resamples, rng.fork()), resamples },
    bootstrap: { ...bootstrap(diffs, observed, resamples, rng.fork()), resamples },
    seed,
  };
}

function permutationPValue(diffs: Float64Array, observed: number, resamples: number, rng: Rng): number {
  // Zero differences do not change under a sign flip, so only the others are flipped.
  const nonZero = diffs.filter((d) => d !== 0);
  const n = diffs.length;
  let extreme = 0;
  for (let r = 0; r < resamples; r++) {
    let sum = 0;
    for (let i = 0; i < nonZero.length; i++) sum += rng.next() < 0.5 ? nonZero[i]! : -nonZero[i]!;
    if (Math.abs(sum / n) >= Math.abs(observed) - TOLERANCE) extreme++;
  }
  return (1 + extreme) / (1 + resamples);
}

function bootstrap(
  diffs: Float64Array,
  observed: number,
  resamples: number,
  rng: Rng,
): { pValue: number; ci95: [number, number] } {
  const n = diffs.length;
  const means = new Float64Array(resamples);
  let extreme = 0;
  for (let r = 0; r < resamples; r++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += diffs[rng.int(n)]!;
    means[r] = n ? sum / n : 0;
    if (Math.abs(means[r]! - observed) >= Math.abs(observed) - TOLERANCE) extreme++;
  }
  means.sort();
  return { pValue: (1 + extreme) / (1 + resamples), ci95: [quantile(means, 0.025), quantile(means, 0.975)] };
}

/** Linear-interpolation quantile of sorted values. */
function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return 0;
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (pos - lo) * (sorted[hi]! - sorted[lo]!);
}

function mean(values: Float64Array): number {
  let sum = 0;
  for (const v of values) sum += v;
  return values.length ? sum / values.length : 0;
}

function assertSamePairs(a: PairRanks, b: PairRanks): void {
  const same =
    a.ranks.length === b.ranks.length &&
    a.contexts.every((c, i) => c === b.contexts[i] && a.goldEntities[i] === b.goldEntities[i]);
  if (!same) {
    throw new CrsaugError(
      `the two runs were evaluated on different (context, gold) pairs (${a.ranks.length} vs ${b.ranks.length})`,
      { hint: 'compare runs on the same dataset, split and loader settings' },
    );
  }
}
