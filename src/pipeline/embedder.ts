import { renderContextText } from '../augment/context-text.js';
import { openEmbeddingModel } from '../augment/embedder.js';
import { itemTexts } from '../augment/retrieve.js';
import { resolveCacheDir } from '../config/paths.js';
import type { Config } from '../config/schema.js';
import type { Dataset } from '../data/types.js';
import type { ProvidedModel } from '../providers/factory.js';
import type { EmbeddingModel } from '../providers/types.js';

/**
 * The retrieval embedder for a dataset, opened the way `crsaug augment retrieve` opens it: the configured
 * provider, or the builtin TF-IDF/LSA embedder fitted on item texts plus train contexts (so retrieval and
 * student features share one space).
 */
export function openDatasetEmbedder(
  config: Config,
  dataset: Dataset,
  stage: string,
): Promise<ProvidedModel<EmbeddingModel>> {
  const cfg = config.augment.retrieve;
  return openEmbeddingModel(
    config.providers,
    { cacheDir: resolveCacheDir(config.cacheDir), stage, seed: config.seed },
    () => [
      ...itemTexts(dataset.catalog, cfg),
      ...(dataset.splits.train?.contexts ?? []).map((c) => renderContextText(c, cfg)),
    ],
  );
}
