import { pairsOf } from '../data/pairs.js';
import type { Catalog, RecContext } from '../data/types.js';
import { CrsaugError } from '../util/errors.js';
import type { Judgments } from './judgments.js';
import type { Metrics } from './metrics.js';
import { filteredList } from './protocol.js';

/**
 * Judged evaluation: how good a system's top k is by graded relevance judgments, not by the one logged item.
 *
 * Per context, on the reference protocol's filtered list (top `topK`, context items removed):
 * - `judged.ndcg@k`: graded nDCG with gain 2^s − 1 of the judged score s (0, 1, 3, 7, 15 for 0-4) and discount
 *   1/log2(rank + 2); the ideal is the best k of the context's judged items (those the protocol could rank:
 *   not mentioned in the context), so it depends on the judgments, never on the system. An unjudged item has
 *   gain 0 here, as in trec_eval; coverage says how much of the top k that assumption touches.
 * - `judged.precision@k`: share of the k slots holding an item judged ≥ `relevantScore` (3: "good fit").
 * - `judged.coverage@k`: share of the k slots whose relevance is known: judged items, plus slots left empty
 *   by a list shorter than k (known to hold nothing). precision@k ≤ true precision ≤ precision@k + 1 − coverage@k.
 * - `judged.condensed.ndcg@k`, `judged.condensed.precision@k`: the same on the condensed list (Sakai 2007):
 *   unjudged items removed first, then cut at k; a condensed list with fewer than k items leaves empty slots.
 *
 * The gold item: its judgment when it has one ("relevant unless judged otherwise"); an unjudged gold counts as
 * judged with score `unjudgedGoldScore` (3, the lowest relevant score), in every metric including coverage.
 * A pair judged several times gets the mean of its scores (Judgments).
 *
 * Averages are macro over contexts: the evaluated contexts (with a gold pair under the filtered protocol)
 * that have at least one judgment (`contexts: 'judged'`, default) or all evaluated contexts ('evaluated').
 * A context whose ideal DCG is 0 (nothing with a positive gain to find) has no nDCG and is left out of both
 * nDCG means (`judged.ndcgContexts` counts the rest).
 */
export interface JudgedOptions {
  ks: readonly number[];
  /** Ranked list length kept before removing context items (the protocol's 100). */
  topK: number;
  /** A (mean) score at least this counts as relevant for precision. */
  relevantScore: number;
  /** Score given to an unjudged gold item. */
  unjudgedGoldScore: number;
  contexts: 'judged' | 'evaluated';
}

export const DEFAULT_JUDGED_OPTIONS: JudgedOptions = {
  ks: [10],
  topK: 100,
  relevantScore: 3,
  unjudgedGoldScore: 3,
  contexts: 'judged',
};

export const JUDGED_PREFIX = 'judged.';

/** Graded gain of a 0-4 score: 2^s − 1 (exponential, so a 4 outweighs two 3s). */
export function judgedGain(score: number): number {
  return 2 ** score - 1;
}

/** DCG of gains in rank order, first `k` positions: Σ gain_i / log2(i + 2). */
export function dcg(gains: readonly number[], k: number): number {
  let sum = 0;
  for (let i = 0; i < Math.min(k, gains.length); i++) sum += gains[i]! / Math.log2(i + 2);
  return sum;
}

export interface JudgedResult {
  /** `judged.ndcg@10`, …, `judged.contexts`, `judged.ndcgContexts`, `judged.evaluatedContexts`, `judged.unjudgedGold`. */
  metrics: Metrics;
  /** Indices (into the given contexts) of the averaged contexts. */
  contextIndices: Int32Array;
  /** Each averaged metric per averaged context (nDCG NaN where the ideal DCG is 0), for paired tests. */
  perContext: Record<string, Float64Array>;
}

