import type { AnyModel, EmbedRequest, GenerateRequest, GenerateResult } from '../types.js';
import { ProviderCacheStore } from './cache-store.js';
import { wrapModel } from './wrap.js';

export interface CacheEvents {
  /** Called with how many results were served from the cache (calls for chat, values for embeddings). */
  onHit?: (count: number) => void;
}

/** The request fields that decide the answer (the abort signal does not). */
function chatCacheRequest({
  abortSignal: _ignored,
  ...request
}: GenerateRequest): Omit<GenerateRequest, 'abortSignal'> {
  return request;
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
      const key = ProviderCacheStore.key(inner.provider, inner.modelId, chatCacheRequest(request));
      const cached = store.readCall<GenerateResult>(key);
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
      // A configured vector length (OpenAI's shortening) changes the vectors, so it is part of the key.
      const keys = request.values.map((value) =>
        ProviderCacheStore.key(inner.provider, inner.modelId, { value, dimensions: inner.dimensions }),
      );
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
