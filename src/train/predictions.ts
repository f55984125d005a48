import type { Dataset, RecContext } from '../data/types.js';
import { type EvalOptions, evaluateRecommender, writePredictions } from '../eval/index.js';
import { asRecommender } from '../models/trainable.js';
import { loadModel } from './checkpoint.js';

/**
 * Writes a checkpoint's ranked lists for `contexts` in the predictions format (item names, best first), so
 * `crsaug eval --compare` can test a trained model against any other predictions file.
 */
export async function writeCheckpointPredictions(
  checkpoint: string,
  dataset: Dataset,
  contexts: readonly RecContext[],
  file: string,
  options: EvalOptions,
): Promise<void> {
  const model = await loadModel(checkpoint, dataset);
  try {
    const { rankings } = evaluateRecommender(asRecommender(model), contexts, dataset.catalog, {
      ...options,
      silent: true,
    });
    await writePredictions(file, contexts, rankings, dataset.catalog);
  } finally {
    model.module.free();
  }
}
