import type { RecContext } from '../data/types.js';
import { type Module, noGrad, type Tensor, tidy } from '../engine/index.js';
import type { Recommender } from './types.js';

/**
 * A recommender with trainable weights: a Module whose forward pass maps a batch of contexts to item
 * logits [contexts, items]. The trainer owns the loss; `config` is what rebuilds the same architecture
 * from a checkpoint (it is saved as the checkpoint's config.json).
 */
export interface BackboneModule {
  readonly module: Module;
  /** JSON-able architecture config (backbone settings, sizes). */
  readonly config: Record<string, unknown>;
  /** Item logits [contexts.length, items], recorded for backprop when gradients are enabled. */
  logits(contexts: readonly RecContext[]): Tensor;
  /** Sets the per-item logit bias (e.g. to the log label prior before training). */
  setItemBias(bias: Float32Array): void;
}

/** A backbone module as built by the registry: with its name there, which its checkpoint records. */
export interface TrainableModel extends BackboneModule {
  readonly backbone: string;
}

/**
 * The model as an evaluation Recommender: logits without gradient tape, in eval mode, copied out of the
 * engine heap. Scores are raw logits (ranking only needs their order).
 */
export function asRecommender(
  model: BackboneModule,
  name = 'backbone' in model ? String(model.backbone) : 'model',
): Recommender {
  return {
    name,
    score(contexts) {
      const wasTraining = model.module.training;
      model.module.eval();
      try {
        return tidy(() => noGrad(() => model.logits(contexts).toArray()));
      } finally {
        model.module.train(wasTraining);
      }
    },
  };
}
