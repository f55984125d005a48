import { join } from 'node:path';
import type { ChatProviderConfig, EmbeddingProviderConfig, ProvidersConfig } from '../config/providers.js';
import { CrsaugError } from '../util/errors.js';
import { TfidfLsaEmbedder } from './builtin/tfidf-lsa-embedder.js';
import { FITTED_MODELS_DIR } from './builtin/tfidf-lsa-file.js';
import { LlamaCppChatModel } from './llamacpp/chat.js';
import { LlamaCppEmbeddingModel } from './llamacpp/embedding.js';
import { withCache } from './middleware/cache.js';
import { ProviderCacheStore } from './middleware/cache-store.js';
import { withLimits } from './middleware/limits.js';
import { withRetry } from './middleware/retry.js';
import { UsageTracker, withUsage } from './middleware/usage.js';
import { OpenAICompatibleChatModel } from './openai-compatible/chat.js';
import { OpenAICompatibleEmbeddingModel } from './openai-compatible/embedding.js';
import { TransformersEmbeddingModel } from './transformers/embedding.js';
import type { AnyModel, ChatModel, EmbeddingModel } from './types.js';

export const CACHE_FILE_NAME = 'providers.sqlite';

export interface ProviderRuntime {
  /**
   * Folder of the SQLite cache (providers.sqlite; required unless config.cache is false) and of the fitted
   * builtin embedders (builtin-embedder/, used whenever the folder is given).
   */
  cacheDir?: string;
  /** Shared accounting for the run; a fresh tracker priced from config.prices when absent. */
  usage?: UsageTracker;
  /** Pipeline stage the calls are booked under (e.g. 'retrieve', 'label'). */
  stage?: string;
}

export interface EmbeddingRuntime extends ProviderRuntime {
  /** Texts the builtin embedder is fit on (item texts plus training contexts); required for 'builtin'. */
  fitTexts?: string[];
  seed?: number;
}

/** The wrapped model plus what the caller needs to report and clean up. */
export interface ProvidedModel<M extends AnyModel> {
  model: M;
  usage: UsageTracker;
  /** Closes the cache database. */
  close(): void;
}

/** Which chat provider the config selects: explicit, else openai-compatible when a base URL is set. */
export function selectChatProvider(config: ChatProviderConfig): ChatProviderConfig['provider'] {
  return config.provider ?? (config.baseUrl ? 'openai-compatible' : undefined);
}

export function selectEmbeddingProvider(
  config: EmbeddingProviderConfig,
): NonNullable<EmbeddingProviderConfig['provider']> {
  return config.provider ?? (config.baseUrl ? 'openai-compatible' : 'builtin');
}

/** The chat model the config names, wrapped as: cache → usage → retry → limits → model. */
export async function createChatModel(
  config: ProvidersConfig,
  runtime: ProviderRuntime = {},
): Promise<ProvidedModel<ChatModel>> {
  const settings = config.chat;
  const provider = selectChatProvider(settings);
  let base: ChatModel;
  switch (provider) {
    case 'openai-compatible':
      base = new OpenAICompatibleChatModel({
        baseUrl: required(settings.baseUrl, 'providers.chat.baseUrl', 'CRSAUG_LLM_BASE_URL'),
        model: required(settings.model, 'providers.chat.model', 'CRSAUG_LLM_MODEL'),
        apiKey: settings.apiKey,
        timeoutMs: settings.timeoutMs,
      });
      break;
    case 'llamacpp':
      base = await LlamaCppChatModel.load(required(settings.modelPath, 'providers.chat.modelPath'), {
        threads: settings.threads,
      });
      break;
    case undefined:
      throw new CrsaugError('no chat model configured', {
        hint: 'set CRSAUG_LLM_BASE_URL and CRSAUG_LLM_MODEL (an OpenAI-compatible server), or providers.chat in crsaug.config.json',
      });
  }
  return wrapForRun(base, config, settings, runtime);
}

/** The embedding model the config names, wrapped like createChatModel's. */
export async function createEmbeddingModel(
  config: ProvidersConfig,
  runtime: EmbeddingRuntime = {},
): Promise<ProvidedModel<EmbeddingModel>> {
  const settings = config.embedding;
  const provider = selectEmbeddingProvider(settings);
  let base: EmbeddingModel;
  switch (provider) {
    case 'openai-compatible':
    case 'tei':
      base = new OpenAICompatibleEmbeddingModel({
        api: provider === 'tei' ? 'tei' : 'openai',
        baseUrl: required(settings.baseUrl, 'providers.embedding.baseUrl', 'CRSAUG_EMBED_BASE_URL'),
        model:
          provider === 'tei'
            ? (settings.model ?? 'tei')
            : required(settings.model, 'providers.embedding.model', 'CRSAUG_EMBED_MODEL'),
        apiKey: settings.apiKey,
        timeoutMs: settings.timeoutMs,
        maxEmbeddingsPerCall: settings.batchSize,
        dimensions: settings.dimensions,
      });
      break;
    case 'builtin':
      if (!runtime.fitTexts)
        throw new Error('the builtin embedder needs fitTexts (item texts and training contexts)');
      base = new TfidfLsaEmbedder(runtime.fitTexts, {
        dimensions: settings.dimensions,
        seed: runtime.seed,
        ...(runtime.cacheDir ? { modelDir: join(runtime.cacheDir, FITTED_MODELS_DIR) } : {}),
      });
      break;
    case 'llamacpp':
      base = await LlamaCppEmbeddingModel.load(
        required(settings.modelPath, 'providers.embedding.modelPath'),
        {
          threads: settings.threads,
        },
      );
      break;
    case 'transformers':
      base = await TransformersEmbeddingModel.load(
        required(settings.modelPath, 'providers.embedding.modelPath'),
        { batchSize: settings.batchSize },
      );
      break;
  }
  return wrapForRun(base, config, settings, runtime);
}

function wrapForRun<M extends AnyModel>(
  base: M,
  config: ProvidersConfig,
  policy: ChatProviderConfig | EmbeddingProviderConfig,
  runtime: ProviderRuntime,
): ProvidedModel<M> {
  const usage = runtime.usage ?? new UsageTracker(config.prices);
  const stage = runtime.stage ?? 'default';
  let model = withLimits(base, {
    concurrency: policy.concurrency,
    requestsPerMinute: policy.requestsPerMinute,
    tokensPerMinute: policy.tokensPerMinute,
  });
  model = withRetry(model, { maxRetries: policy.maxRetries, onRetry: () => usage.recordRetry(stage, base) });
  model = withUsage(model, usage, stage);
  let store: ProviderCacheStore | undefined;
  if (config.cache) {
    const dir = required(runtime.cacheDir, 'cacheDir', 'CRSAUG_CACHE_DIR');
    store = new ProviderCacheStore(join(dir, CACHE_FILE_NAME));
    model = withCache(model, store, { onHit: (count) => usage.recordCacheHits(stage, base, count) });
  }
  return { model, usage, close: () => store?.close() };
}

function required<T>(value: T | undefined, field: string, envName?: string): T {
  if (value === undefined || value === '') {
    throw new CrsaugError(`missing setting ${field}`, {
      hint: envName ? `set it in crsaug.config.json or with ${envName}` : 'set it in crsaug.config.json',
    });
  }
  return value;
}
