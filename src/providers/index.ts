/** The provider layer's public surface: model specifications, implementations, wrappers and factories. */

export { DEFAULT_LSA_DIMENSIONS, TfidfLsa, type TfidfLsaOptions } from './builtin/tfidf-lsa.js';
export { TfidfLsaEmbedder } from './builtin/tfidf-lsa-embedder.js';
export { type EmbedManyOptions, type EmbedManyResult, embedMany } from './embed-many.js';
export { ApiCallError, RetriesExhaustedError, TooManyEmbeddingValuesError } from './errors.js';
export {
  CACHE_FILE_NAME,
  createChatModel,
  createEmbeddingModel,
  type EmbeddingRuntime,
  type ProvidedModel,
  type ProviderRuntime,
  selectChatProvider,
  selectEmbeddingProvider,
} from './factory.js';
export { LlamaCppChatModel } from './llamacpp/chat.js';
export { LlamaCppEmbeddingModel } from './llamacpp/embedding.js';
export {
  type CacheEvents,
  type CacheIdentity,
  chatCacheKey,
  embeddingCacheKey,
  withCache,
} from './middleware/cache.js';
export { ProviderCacheStore } from './middleware/cache-store.js';
export { estimateTokens, type LimitOptions, withLimits } from './middleware/limits.js';
export {
  DEFAULT_RETRY,
  type RetryEvent,
  type RetryOptions,
  withRetries,
  withRetry,
} from './middleware/retry.js';
export {
  type ModelPrice,
  type PriceTable,
  tokensCostUsd,
  type UsageRow,
  UsageTracker,
  usageTotals,
  withUsage,
} from './middleware/usage.js';
export { type ModelMiddleware, wrapModel } from './middleware/wrap.js';
export {
  type BatchLine,
  type BatchResult,
  batchModelIdentity,
  cacheChatResult,
  chatBatchLine,
  type EmbeddingBatchInput,
  exportEmbeddingBatch,
  importEmbeddingBatch,
  readChatBatchOutput,
} from './openai-compatible/batch.js';
export { OpenAICompatibleChatModel } from './openai-compatible/chat.js';
export { OpenAICompatibleEmbeddingModel } from './openai-compatible/embedding.js';
export { type ProviderUse, ProviderUseSchema, providerUse } from './provider-use.js';
export {
  CHAT_PROVIDERS,
  type ChatProviderId,
  EMBEDDING_PROVIDERS,
  type EmbeddingProviderId,
  isLocalProvider,
  isStandInProvider,
  type ProviderEntry,
} from './registry.js';
export { TransformersEmbeddingModel } from './transformers/embedding.js';
export type {
  AnyModel,
  ChatMessage,
  ChatModel,
  EmbeddingModel,
  EmbedRequest,
  EmbedResult,
  FinishReason,
  GenerateRequest,
  GenerateResult,
  ModelIdentity,
  TokenAlternative,
  TokenLogprob,
  TokenUsage,
} from './types.js';
export { isEmbeddingModel } from './types.js';
