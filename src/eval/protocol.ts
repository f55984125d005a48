import { pairsOf, type RecPair } from '../data/pairs.js';
import type { Catalog, RecContext } from '../data/types.js';
import { CrsaugError } from '../util/errors.js';
import { exposureMetrics, type Metrics, rankMetrics, type WeightedList } from './metrics.js';

/**
 * The reference offline protocol of FNSCRS `final_evaluation.py` (paper-notes §5.1), in two variants:
 *
 * - filtered ("offline_metrics_removed", the reported numbers): keep the top `topK` items, drop every item
 *   whose entity id is among the context's entities (keeping order), then score every gold entity of the
 *   turn that is not among the context's entities;
 * - unfiltered ("offline_metrics_not_removed"): the top `topK` list as is, every gold entity of the turn,
 *   re-mentions included.
 *
 * Each (context, gold) pair is scored on its own; the turn's other gold items stay in the ranking.
 */
export interface EvalOptions {
  /** Cut-offs for recall/NDCG/MRR/coverage/entropy. */
  ks: readonly number[];
  /** Ranked list length kept before removing context items. */
  topK: number;
}

/** The reference settings (config `eval.ks` / `eval.topK` defaults). */
export const REFERENCE_EVAL_OPTIONS: EvalOptions = { ks: [1, 5, 10, 25, 50], topK: 100 };

/** The (context, gold) pairs of one variant, in context order then gold order. */
export interface PairRanks {
  /** Index of the pair's context in the evaluated context list. */
  contexts: Int32Array;
  /** Gold entity id (an entity2id id; not necessarily a recommendable item). */
  goldEntities: Int32Array;
  /** 0-based rank of the gold item in the variant's ranked list, -1 when absent. */
  ranks: Int32Array;
}

export interface EvalResult {
  /** Filtered metrics (`recall@10`, …, `coverage@10`, `entropy@10`, `pairs`) then `unfiltered.*` ones. */
  metrics: Metrics;
  filtered: PairRanks;
  unfiltered: PairRanks;
}

export const UNFILTERED_PREFIX = 'unfiltered.';

/**
 * Scores ranked lists (item indices, best first; one per context) with the reference protocol.
 * Lists longer than `topK` are cut to `topK` first. The pairs are the data layer's `pairsOf` (with and
 * without repeated-item removal), so evaluation and training agree on what a (context, gold) pair is.
 */
export function evaluateRankings(
  contexts: readonly RecContext[],
  rankings: readonly Int32Array[],
  catalog: Catalog,
  options: EvalOptions = REFERENCE_EVAL_OPTIONS,
): EvalResult {
  if (rankings.length !== contexts.length) {
    throw new CrsaugError(`got ${rankings.length} ranked lists for ${contexts.length} contexts`);
  }
  const lists = contexts.map((context, c) => {
    const list = rankings[c]!.subarray(0, options.topK);
    const kept = filteredList(context, list, catalog);
    return {
      entities: Array.from(list, (item) => catalog.itemEntity[item]!),
      kept,
      keptEntities: Array.from(kept, (item) => catalog.itemEntity[item]!),
    };
  });
  const filtered = rankPairs(pairsOf(contexts, catalog), (pair) => lists[pair.contextIndex]!.keptEntities);
  const unfiltered = rankPairs(
    pairsOf(contexts, catalog, { removeRepeated: false }),
    (pair) => lists[pair.contextIndex]!.entities,
  );
  const labels = new Int32Array(contexts.length);
  for (const c of filtered.contexts) labels[c]!++;
  const exposure: WeightedList[] = lists.map((list, c) => ({ items: list.kept, weight: labels[c]! }));
  return {
    metrics: {
      ...rankMetrics(filtered.ranks, options.ks),
      ...exposureMetrics(exposure, options.ks),
      ...rankMetrics(unfiltered.ranks, options.ks, UNFILTERED_PREFIX),
    },
    filtered,
    unfiltered,
  };
}

/**
 * The filtered variant's list for one context: `list` (already cut to `topK`) without the items whose entity
 * the context mentions, order kept. Judged metrics and the user simulator rank through this too.
 */
export function filteredList(context: RecContext, list: Int32Array, catalog: Catalog): Int32Array {
  const mentioned = new Set(context.entities);
  return list.filter((item) => !mentioned.has(catalog.itemEntity[item]!));
}

/** Each pair's 0-based position of its gold entity in the list (of entity ids) that `listOf` gives. */
function rankPairs(pairs: readonly RecPair[], listOf: (pair: RecPair) => readonly number[]): PairRanks {
  return {
    contexts: Int32Array.from(pairs, (p) => p.contextIndex),
    goldEntities: Int32Array.from(pairs, (p) => p.entity),
    ranks: Int32Array.from(pairs, (p) => listOf(p).indexOf(p.entity)),
  };
}
