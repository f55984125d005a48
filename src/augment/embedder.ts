import type { ProvidersConfig } from '../config/providers.js';
import {
  createEmbeddingModel,
  type EmbeddingRuntime,
  type ProvidedModel,
  selectEmbeddingProvider,
} from '../providers/factory.js';
import type { EmbeddingModel } from '../providers/types.js';

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
