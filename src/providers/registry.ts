import { join } from 'node:path';
import { z } from 'zod';
import { TfidfLsaEmbedder } from './builtin/tfidf-lsa-embedder.js';
import { FITTED_MODELS_DIR } from './builtin/tfidf-lsa-file.js';
import { LlamaCppChatModel } from './llamacpp/chat.js';
import { LlamaCppEmbeddingModel } from './llamacpp/embedding.js';
import { OpenAICompatibleChatModel } from './openai-compatible/chat.js';
import { OpenAICompatibleEmbeddingModel } from './openai-compatible/embedding.js';
import { CALL_POLICY_FIELDS, EMBEDDING_FIELDS, MODEL_LOCATION_FIELDS } from './settings.js';
import { TransformersEmbeddingModel } from './transformers/embedding.js';
import type { AnyModel, ChatModel, EmbeddingModel } from './types.js';

/** What a provider's `create` may use besides its settings. */
export interface CreateRuntime {
  /** Folder of the provider caches (the builtin embedder saves its fitted models under it). */
  cacheDir?: string;
  /** Texts the builtin embedder is fit on (item texts plus training contexts). */
  fitTexts?: string[];
  seed?: number;
  /** No progress lines (a fit of the builtin embedder inside a run that prints one line per stage). */
  silent?: boolean;
}

/**
 * One provider: the settings it reads from its config section (a schema that also says which are required)
 * and how it makes a model of them, in the spirit of the AI SDK's provider registry.
 */
export interface ProviderEntry<S extends z.ZodObject, M extends AnyModel> {
  /** One line for docs and help. */
  description: string;
  /** Runs on this machine: its calls cost nothing, which is known rather than assumed. */
  local: boolean;
  /** An offline stand-in for the models the method calls for (every output that used it says so). */
  standIn: boolean;
  schema: S;
  create(settings: z.output<S>, runtime: CreateRuntime): M | Promise<M>;
}

const provider = <S extends z.ZodObject, M extends AnyModel>(entry: ProviderEntry<S, M>) => entry;

const { baseUrl, model, apiKey, headers, modelPath, threads } = MODEL_LOCATION_FIELDS;
const { timeoutMs } = CALL_POLICY_FIELDS;
const remote = { baseUrl: baseUrl.unwrap(), apiKey, headers, timeoutMs };
const required = { model: model.unwrap() };
const local = { modelPath: modelPath.unwrap() };

/** Chat models by provider id (config `providers.chat.provider`). */
export const CHAT_PROVIDERS = {
  'openai-compatible': provider({
    description: 'OpenAI, vLLM, Ollama (/v1), llama.cpp server and other /v1/chat/completions servers',
    local: false,
    standIn: false,
    schema: z.object({ ...remote, ...required }),
    create: (settings): ChatModel => new OpenAICompatibleChatModel(settings),
  }),
  llamacpp: provider({
    description: 'a local GGUF model through node-llama-cpp (an optional dependency)',
    local: true,
    standIn: false,
    schema: z.object({ ...local, threads }),
    create: ({ modelPath, threads }): Promise<ChatModel> => LlamaCppChatModel.load(modelPath, { threads }),
  }),
};

/** The embedding APIs the HTTP client speaks: OpenAI's /v1/embeddings, and TEI's own /embed. */
function httpEmbedding(
  api: 'openai' | 'tei',
  description: string,
  modelName: z.ZodString | z.ZodDefault<z.ZodString>,
) {
  return provider({
    description,
    local: false,
    standIn: false,
    schema: z.object({ ...remote, model: modelName, ...EMBEDDING_FIELDS }),
    create: ({ batchSize, ...settings }): EmbeddingModel =>
      new OpenAICompatibleEmbeddingModel({ api, maxEmbeddingsPerCall: batchSize, ...settings }),
  });
}

/** Embedding models by provider id (config `providers.embedding.provider`). */
export const EMBEDDING_PROVIDERS = {
  builtin: provider({
    description: 'offline TF-IDF + LSA fitted on the dataset (lexical, not a neural model)',
    local: true,
    standIn: true,
    schema: z.object({ dimensions: EMBEDDING_FIELDS.dimensions }),
    create: ({ dimensions }, runtime): EmbeddingModel => {
      if (!runtime.fitTexts)
        throw new Error('the builtin embedder needs fitTexts (item texts and training contexts)');
      return new TfidfLsaEmbedder(runtime.fitTexts, {
        dimensions,
        seed: runtime.seed,
        silent: runtime.silent,
        ...(runtime.cacheDir ? { modelDir: join(runtime.cacheDir, FITTED_MODELS_DIR) } : {}),
      });
    },
  }),
  'openai-compatible': httpEmbedding(
    'openai',
    'OpenAI, vLLM, Ollama (/v1), llama.cpp server, TEI (/v1) and other /v1/embeddings servers',
    required.model,
  ),
  tei: httpEmbedding('tei', "text-embeddings-inference's native /embed route", z.string().default('tei')),
  transformers: provider({
    description: 'a local ONNX encoder through @huggingface/transformers',
    local: true,
    standIn: false,
    schema: z.object({ ...local, batchSize: EMBEDDING_FIELDS.batchSize }),
    create: ({ modelPath, batchSize }): Promise<EmbeddingModel> =>
      TransformersEmbeddingModel.load(modelPath, { batchSize }),
  }),
  llamacpp: provider({
    description: 'a local GGUF embedding model through node-llama-cpp (an optional dependency)',
    local: true,
    standIn: false,
    schema: z.object({ ...local, threads }),
    create: ({ modelPath, threads }): Promise<EmbeddingModel> =>
      LlamaCppEmbeddingModel.load(modelPath, { threads }),
  }),
};

export type ChatProviderId = keyof typeof CHAT_PROVIDERS;
export type EmbeddingProviderId = keyof typeof EMBEDDING_PROVIDERS;

/** The ids of a table, as a tuple (zod enums and option choices keep the names). */
export function providerIds<T extends object>(table: T): [keyof T & string, ...(keyof T & string)[]] {
  return Object.keys(table) as [keyof T & string, ...(keyof T & string)[]];
}

/** A provider id's entry in either table (models report the id they were made by). */
function entryOf(id: string): { local: boolean; standIn: boolean } | undefined {
  return (
    (CHAT_PROVIDERS as Record<string, ProviderEntry<z.ZodObject, ChatModel>>)[id] ??
    (EMBEDDING_PROVIDERS as Record<string, ProviderEntry<z.ZodObject, EmbeddingModel>>)[id]
  );
}

export function isLocalProvider(id: string): boolean {
  return entryOf(id)?.local ?? false;
}

export function isStandInProvider(id: string): boolean {
  return entryOf(id)?.standIn ?? false;
}
