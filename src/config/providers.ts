import { z } from 'zod';

/** Limits and retry policy shared by both model kinds. */
const CallPolicySchema = {
  /** Per-request timeout in milliseconds. */
  timeoutMs: z.number().int().positive().default(120_000),
  /** Retries after the first attempt on 429/5xx/timeouts/network errors. */
  maxRetries: z.number().int().nonnegative().default(5),
  /** Calls in flight at once. */
  concurrency: z.number().int().positive().default(4),
  /** Requests per minute; unset means unlimited. */
  requestsPerMinute: z.number().positive().optional(),
  /** Tokens (input + output) per minute; unset means unlimited. */
  tokensPerMinute: z.number().positive().optional(),
};

/** Where a remote or local model lives; which fields matter depends on `provider`. */
const ModelLocationSchema = {
  /** Server base URL, e.g. http://127.0.0.1:8000/v1 (openai-compatible, tei). */
  baseUrl: z.url().optional(),
  /** Model name sent to the server, or the local model's id. */
  model: z.string().optional(),
  apiKey: z.string().optional(),
  /** A local GGUF file (llamacpp) or a folder holding the ONNX model (transformers). */
  modelPath: z.string().optional(),
  /** CPU threads for a local llamacpp model; unset means one per core. */
  threads: z.number().int().positive().optional(),
};

export const ChatProviderSchema = z
  .object({
    /**
     * 'openai-compatible' (OpenAI, vLLM, Ollama /v1, llama.cpp server) or 'llamacpp' (local GGUF).
     * Unset: openai-compatible when baseUrl is set, otherwise no chat model is configured.
     */
    provider: z.enum(['openai-compatible', 'llamacpp']).optional(),
    ...ModelLocationSchema,
    ...CallPolicySchema,
  })
  .prefault({});

export const EmbeddingProviderSchema = z
  .object({
    /**
     * 'builtin' (offline TF-IDF + LSA, not neural), 'openai-compatible', 'tei' (text-embeddings-inference's
     * native /embed), 'transformers' (local ONNX) or 'llamacpp' (local GGUF). Unset: openai-compatible when
     * baseUrl is set, otherwise builtin.
     */
    provider: z.enum(['builtin', 'openai-compatible', 'tei', 'transformers', 'llamacpp']).optional(),
    ...ModelLocationSchema,
    /** Values per request (defaults: the provider's limit, 32 for TEI). */
    batchSize: z.number().int().positive().optional(),
    /** Requested vector length (OpenAI v3 models) or the builtin LSA rank. */
    dimensions: z.number().int().positive().optional(),
    ...CallPolicySchema,
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
    /** Cache every result in SQLite so reruns and restarts never pay twice. */
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
