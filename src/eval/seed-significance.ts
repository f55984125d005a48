import tCdf from '@stdlib/stats-base-dists-t-cdf';
import tQuantile from '@stdlib/stats-base-dists-t-quantile';
import { pairsOf } from '../data/pairs.js';
import type { Catalog, RecContext } from '../data/types.js';
import { CrsaugError } from '../util/errors.js';
import { pairValue, parseRankMetricKey } from './metrics.js';

/**
 * Seed-aware comparison of two training procedures, A and B, each trained with several seeds and evaluated on
 * the same (context, gold) pairs. The difference B − A of a per-pair metric (recall@10 hits, NDCG, …) varies
 * for two reasons: which models the seeds happened to give, and which dialogues the test set happened to hold.
 * Its variance splits exactly (law of total variance, conditioning on the seeds) into
 *
 *   (1) the dialogue-sampling variance of the trained models, seed-averaged: the clustered ("sandwich")
 *       variance of the per-pair differences, with pairs clustered by dialogue and the same dialogues for A
 *       and B (they are paired on the same pairs). Alone, this is a test of fixed models;
 *   (2) per side, the between-seed variance of a model's expected metric, over S seeds: the per-seed metrics'
 *       sample variance s² minus the part of it that the test pairs' churn already explains, ν̂ (a seed getting
 *       other pairs right by chance, which (1) counts already), clamped at 0: max(0, s² − ν̂) / S.
 *
 * Without the clamp, (1) + (2) = the clustered variance of the true per-pair differences + s²_A/S_A + s²_B/S_B,
 * an unbiased estimate of the variance of the difference. The clamp encodes that a seed's own effect has a
 * variance ≥ 0, so the seed-aware variance is never below the fixed-models one.
 *
 * The difference divided by its standard error is referred to Student's t with Welch–Satterthwaite degrees of
 * freedom (component (1) has G − 1, each s² has S − 1), which gives the two-sided p and the 95 % interval.
 * With 3-5 seeds the t reference is what keeps the test calibrated: the seed variance is itself estimated from
 * 2-4 degrees of freedom. Resampling schemes are miscalibrated there (docs/evaluation.md, bench section 5):
 * a bootstrap over S seeds has C(2S−1, S) distinct resamples, shrinks the seed variance by (S − 1)/S and has
 * normal, not t, tails; a bootstrap over seeds and dialogues at once also counts the seed × pair churn two more
 * times; a permutation of the 2S seed labels cannot go below p = 2 / C(2S, S) (0.1 with 3 seeds) and ignores
 * the dialogue variance.
 * The calibration is measured in test/eval/seed-significance.test.ts. The method is deterministic: no seed.
 *
 * Assumptions: seeds of A and B are independent (not paired: seed s of A and of B are different models),
 * dialogues are independent, and the clustered variance has enough dialogues to be stable (tens or more).
 */
export interface SeedAwareComparison {
  /** The metric's name as given, e.g. `recall@10`. */
  metric: string;
  pairs: number;
  dialogues: number;
  seedsA: number;
  seedsB: number;
  /** Mean over seeds and pairs of A and of B (the reported metric, in its units). */
  meanA: number;
  meanB: number;
  /** meanB − meanA. */
  diff: number;
  /** The 95 % interval of diff: diff ± t(0.975, df) · se. */
  ci95: [number, number];
  /** Two-sided p of diff = 0. */
  p: number;
  se: number;
  /** Welch–Satterthwaite degrees of freedom of the t reference. */
  df: number;
  /** The variance of diff by source: dialogues (fixed models), seeds of A, seeds of B (0 when not counted). */
  variance: { dialogues: number; seedsA: number; seedsB: number };
  /** True when both sides have ≥ 2 seeds, so the seed variance is counted. */
  seedAware: boolean;
  method: string;
}

export const SEED_AWARE_METHOD =
  'seed × dialogue variance components (seeds and dialogues, pairs clustered by dialogue), Welch–Satterthwaite t, two-sided';
