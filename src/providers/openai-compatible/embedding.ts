import { z } from 'zod';
import { redactUrl } from '../../util/secrets.js';
import { ApiCallError, TooManyEmbeddingValuesError } from '../errors.js';
import type { EmbeddingModel, EmbedRequest, EmbedResult } from '../types.js';
import { OPENAI_COMPATIBLE } from './chat.js';
import { type HttpEndpoint, joinUrl, postJson } from './http.js';
import { parseResponse } from './response.js';

/** OpenAI's documented limit of inputs per /v1/embeddings request. */
const OPENAI_MAX_INPUTS = 2048;

/** A /v1/embeddings response (also the body of each line of an OpenAI Batch output file). */
export const OpenAIEmbeddingsSchema = z.object({
  data: z.array(z.object({ index: z.number().int(), embedding: z.array(z.number()) })),
  usage: z.object({ prompt_tokens: z.number().optional() }).nullable().optional(),
});

/** text-embeddings-inference's native /embed returns a bare list of vectors. */
const TeiEmbedSchema = z.array(z.array(z.number()));

export interface OpenAICompatibleEmbeddingSettings extends HttpEndpoint {
  model: string;
  /**
   * 'openai': POST {baseUrl}/embeddings (OpenAI, vLLM, Ollama /v1, llama.cpp server, TEI's /v1).
   * 'tei': POST {baseUrl}/embed, TEI's native route (normalised vectors, inputs truncated to the model's length).
   */
  api: 'openai' | 'tei';
  /** Values per request; TEI's default --max-client-batch-size is 32. */
  maxEmbeddingsPerCall?: number;
  /** Ask OpenAI's v3 models for shortened vectors. */
  dimensions?: number;
}

export class OpenAICompatibleEmbeddingModel implements EmbeddingModel {
  readonly provider: string;
  readonly modelId: string;
  readonly maxEmbeddingsPerCall: number;
  readonly supportsParallelCalls = true;
  readonly dimensions?: number;

  constructor(private readonly settings: OpenAICompatibleEmbeddingSettings) {
    this.provider = settings.api === 'tei' ? 'tei' : OPENAI_COMPATIBLE;
    this.modelId = settings.model;
    this.maxEmbeddingsPerCall =
      settings.maxEmbeddingsPerCall ?? (settings.api === 'tei' ? 32 : OPENAI_MAX_INPUTS);
    this.dimensions = settings.dimensions;
  }

  describe(): string {
    return `${this.provider}:${this.modelId} (remote embedding model at ${redactUrl(this.settings.baseUrl)})`;
  }

  async doEmbed({ values, abortSignal }: EmbedRequest): Promise<EmbedResult> {
    if (values.length > this.maxEmbeddingsPerCall) {
      throw new TooManyEmbeddingValuesError(this.modelId, values.length, this.maxEmbeddingsPerCall);
    }
    if (this.settings.api === 'tei') {
      const json = await postJson(this.settings, 'embed', { inputs: values, truncate: true }, abortSignal);
      const vectors = parseResponse(TeiEmbedSchema, json, this.settings.baseUrl, 'embed');
      return { embeddings: vectors.map((v) => Float32Array.from(v)) };
    }
    const body = embeddingsRequestBody(this.modelId, values, this.settings.dimensions);
    const json = await postJson(this.settings, 'embeddings', body, abortSignal);
    const response = parseResponse(OpenAIEmbeddingsSchema, json, this.settings.baseUrl, 'embeddings');
    const embeddings = new Array<Float32Array>(values.length);
    for (const item of response.data) {
      if (item.index < values.length) embeddings[item.index] = Float32Array.from(item.embedding);
    }
    if (response.data.length !== values.length || embeddings.includes(undefined as never)) {
      throw new ApiCallError({
        message: `expected ${values.length} embeddings indexed 0..${values.length - 1}, got ${response.data.length}`,
        url: joinUrl(this.settings.baseUrl, 'embeddings'),
        retryable: false,
      });
    }
    return {
      embeddings,
      ...(response.usage?.prompt_tokens === undefined
        ? {}
        : { usage: { inputTokens: response.usage.prompt_tokens } }),
    };
  }
}

/** The /v1/embeddings body for values (what the client sends, and what a Batch API line holds). */
export function embeddingsRequestBody(
  model: string,
  values: string[],
  dimensions: number | undefined,
): Record<string, unknown> {
  return { model, input: values, encoding_format: 'float', ...(dimensions ? { dimensions } : {}) };
}
