import type { Catalog, Dataset, RecContext, Split, SplitName } from '../data/types.js';
import type { RecommenderSpec } from '../models/registry.js';
import type { Recommender } from '../models/types.js';
import { CrsaugError } from '../util/errors.js';
import { Progress } from '../util/progress.js';
import { aggregateRuns, type MetricsSummary } from './aggregate.js';
import { type LoadedPredictions, readPredictions } from './predictions.js';
import { type EvalOptions, type EvalResult, evaluateRankings, REFERENCE_EVAL_OPTIONS } from './protocol.js';
import { topKOfMatrix } from './topk.js';

export interface RankOptions {
  /** Length of each ranked list. */
  topK: number;
  /** Contexts scored per `score` call (bounds memory: a ReDial batch of 256 is 256 × 6,576 floats). */
  batchSize?: number;
  /** No progress line on stderr. */
  silent?: boolean;
}

const DEFAULT_BATCH = 256;

/** Scores contexts in batches and keeps each context's top `topK` item indices (best first). */
export function rankContexts(
  recommender: Recommender,
  contexts: readonly RecContext[],
  itemCount: number,
  options: RankOptions,
): Int32Array[] {
  const batch = options.batchSize ?? DEFAULT_BATCH;
  const progress = new Progress(`ranking (${recommender.name})`, contexts.length, {
    unit: 'contexts',
    silent: options.silent,
  });
  const rankings: Int32Array[] = [];
  for (let start = 0; start < contexts.length; start += batch) {
    const slice = contexts.slice(start, start + batch);
    rankings.push(...topKOfMatrix(recommender.score(slice), slice.length, itemCount, options.topK));
    progress.tick(slice.length);
  }
  progress.finish();
  return rankings;
}

export interface RankedRun {
  /** The recommender's name (or the predictions file). */
  name: string;
  rankings: Int32Array[];
  result: EvalResult;
}

/** Ranks and evaluates one recommender on contexts with the reference protocol. */
export function evaluateRecommender(
  recommender: Recommender,
  contexts: readonly RecContext[],
  catalog: Catalog,
  options: EvalOptions & Omit<RankOptions, 'topK'> = REFERENCE_EVAL_OPTIONS,
): RankedRun {
  const rankings = rankContexts(recommender, contexts, catalog.items.length, options);
  return { name: recommender.name, rankings, result: evaluateRankings(contexts, rankings, catalog, options) };
}

/** Reads a predictions file for contexts and evaluates it with the reference protocol. */
export async function evaluatePredictionsFile(
  file: string,
  contexts: readonly RecContext[],
  catalog: Catalog,
  options: EvalOptions = REFERENCE_EVAL_OPTIONS,
): Promise<RankedRun & { report: LoadedPredictions['report'] }> {
  const { rankings, report } = await readPredictions(file, contexts, catalog);
  return { name: file, rankings, report, result: evaluateRankings(contexts, rankings, catalog, options) };
}

export interface SeededRun extends RankedRun {
  seed: number;
}

/**
 * Evaluates a registered recommender once per seed (once in all when it is not seeded) and summarises the
 * runs as mean ± sample std.
 */
export async function evaluateSeeds(
  spec: RecommenderSpec,
  dataset: Dataset,
  contexts: readonly RecContext[],
  seeds: readonly number[],
  options: EvalOptions & Omit<RankOptions, 'topK'> = REFERENCE_EVAL_OPTIONS,
): Promise<{ runs: SeededRun[]; summary: MetricsSummary }> {
  const runSeeds = spec.seeded ? seeds : seeds.slice(0, 1);
  const runs: SeededRun[] = [];
  for (const seed of runSeeds) {
    const recommender = await spec.create(dataset, { seed });
    runs.push({ seed, ...evaluateRecommender(recommender, contexts, dataset.catalog, options) });
  }
  return { runs, summary: aggregateRuns(runs.map((r) => r.result.metrics)) };
}

/** A loaded split of a dataset, or an error saying which splits are there. */
export function splitOf(dataset: Dataset, name: SplitName): Split {
  const split = dataset.splits[name];
  if (!split) {
    throw new CrsaugError(
      `dataset ${dataset.name} has no ${name} split loaded (loaded: ${Object.keys(dataset.splits).join(', ') || 'none'})`,
    );
  }
  return split;
}
