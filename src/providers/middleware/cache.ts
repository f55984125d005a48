import type { AnyModel, EmbedRequest, GenerateRequest, GenerateResult, ModelIdentity } from '../types.js';
import { ProviderCacheStore } from './cache-store.js';
import { wrapModel } from './wrap.js';

export interface CacheEvents {
  /** Called with how many results were served from the cache (calls for chat, values for embeddings). */
  onHit?: (count: number) => void;
}

/** The identity a model's results are cached under: its provider and model id. */
export type CacheIdentity = Pick<ModelIdentity, 'provider' | 'modelId'>;

/** A chat call's cache key: the identity and the request fields that decide the answer (not the abort signal). */
export function chatCacheKey(
  model: CacheIdentity,
  { abortSignal: _signal, refreshCache: _refresh, ...request }: GenerateRequest,
): string {
  return ProviderCacheStore.key(model.provider, model.modelId, request);
}

/** One embedded value's cache key; a configured vector length (OpenAI's shortening) changes the vector. */
export function embeddingCacheKey(
  model: CacheIdentity,
  dimensions: number | undefined,
  value: string,
): string {
  return ProviderCacheStore.key(model.provider, model.modelId, { value, dimensions });
}

/**
 * Serves repeated requests from the SQLite store and writes each new result as soon as it arrives.
 * Chat calls are keyed by the whole request; embeddings by each value, so a rerun with different batching
 * still hits. Identical chat requests in flight at the same time share one call. Note that a cached chat
 * answer made at temperature > 0 is one sample, replayed.
 */
export function withCache<M extends AnyModel>(
  model: M,
  store: ProviderCacheStore,
  events: CacheEvents = {},
): M {
  const inFlight = new Map<string, Promise<GenerateResult>>();
  return wrapModel(model, {
    async generate(request, next, inner) {
      const key = chatCacheKey(inner, request);
      const cached = request.refreshCache ? undefined : store.readCall<GenerateResult>(key);
      if (cached) {
        events.onHit?.(1);
        return cached;
      }
      const pending = inFlight.get(key);
      if (pending) {
        events.onHit?.(1);
        return pending;
      }
      const call = next(request).then((result) => {
        store.writeCall(key, inner.provider, inner.modelId, result);
        return result;
      });
      inFlight.set(key, call);
      try {
        return await call;
      } finally {
        inFlight.delete(key);
      }
    },

    async embed(request: EmbedRequest, next, inner) {
      const keys = request.values.map((value) => embeddingCacheKey(inner, inner.dimensions, value));
      const embeddings = keys.map((key) => store.readVector(key));
      const missing = new Map<string, string>();
      request.values.forEach((value, i) => {
        if (!embeddings[i]) missing.set(keys[i]!, value);
      });
      const hits = embeddings.filter(Boolean).length;
      if (hits > 0) events.onHit?.(hits);
      if (missing.size === 0) return { embeddings: embeddings as Float32Array[] };
      const missingKeys = [...missing.keys()];
      const result = await next({ ...request, values: [...missing.values()] });
      const fresh = missingKeys.map((key, i) => ({ key, vector: result.embeddings[i]! }));
      store.writeVectors(fresh, inner.provider, inner.modelId);
      const byKey = new Map(fresh.map((e) => [e.key, e.vector]));
      return {
        embeddings: keys.map((key, i) => embeddings[i] ?? byKey.get(key)!),
        ...(result.usage ? { usage: result.usage } : {}),
      };
    },
  });
}
