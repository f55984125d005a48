import { z } from 'zod';
import { CHAT_PROVIDERS, EMBEDDING_PROVIDERS, providerIds } from '../providers/registry.js';
import { CALL_POLICY_FIELDS, EMBEDDING_FIELDS, MODEL_LOCATION_FIELDS } from '../providers/settings.js';

export const ChatProviderSchema = z
  .object({
    /**
     * A chat provider of src/providers/registry.ts ('openai-compatible': OpenAI, vLLM, Ollama /v1, llama.cpp
     * server; 'llamacpp': local GGUF). Unset: openai-compatible when baseUrl is set, otherwise no chat model.
     */
    provider: z.enum(providerIds(CHAT_PROVIDERS)).optional(),
    ...MODEL_LOCATION_FIELDS,
    ...CALL_POLICY_FIELDS,
  })
  .prefault({});

export const EmbeddingProviderSchema = z
  .object({
    /**
     * An embedding provider of src/providers/registry.ts ('builtin': offline TF-IDF + LSA, not neural;
     * 'openai-compatible'; 'tei': text-embeddings-inference's native /embed; 'transformers': local ONNX;
     * 'llamacpp': local GGUF). Unset: openai-compatible when baseUrl is set, otherwise builtin.
     */
    provider: z.enum(providerIds(EMBEDDING_PROVIDERS)).optional(),
    ...MODEL_LOCATION_FIELDS,
    ...EMBEDDING_FIELDS,
    ...CALL_POLICY_FIELDS,
  })
  .prefault({});

export const ModelPriceSchema = z.object({
  /** USD per million input tokens. */
  inputPerMillion: z.number().nonnegative(),
  /** USD per million output tokens. */
  outputPerMillion: z.number().nonnegative(),
});

export const ProvidersConfigSchema = z
  .object({
    chat: ChatProviderSchema,
    embedding: EmbeddingProviderSchema,
    /** Prices by model id; a remote model missing here has an unknown cost (never zero). */
    prices: z.record(z.string(), ModelPriceSchema).default({}),
    /** Cache every result in SQLite: reruns and restarts pay again only for calls in flight at a kill. */
    cache: z.boolean().default(true),
  })
  .prefault({});

export type ProvidersConfig = z.output<typeof ProvidersConfigSchema>;
export type ChatProviderConfig = ProvidersConfig['chat'];
export type EmbeddingProviderConfig = ProvidersConfig['embedding'];

/** Environment variables for the `providers` section, in load.ts's ENV_BINDINGS shape (paths from the root). */
export const PROVIDER_ENV_BINDINGS: Record<string, { path: string[]; type: 'string' | 'number' }> = {
  CRSAUG_LLM_BASE_URL: { path: ['providers', 'chat', 'baseUrl'], type: 'string' },
  CRSAUG_LLM_MODEL: { path: ['providers', 'chat', 'model'], type: 'string' },
  CRSAUG_LLM_API_KEY: { path: ['providers', 'chat', 'apiKey'], type: 'string' },
  CRSAUG_EMBED_BASE_URL: { path: ['providers', 'embedding', 'baseUrl'], type: 'string' },
  CRSAUG_EMBED_MODEL: { path: ['providers', 'embedding', 'model'], type: 'string' },
  CRSAUG_EMBED_API_KEY: { path: ['providers', 'embedding', 'apiKey'], type: 'string' },
};
