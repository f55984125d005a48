import type { Catalog, RecContext } from './types.js';

/**
 * One evaluated (context, gold) pair of the reference protocol (paper-notes §5.1): a gold rec name found in
 * entity2id and, with repeated-item removal, not already among the context's entities.
 */
export interface RecPair {
  /** Index of the context in the list given to pairsOf. */
  contextIndex: number;
  /** Gold entity id. */
  entity: number;
  /**
   * Item index of the gold, or -1 when the gold entity is not a recommendable item. Such a pair still counts
   * in the denominator (the reference maps INSPIRED's `""` rec label to entity 3118 and counts it) but can
   * never be hit; INSPIRED valid has one (164 pairs, 163 with an item).
   */
  item: number;
}

/**
 * The evaluated pairs of a list of contexts. Recall and friends are micro-averages over these pairs, so
 * metric denominators must be `pairsOf(...).length`, not the number of `gold` entries.
 * `removeRepeated` must match the value the dataset was loaded with (default true in both).
 */
export function pairsOf(
  contexts: readonly RecContext[],
  catalog: Catalog,
  options: { removeRepeated?: boolean } = {},
): RecPair[] {
  const removeRepeated = options.removeRepeated ?? true;
  const pairs: RecPair[] = [];
  contexts.forEach((context, contextIndex) => {
    const mentioned = removeRepeated ? new Set(context.entities) : undefined;
    for (const entity of context.goldEntities) {
      if (mentioned?.has(entity)) continue;
      pairs.push({ contextIndex, entity, item: catalog.itemOfEntity[entity]! });
    }
  });
  return pairs;
}

/** Contexts with at least one evaluated pair (the ones the reference evaluation iterates over). */
export function evaluatedContexts(
  contexts: readonly RecContext[],
  catalog: Catalog,
  options: { removeRepeated?: boolean } = {},
): RecContext[] {
  const withPairs = new Set(pairsOf(contexts, catalog, options).map((p) => p.contextIndex));
  return contexts.filter((_, i) => withPairs.has(i));
}
