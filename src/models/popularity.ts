import type { Dataset, RecContext, Split } from '../data/types.js';
import { CrsaugError } from '../util/errors.js';
import type { Recommender } from './types.js';

/**
 * Popularity baseline: every context gets the same scores, the number of training (context, gold) pairs of
 * each item (`RecContext.gold`, i.e. after repeated-item removal when the loader removes them). Ties fall to
 * the lower item index in evaluation.
 */
export function createPopularity(dataset: Dataset): Recommender {
  const split = labelSplit(dataset);
  const counts = Float32Array.from(countLabels(split.contexts, dataset.catalog.items.length));
  const items = counts.length;
  return {
    name: split.name === 'train' ? 'popularity' : `popularity(${split.name} labels)`,
    score(contexts) {
      const out = new Float32Array(contexts.length * items);
      for (let c = 0; c < contexts.length; c++) out.set(counts, c * items);
      return out;
    },
  };
}

/** Times each item index is a gold label of `contexts`. */
export function countLabels(contexts: readonly RecContext[], items: number): Float64Array {
  const counts = new Float64Array(items);
  for (const context of contexts) for (const item of context.gold) counts[item]!++;
  return counts;
}

/**
 * The split whose labels define popularity: train; when a dataset has no train split (the shared ReDial copy
 * lacks it), valid, and the model name says so.
 */
export function labelSplit(dataset: Dataset): Split {
  const split = dataset.splits.train ?? dataset.splits.valid;
  if (!split) {
    throw new CrsaugError(
      `dataset ${dataset.name} has neither a train nor a valid split loaded to count labels on`,
    );
  }
  return split;
}
