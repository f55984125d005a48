import type { RecContext } from '../data/types.js';
import { keep, noGrad, tidy } from '../engine/index.js';
import { type EncodedEntities, Kbrd } from '../models/kbrd.js';
import { asRecommender, type TrainableModel } from '../models/trainable.js';

/** A loaded model answering requests: item scores [contexts × items], and the release of its weights. */
export interface ServingScorer {
  readonly items: number;
  score(contexts: readonly RecContext[]): Float32Array;
  free(): void;
}

/**
 * The model in eval mode for serving. KBRD's R-GCN entity vectors do not depend on the context, yet its
 * forward pass recomputes them for every item on each call (training needs that); with frozen weights they are
 * computed once here, for every entity, so a request only pools its own entities and scores the items: the
 * same numbers as asRecommender (test/serve/serving-scorer.test.ts), a fraction of the time.
 */
export function servingScorer(model: TrainableModel, items: number): ServingScorer {
  model.module.eval();
  if (model instanceof Kbrd) return frozenKbrd(model, items);
  const recommender = asRecommender(model);
  return { items, score: (contexts) => recommender.score(contexts), free: () => model.module.free() };
}

function frozenKbrd(model: Kbrd, items: number): ServingScorer {
  const { entities, maxEntities } = model.config as { entities: number; maxEntities: number };
  // encodeEntities computes the items plus the kept entities of the contexts it is given: ask for all of them.
  const everyEntity: RecContext[] = [];
  for (let start = 0; start < entities; start += maxEntities) {
    const ids = Array.from({ length: Math.min(maxEntities, entities - start) }, (_, i) => start + i);
    everyEntity.push({
      dialogId: '',
      turnId: 0,
      utterances: [],
      entities: ids,
      gold: [],
      goldEntities: [],
      recNames: [],
    });
  }
  const encoded: EncodedEntities = noGrad(() =>
    tidy(() => {
      const { vectors, rowOf } = model.encodeEntities(everyEntity);
      return { vectors: keep(vectors), rowOf };
    }),
  );
  return {
    items,
    score: (contexts) =>
      tidy(() => noGrad(() => model.scoreItems(model.userVectors(encoded, contexts), encoded).toArray())),
    free: () => {
      encoded.vectors.free();
      model.module.free();
    },
  };
}
