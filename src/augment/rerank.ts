import type { RecContext } from '../data/types.js';
import { topKOfRow } from '../eval/topk.js';
import type { Recommender } from '../models/types.js';
import type { PairScorer } from './synthesize.js';

/**
 * Re-ranking at inference (beyond the paper): a recommender's top N items per context re-ordered by
 * z(base score) + weight · student score, z standardising the base scores within the context's list so one
 * weight means the same for every context and backbone. Weight 0 keeps the base order.
 */

/** A context's top-N items (best first) with the base recommender's scores. */
export interface ScoredList {
  items: Int32Array;
  scores: Float32Array;
}

/** The recommender's top `n` items of every context, with their scores (contexts scored in batches). */
export function scoredTopN(
  recommender: Recommender,
  contexts: readonly RecContext[],
  itemCount: number,
  n: number,
  batchSize = 256,
): ScoredList[] {
  const lists: ScoredList[] = [];
  for (let start = 0; start < contexts.length; start += batchSize) {
    const batch = contexts.slice(start, start + batchSize);
    const matrix = recommender.score(batch);
    batch.forEach((_, row) => {
      const offset = row * itemCount;
      const items = topKOfRow(matrix, n, offset, itemCount);
      lists.push({ items, scores: Float32Array.from(items, (item) => matrix[offset + item]!) });
    });
  }
  return lists;
}

/** The list's items ordered by z(base) + weight · student (`student` aligned with `list.items`); ties keep the base order. */
export function fuseList(list: ScoredList, student: ArrayLike<number>, weight: number): Int32Array {
  const n = list.items.length;
  if (weight === 0 || n < 2) return list.items.slice();
  let mean = 0;
  for (let i = 0; i < n; i++) mean += list.scores[i]! / n;
  let variance = 0;
  for (let i = 0; i < n; i++) variance += (list.scores[i]! - mean) ** 2 / n;
  const std = variance > 1e-12 ? Math.sqrt(variance) : 1;
  const fused = Float64Array.from(
    { length: n },
    (_, i) => (list.scores[i]! - mean) / std + weight * student[i]!,
  );
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => fused[b]! - fused[a]! || a - b);
  return Int32Array.from(order, (i) => list.items[i]!);
}

/**
 * The student's score of every item of every context's lists (the union of several seeds' lists, scored
 * once), as one map per context from item to score. Contexts are featurised `chunk` at a time.
 */
export async function studentScoresOf(
  scorer: PairScorer,
  contexts: readonly RecContext[],
  listsPerContext: readonly (readonly Int32Array[])[],
  chunk = 256,
): Promise<Map<number, number>[]> {
  const out: Map<number, number>[] = [];
  for (let start = 0; start < contexts.length; start += chunk) {
    const requests = contexts.slice(start, start + chunk).map((context, i) => ({
      context,
      items: [...new Set(listsPerContext[start + i]!.flatMap((list) => [...list]))],
    }));
    const scores = await scorer.score(requests);
    let offset = 0;
    for (const { items } of requests) {
      out.push(new Map(items.map((item, i) => [item, scores[offset + i]!])));
      offset += items.length;
    }
  }
  return out;
}