/** Scores each context's ranked list (item indices, best first) against the judgments. */
export function judgedMetrics(
  contexts: readonly RecContext[],
  rankings: readonly Int32Array[],
  catalog: Catalog,
  judgments: Judgments,
  options: JudgedOptions = DEFAULT_JUDGED_OPTIONS,
): JudgedResult {
  if (rankings.length !== contexts.length) {
    throw new CrsaugError(`got ${rankings.length} ranked lists for ${contexts.length} contexts`);
  }
  const evaluated = [...new Set(pairsOf(contexts, catalog).map((p) => p.contextIndex))];
  const chosen = evaluated.filter(
    (c) =>
      options.contexts === 'evaluated' || judgments.hasContext(contexts[c]!.dialogId, contexts[c]!.turnId),
  );
  const names = options.ks.flatMap((k) => [
    `ndcg@${k}`,
    `precision@${k}`,
    `coverage@${k}`,
    `condensed.ndcg@${k}`,
    `condensed.precision@${k}`,
  ]);
  const perContext: Record<string, Float64Array> = {};
  for (const name of names) perContext[`${JUDGED_PREFIX}${name}`] = new Float64Array(chosen.length);
  let unjudgedGold = 0;
  chosen.forEach((c, row) => {
    const context = contexts[c]!;
    const scores = contextScores(context, catalog, judgments, options.unjudgedGoldScore);
    unjudgedGold += scores.unjudgedGold;
    const list = Array.from(filteredList(context, rankings[c]!.subarray(0, options.topK), catalog));
    const condensed = list.filter((item) => scores.byItem.has(item));
    const ideal = [...scores.byItem.values()].map(judgedGain).sort((a, b) => b - a);
    for (const k of options.ks) {
      const values = {
        [`ndcg@${k}`]: ndcgAt(list, scores.byItem, ideal, k),
        [`precision@${k}`]: precisionAt(list, scores.byItem, k, options.relevantScore),
        [`coverage@${k}`]: coverageAt(list, scores.byItem, k),
        [`condensed.ndcg@${k}`]: ndcgAt(condensed, scores.byItem, ideal, k),
        [`condensed.precision@${k}`]: precisionAt(condensed, scores.byItem, k, options.relevantScore),
      };
      for (const [name, value] of Object.entries(values)) perContext[`${JUDGED_PREFIX}${name}`]![row] = value;
    }
  });
  const metrics: Metrics = {};
  for (const [name, values] of Object.entries(perContext)) metrics[name] = meanDefined(values);
  const ndcgKey = options.ks.length > 0 ? `${JUDGED_PREFIX}ndcg@${options.ks[0]}` : undefined;
  metrics[`${JUDGED_PREFIX}contexts`] = chosen.length;
  metrics[`${JUDGED_PREFIX}ndcgContexts`] = ndcgKey ? countDefined(perContext[ndcgKey]!) : 0;
  metrics[`${JUDGED_PREFIX}evaluatedContexts`] = evaluated.length;
  metrics[`${JUDGED_PREFIX}unjudgedGold`] = unjudgedGold;
  return { metrics, contextIndices: Int32Array.from(chosen), perContext };
}

/**
 * The known scores of a context's rankable items: its judgments (items the context mentions left out: the
 * protocol never ranks them) and its gold items, an unjudged gold scored `unjudgedGoldScore`.
 */
function contextScores(
  context: RecContext,
  catalog: Catalog,
  judgments: Judgments,
  unjudgedGoldScore: number,
): { byItem: Map<number, number>; unjudgedGold: number } {
  const mentioned = new Set(context.entities);
  const byItem = new Map<number, number>();
  for (const [item, judgment] of judgments.itemsOf(context.dialogId, context.turnId)) {
    if (!mentioned.has(catalog.itemEntity[item]!)) byItem.set(item, judgment.score);
  }
  let unjudgedGold = 0;
  for (const item of context.gold) {
    if (byItem.has(item)) continue;
    byItem.set(item, unjudgedGoldScore);
    unjudgedGold++;
  }
  return { byItem, unjudgedGold };
}

function ndcgAt(list: readonly number[], scores: Map<number, number>, ideal: readonly number[], k: number) {
  const best = dcg(ideal, k);
  if (best === 0) return Number.NaN;
  const gains = list.slice(0, k).map((item) => {
    const score = scores.get(item);
    return score === undefined ? 0 : judgedGain(score);
  });
  return dcg(gains, k) / best;
}

function precisionAt(list: readonly number[], scores: Map<number, number>, k: number, relevant: number) {
  let hits = 0;
  for (const item of list.slice(0, k)) if ((scores.get(item) ?? -1) >= relevant) hits++;
  return hits / k;
}

function coverageAt(list: readonly number[], scores: Map<number, number>, k: number) {
  const top = list.slice(0, k);
  const empty = k - top.length;
  return (top.filter((item) => scores.has(item)).length + empty) / k;
}

function meanDefined(values: Float64Array): number {
  let sum = 0;
  let n = 0;
  for (const v of values) {
    if (Number.isNaN(v)) continue;
    sum += v;
    n++;
  }
  return n ? sum / n : 0;
}

function countDefined(values: Float64Array): number {
  let n = 0;
  for (const v of values) if (!Number.isNaN(v)) n++;
  return n;
}
