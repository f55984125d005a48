import type { RecContext } from '../data/types.js';

/**
 * Anything that scores the catalog's items for a context. Scores are over item indices (higher is better);
 * the evaluation protocol takes care of ranking, top-K and removal of items the context already mentions.
 */
export interface Recommender {
  /** Registry name plus anything that identifies this instance (e.g. 'popularity'). */
  readonly name: string;
  /** Scores every item for each context: a row-major [contexts.length × items] matrix. */
  score(contexts: readonly RecContext[]): Float32Array;
}
