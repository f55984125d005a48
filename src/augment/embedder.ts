import type { ProvidersConfig } from '../config/providers.js';
import { TfidfLsaEmbedder } from '../providers/builtin/tfidf-lsa-embedder.js';
import {
  createEmbeddingModel,
  type ProvidedModel,
  type ProviderRuntime,
  selectEmbeddingProvider,
} from '../providers/factory.js';
import { UsageTracker } from '../providers/middleware/usage.js';
import type { EmbeddingModel } from '../providers/types.js';

/**
 * The embedding model for retrieval. The builtin TF-IDF/LSA embedder has to be fitted on a corpus first, which
 * the provider factory cannot do; `fitCorpus` supplies it (it must not depend on the shard or the requested
 * splits, or shards would embed with different models). Other providers come from the factory (cached).
 */
export async function openEmbeddingModel(
  config: ProvidersConfig,
  runtime: ProviderRuntime & { seed: number; silent?: boolean },
  fitCorpus: () => string[],
): Promise<ProvidedModel<EmbeddingModel>> {
  if (selectEmbeddingProvider(config.embedding) !== 'builtin') return createEmbeddingModel(config, runtime);
  const model = TfidfLsaEmbedder.fit(fitCorpus(), {
    dimensions: config.embedding.dimensions,
    seed: runtime.seed,
    silent: runtime.silent,
  });
  return { model, usage: runtime.usage ?? new UsageTracker(config.prices), close: () => {} };
}
