import type { Dataset } from '../data/types.js';
import type { Recommender } from './types.js';

/**
 * Repeat baseline: recommends only the items the context already mentions, most recent mention first; every
 * other item is scored -Infinity (not ranked at all). Under the filtered protocol all of its items are removed,
 * so it must score 0 there; its unfiltered score shows how much re-mentions inflate unfiltered numbers.
 */
export function createRepeat(dataset: Dataset): Recommender {
  const { itemOfEntity, items } = dataset.catalog;
  const itemCount = items.length;
  return {
    name: 'repeat',
    score(contexts) {
      const out = new Float32Array(contexts.length * itemCount).fill(Number.NEGATIVE_INFINITY);
      contexts.forEach((context, c) => {
        context.entities.forEach((entity, position) => {
          const item = itemOfEntity[entity] ?? -1;
          // A later mention overwrites an earlier one, so the score is the position of the last mention.
          if (item >= 0) out[c * itemCount + item] = position + 1;
        });
      });
      return out;
    },
  };
}
