import type { RecContext } from '../data/types.js';
import { embedding, keep, noGrad, slice, tidy } from '../engine/index.js';
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
 * computed once here, for every entity, so a request only pools its own entities' rows and scores the item
 * table: the same numbers as asRecommender (test/serve/serving-scorer.test.ts) in a fraction of the time.
 */
export function servingScorer(model: TrainableModel, items: number): ServingScorer {
  model.module.eval();
  if (model.module instanceof Kbrd) return frozenKbrd(model.module, items);
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
  const frozen = noGrad(() =>
    tidy(() => {
      const { vectors, rowOf } = model.encodeEntities(everyEntity);
      // Items come first in the encoding; the item table alone is what scoreItems reads.
      return { all: keep(vectors), rowOf, items: keep(slice(vectors, 0, 0, items)) };
    }),
  );
  const itemTable: EncodedEntities = { vectors: frozen.items, rowOf: frozen.rowOf };
  // Per request, only the request's entity rows are handed to the pooling (the rest of the table is not
  // copied); this scratch maps their entity ids to those rows and is reset after each call.
  const localRow = new Int32Array(entities).fill(-1);
  return {
    items,
    score: (contexts) => {
      const ids = [...new Set(contexts.flatMap((c) => c.entities))];
      ids.forEach((entity, row) => {
        localRow[entity] = row;
      });
      try {
        return tidy(() =>
          noGrad(() => {
            // A context without entities pools the model's learned empty row; one gathered row keeps shapes valid.
            const rows = ids.length > 0 ? ids.map((e) => frozen.rowOf[e]!) : [0];
            const local: EncodedEntities = { vectors: embedding(frozen.all, rows), rowOf: localRow };
            return model.scoreItems(model.userVectors(local, contexts), itemTable).toArray();
          }),
        );
      } finally {
        for (const entity of ids) localRow[entity] = -1;
      }
    },
    free: () => {
      frozen.all.free();
      frozen.items.free();
      model.module.free();
    },
  };
}
