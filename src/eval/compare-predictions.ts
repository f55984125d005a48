import type { Catalog, RecContext } from '../data/types.js';
import { CrsaugError } from '../util/errors.js';
import { aggregateRuns, type MetricsSummary } from './aggregate.js';
import { evaluatePredictionsFile, type RankedRun } from './evaluate.js';
import type { LoadedPredictions } from './predictions.js';
import type { EvalOptions } from './protocol.js';
import { compareSeededPairRanks, pairDialogues, type SeedAwareComparison } from './seed-significance.js';
import { comparePairRanks, type SignificanceOptions, type SignificanceResult } from './significance.js';

/** One system's predictions files, one per seed (or a single run), each evaluated with the reference protocol. */
export interface PredictionsSide {
  files: readonly string[];
  runs: (RankedRun & { report: LoadedPredictions['report'] })[];
  summary: MetricsSummary;
}

export async function evaluatePredictionsFiles(
  files: readonly string[],
  contexts: readonly RecContext[],
  catalog: Catalog,
  options: EvalOptions,
): Promise<PredictionsSide> {
  const runs = [];
  for (const file of files) runs.push(await evaluatePredictionsFile(file, contexts, catalog, options));
  return { files, runs, summary: aggregateRuns(runs.map((r) => r.result.metrics)) };
}

/**
 * B against A on one metric. With several runs (seeds) on both sides: the seed-aware comparison (seeds and
 * dialogues). With one run on each: the paired tests of two fixed models, which count neither the seed variance
 * nor the dialogue clustering. A mix is refused: one run cannot show its side's seed variance.
 */
export type PredictionsComparison =
  | { kind: 'seed-aware'; result: SeedAwareComparison }
  | { kind: 'fixed-models'; result: SignificanceResult };

export function comparePredictionSides(
  a: PredictionsSide,
  b: PredictionsSide,
  contexts: readonly RecContext[],
  catalog: Catalog,
  metric: string,
  fixedModels: SignificanceOptions,
): PredictionsComparison {
  if (a.runs.length === 1 && b.runs.length === 1) {
    const result = comparePairRanks(
      a.runs[0]!.result.filtered,
      b.runs[0]!.result.filtered,
      metric,
      fixedModels,
    );
    return { kind: 'fixed-models', result };
  }
  if (a.runs.length < 2 || b.runs.length < 2) {
    throw new CrsaugError(
      `A has ${a.runs.length} predictions file(s) and B ${b.runs.length}: the seed-aware comparison needs ≥ 2 on each side`,
      {
        hint: 'give one file per seed on both sides (--predictions a1 a2 a3 --compare b1 b2 b3), or one file on each side for the fixed-models tests; a deterministic recommender has no seed variance: give its file twice',
      },
    );
  }
  const ranks = (side: PredictionsSide) => side.runs.map((r) => r.result.filtered.ranks);
  return {
    kind: 'seed-aware',
    result: compareSeededPairRanks(ranks(a), ranks(b), pairDialogues(contexts, catalog), metric),
  };
}
