import { z } from 'zod';

/*
 * The fields of a `providers.chat` / `providers.embedding` config section. Each provider of the table in
 * registry.ts reads the ones it needs (its own schema); the config section is their union plus `provider`.
 */

/** Limits and retry policy of every provider's calls. */
export const CALL_POLICY_FIELDS = {
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

/** Where a remote or local model lives; which fields matter depends on the provider. */
export const MODEL_LOCATION_FIELDS = {
  /** Server base URL, e.g. http://127.0.0.1:8000/v1 (openai-compatible, tei). */
  baseUrl: z.url().optional(),
  /** Model name sent to the server, or the local model's id. */
  model: z.string().optional(),
  /** Sent as `Authorization: Bearer …`; never written anywhere (configs and reports show "***"). */
  apiKey: z.string().optional(),
  /** Extra HTTP headers, e.g. Azure's `api-key` or a proxy's token; their values are written as "***". */
  headers: z.record(z.string(), z.string()).optional(),
  /** A local GGUF file (llamacpp) or a folder holding the ONNX model (transformers). */
  modelPath: z.string().optional(),
  /** CPU threads for a local llamacpp model; unset means one per core. */
  threads: z.number().int().positive().optional(),
};

/** What only embedding models take. */
export const EMBEDDING_FIELDS = {
  /** Values per request (defaults: the provider's limit, 32 for TEI). */
  batchSize: z.number().int().positive().optional(),
  /** Requested vector length (OpenAI v3 models) or the builtin LSA rank. */
  dimensions: z.number().int().positive().optional(),
};
