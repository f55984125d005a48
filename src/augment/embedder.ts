import type { RetrieveConfig } from '../config/augment.js';
import { resolveCacheDir } from '../config/paths.js';
import type { ProvidersConfig } from '../config/providers.js';
import type { Config } from '../config/schema.js';
import type { Dataset } from '../data/types.js';
import {
  createEmbeddingModel,
  type EmbeddingRuntime,
  type ProvidedModel,
  selectEmbeddingProvider,
} from '../providers/factory.js';
import type { EmbeddingModel } from '../providers/types.js';
import { renderContextText } from './context-text.js';
import { itemTexts, titleMatcherOf } from './retrieve.js';

/**
 * The embedding model for retrieval, from the provider factory. The builtin TF-IDF/LSA embedder is fitted on
 * `fitCorpus()` (built only when that embedder is selected); the corpus must not depend on the shard or the
 * requested splits, or shards would embed with different models.
 */
export async function openEmbeddingModel(
  config: ProvidersConfig,
  runtime: Omit<EmbeddingRuntime, 'fitTexts'>,
  fitCorpus: () => string[],
): Promise<ProvidedModel<EmbeddingModel>> {
  const builtin = selectEmbeddingProvider(config.embedding) === 'builtin';
  return createEmbeddingModel(config, builtin ? { ...runtime, fitTexts: fitCorpus() } : runtime);
}

/**
 * The retrieval embedder for a dataset as every stage opens it: the configured provider, or the builtin
 * embedder fitted on `augment.retrieve.fitCorpus`, so retrieval and the student's features share one space.
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
    () => builtinFitCorpus(dataset, cfg),
  );
}

/** The texts the builtin embedder is fitted on (see RetrieveConfig.fitCorpus). */
export function builtinFitCorpus(dataset: Dataset, cfg: RetrieveConfig): string[] {
  const items = itemTexts(dataset.catalog, cfg);
  if (cfg.fitCorpus === 'items') return items;
  const contexts = (dataset.splits.train?.contexts ?? []).map((c) => renderContextText(c, cfg));
  if (cfg.fitCorpus === 'items+contexts') return [...items, ...contexts];
  const titles = titleMatcherOf(dataset.catalog);
  return [...items, ...contexts.map((text) => titles.mask(text))];
}
