import type { Catalog, RecContext } from '../../data/types.js';
import { hashValue } from '../../util/hash.js';
import { Rng } from '../../util/rng.js';
import { titleOf } from './title-guard.js';
import type { Feedback } from './types.js';

/**
 * How a simulated dialogue grows. Each missed turn adds two utterances: the recommender naming its top item
 * ("How about Heat?") and the user's feedback. The context's entities grow by the named item (the datasets
 * link the recommender's mentions too, and the filtered protocol then never proposes a rejected item again)
 * and by the entities linked in the feedback. Gold, dialogue id and turn id stay those of the logged context.
 */
export function recommenderUtterance(catalog: Catalog, item: number): string {
  return `How about ${titleOf(catalog.items[item]!.name)}?`;
}

/** The dialogue after the recommender's turn naming `named` (the item becomes a context entity). */
export function withRecommenderTurn(
  context: RecContext,
  catalog: Catalog,
  named: number,
  text: string,
): RecContext {
  // Utterance roles follow parity (even = user); a context ending on the recommender gets an empty user turn.
  const padding = context.utterances.length % 2 === 0 ? [''] : [];
  return {
    ...context,
    utterances: [...context.utterances, ...padding, text],
    entities: [...context.entities, catalog.itemEntity[named]!],
  };
}

/** The dialogue after the user's feedback: its text and the entities linked in it. */
export function withUserTurn(context: RecContext, feedback: Pick<Feedback, 'text' | 'entities'>): RecContext {
  return {
    ...context,
    utterances: [...context.utterances, feedback.text],
    entities: [...context.entities, ...feedback.entities],
  };
}

/** A per-dialogue random stream from the run's seed and the context, independent of order and batching. */
export function dialogueRng(seed: number, context: Pick<RecContext, 'dialogId' | 'turnId'>): Rng {
  return new Rng(Number.parseInt(hashValue([seed, context.dialogId, context.turnId]).slice(0, 8), 16));
}