export const FIXED_MODELS_METHOD =
  'fixed models (one seed on a side: seed variance not counted), pairs clustered by dialogue, t, two-sided';

/**
 * Compares B with A on per-pair values: `a[s][i]` is seed s's value on pair i; `dialogues[i]` names the
 * dialogue of pair i (the cluster). With one seed on either side the seed variance cannot be estimated and the
 * result is the fixed-models test, labelled so in `method`.
 */
export function compareSeededRuns(
  a: readonly ArrayLike<number>[],
  b: readonly ArrayLike<number>[],
  dialogues: readonly (string | number)[],
  metric: string,
): SeedAwareComparison {
  const clusters = clusterIndex(dialogues);
  const pairs = dialogues.length;
  for (const [side, runs] of [
    ['A', a],
    ['B', b],
  ] as const) {
    if (runs.length === 0) throw new CrsaugError(`side ${side} has no runs to compare`);
    runs.forEach((run, s) => {
      if (run.length !== pairs)
        throw new CrsaugError(`side ${side} run ${s + 1} has ${run.length} pair values for ${pairs} pairs`, {
          hint: 'compare runs evaluated on the same dataset, split and loader settings',
        });
    });
  }
  if (pairs === 0) throw new CrsaugError('no pairs to compare');
  const sideA = sideStatistics(a, clusters);
  const sideB = sideStatistics(b, clusters);
  const g = clusters.count;
  const diff = sideB.mean - sideA.mean;
  // Ratio-estimator linearisation of the pair mean, with the small-sample factor G/(G − 1).
  let squares = 0;
  for (let c = 0; c < g; c++) {
    const z = sideB.clusterTotals[c]! - sideA.clusterTotals[c]! - clusters.sizes[c]! * diff;
    squares += z * z;
  }
  const correction = g > 1 ? g / (g - 1) : 0;
  const vDialogues = (correction * squares) / (pairs * pairs);
  const seedAware = a.length >= 2 && b.length >= 2;
  const terms: VarianceTerm[] = [{ value: vDialogues, df: g - 1 }];
  const seedPart = (side: SideStatistics): number => {
    if (!seedAware) return 0;
    const noise = correction * side.churn;
    const excess = side.seedVariance - noise;
    if (excess <= 0) return 0;
    // Satterthwaite over the difference of the two estimates (the churn has (S − 1)(G − 1) df).
    terms.push({ value: side.seedVariance / side.seeds, df: side.seeds - 1 });
    terms.push({ value: -noise / side.seeds, df: (side.seeds - 1) * (g - 1) });
    return excess / side.seeds;
  };
  const seedsA = seedPart(sideA);
  const seedsB = seedPart(sideB);
  const variance = vDialogues + seedsA + seedsB;
  const se = Math.sqrt(variance);
  const df = satterthwaite(terms, variance, g - 1);
  const { p, halfWidth } = tTest(diff, se, df);
  return {
    metric,
    pairs,
    dialogues: g,
    seedsA: a.length,
    seedsB: b.length,
    meanA: sideA.mean,
    meanB: sideB.mean,
    diff,
    ci95: [diff - halfWidth, diff + halfWidth],
    p,
    se,
    df,
    variance: { dialogues: vDialogues, seedsA, seedsB },
    seedAware,
    method: seedAware ? SEED_AWARE_METHOD : FIXED_MODELS_METHOD,
  };
}

/** The same comparison from each seed's pair ranks (0-based, −1 = miss) for a rank metric key such as recall@10. */
export function compareSeededPairRanks(
  a: readonly ArrayLike<number>[],
  b: readonly ArrayLike<number>[],
  dialogues: readonly (string | number)[],
  metricKey: string,
): SeedAwareComparison {
  const { metric, k } = parseRankMetricKey(metricKey);
  const values = (ranks: ArrayLike<number>) => Float64Array.from(ranks, (rank) => pairValue(metric, k, rank));
  return compareSeededRuns(a.map(values), b.map(values), dialogues, metricKey);
}

/** The dialogue of each evaluated (context, gold) pair, in the order of the protocol's filtered pair ranks. */
export function pairDialogues(contexts: readonly RecContext[], catalog: Catalog): string[] {
  return pairsOf(contexts, catalog).map((pair) => contexts[pair.contextIndex]!.dialogId);
}

interface Clusters {
  /** Cluster index of each pair. */
  of: Int32Array;
  count: number;
  /** Pairs per cluster. */
  sizes: Float64Array;
}

function clusterIndex(dialogues: readonly (string | number)[]): Clusters {
  const ids = new Map<string | number, number>();
  const of = Int32Array.from(dialogues, (d) => {
    const known = ids.get(d);
    if (known !== undefined) return known;
    ids.set(d, ids.size);
    return ids.size - 1;
  });
  const sizes = new Float64Array(ids.size);
  for (const c of of) sizes[c]!++;
  return { of, count: ids.size, sizes };
}

interface SideStatistics {
  seeds: number;
  /** Mean over seeds and pairs. */
  mean: number;
  /** Per dialogue, the seed-averaged sum of the pair values. */
  clusterTotals: Float64Array;
  /** Sample variance (n − 1) of the per-seed metric; 0 with one seed. */
  seedVariance: number;
  /**
   * The part of seedVariance that independent per-dialogue churn explains: the variance of one seed's pair mean
   * from seed-to-seed differences within dialogues, after removing each seed's overall level.
   */
  churn: number;
}

function sideStatistics(runs: readonly ArrayLike<number>[], clusters: Clusters): SideStatistics {
  const seeds = runs.length;
  const pairs = clusters.of.length;
  const totals = runs.map((run) => {
    const t = new Float64Array(clusters.count);
    for (let i = 0; i < pairs; i++) t[clusters.of[i]!]! += run[i]!;
    return t;
  });
  const seedMeans = totals.map((t) => t.reduce((sum, v) => sum + v, 0) / pairs);
  const mean = seedMeans.reduce((sum, v) => sum + v, 0) / seeds;
  const clusterTotals = new Float64Array(clusters.count);
  for (const t of totals) for (let c = 0; c < clusters.count; c++) clusterTotals[c]! += t[c]! / seeds;
  if (seeds < 2) return { seeds, mean, clusterTotals, seedVariance: 0, churn: 0 };
  let seedSquares = 0;
  let churnSquares = 0;
  for (let s = 0; s < seeds; s++) {
    const level = seedMeans[s]! - mean;
    seedSquares += level * level;
    for (let c = 0; c < clusters.count; c++) {
      const r = totals[s]![c]! - clusterTotals[c]! - clusters.sizes[c]! * level;
      churnSquares += r * r;
    }
  }
  return {
    seeds,
    mean,
    clusterTotals,
    seedVariance: seedSquares / (seeds - 1),
    churn: churnSquares / ((seeds - 1) * pairs * pairs),
  };
}

interface VarianceTerm {
  value: number;
  df: number;
}

/** Welch–Satterthwaite: (Σ v)² / Σ v²/df over the variance estimates; `fallback` when every term is 0. */
function satterthwaite(terms: readonly VarianceTerm[], total: number, fallback: number): number {
  const denominator = terms.reduce((sum, t) => (t.df > 0 ? sum + (t.value * t.value) / t.df : sum), 0);
  return denominator > 0 ? (total * total) / denominator : Math.max(1, fallback);
}

/** Two-sided p and the 95 % half-width of a t statistic; a zero standard error gives p = 1 or 0 exactly. */
function tTest(diff: number, se: number, df: number): { p: number; halfWidth: number } {
  if (!(se > 0)) return { p: diff === 0 ? 1 : 0, halfWidth: 0 };
  return {
    p: Math.min(1, 2 * tCdf(-Math.abs(diff) / se, df)),
    halfWidth: tQuantile(0.975, df) * se,
  };
}
