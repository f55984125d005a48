import { z } from 'zod';
import { CrsaugError, InputError } from '../../util/errors.js';
import { readJsonl, writeJsonl } from '../../util/jsonl.js';
import { type CacheIdentity, chatCacheKey, embeddingCacheKey } from '../middleware/cache.js';
import type { ProviderCacheStore } from '../middleware/cache-store.js';
import type { GenerateRequest, GenerateResult } from '../types.js';
import { ChatCompletionSchema, chatCompletionResult, chatRequestBody, OPENAI_COMPATIBLE } from './chat.js';
import { embeddingsRequestBody, OpenAIEmbeddingsSchema } from './embedding.js';

/*
 * OpenAI Batch API files (also what vLLM's `run_batch` reads and writes). Input lines:
 * {"custom_id", "method": "POST", "url": "/v1/chat/completions" | "/v1/embeddings", "body": {...}}.
 * Output lines: {"id", "custom_id", "response": {"status_code", "body"}, "error"}, in any order. Results come
 * back normalised per request (succeeded or failed, as the AI SDK's batch spec has them) and are stored in
 * the provider cache under the keys the openai-compatible clients look up, so an online run then finds them.
 */

export interface BatchLine {
  custom_id: string;
  method: 'POST';
  url: '/v1/chat/completions' | '/v1/embeddings';
  body: Record<string, unknown>;
}

/** The line that asks for the chat completion `request` would get from the client. */
export function chatBatchLine(customId: string, model: string, request: GenerateRequest): BatchLine {
  return {
    custom_id: customId,
    method: 'POST',
    url: '/v1/chat/completions',
    body: chatRequestBody(model, request),
  };
}

const BatchOutputSchema = z.object({
  custom_id: z.string(),
  response: z.object({ status_code: z.number(), body: z.unknown() }).nullable().optional(),
  error: z.unknown().optional(),
});

/** One request's outcome in a batch output file (`line` is where it stands there). */
export type BatchResult<T> = { customId: string; line: number } & (
  | { status: 'succeeded'; result: T }
  | { status: 'failed'; error: string }
);

async function* readBatchOutput<T>(
  file: string,
  parseBody: (body: unknown) => T | undefined,
): AsyncGenerator<BatchResult<T>> {
  for await (const { value, line } of readJsonl(file, BatchOutputSchema)) {
    const result = value.response?.status_code === 200 ? parseBody(value.response.body) : undefined;
    yield result === undefined
      ? {
          customId: value.custom_id,
          line,
          status: 'failed',
          error: JSON.stringify(value.error ?? value.response?.body ?? null).slice(0, 300),
        }
      : { customId: value.custom_id, line, status: 'succeeded', result };
  }
}

/** The chat completions of a batch output file, as the client would have returned them. */
export function readChatBatchOutput(file: string): AsyncGenerator<BatchResult<GenerateResult>> {
  return readBatchOutput(file, (body) => {
    const parsed = ChatCompletionSchema.safeParse(body);
    return parsed.success ? chatCompletionResult(parsed.data) : undefined;
  });
}

/** Whose results a batch run with `model` gives: the openai-compatible client's (its cache entries, too). */
export function batchModelIdentity(model: string): CacheIdentity {
  return { provider: OPENAI_COMPATIBLE, modelId: model };
}

/** Stores a batch answer where the openai-compatible chat client with `model` looks `request` up. */
export function cacheChatResult(
  store: ProviderCacheStore,
  model: string,
  request: GenerateRequest,
  result: GenerateResult,
): void {
  store.writeCall(chatCacheKey(batchModelIdentity(model), request), OPENAI_COMPATIBLE, model, result);
}

export interface EmbeddingBatchInput {
  /** Names the group in custom ids, e.g. "items" or "train-contexts". */
  name: string;
  texts: string[];
}

/** Writes /v1/embeddings requests of at most `perRequest` texts each; custom_id = `embed-<name>-<first row>`. */
export async function exportEmbeddingBatch(
  groups: EmbeddingBatchInput[],
  options: { model: string; dimensions?: number; perRequest: number; file: string },
): Promise<{ requests: number; texts: number }> {
  const lines: BatchLine[] = [];
  let texts = 0;
  for (const group of groups) {
    for (let start = 0; start < group.texts.length; start += options.perRequest) {
      const input = group.texts.slice(start, start + options.perRequest);
      texts += input.length;
      lines.push({
        custom_id: `embed-${group.name}-${start}`,
        method: 'POST',
        url: '/v1/embeddings',
        body: embeddingsRequestBody(options.model, input, options.dimensions),
      });
    }
  }
  await writeJsonl(options.file, lines);
  return { requests: lines.length, texts };
}

/**
 * Stores a batch's embeddings in the provider cache under the keys the openai-compatible embedder looks up,
 * so retrieval with the same model then embeds nothing.
 */
export async function importEmbeddingBatch(options: {
  batchFile: string;
  outputFile: string;
  cache: ProviderCacheStore;
  model: string;
  dimensions?: number;
}): Promise<{ responses: number; vectors: number; failedResponses: number }> {
  const inputs = new Map<string, string[]>();
  for await (const { value } of readJsonl(options.batchFile)) {
    const line = value as BatchLine;
    if (line.url === '/v1/embeddings') inputs.set(line.custom_id, line.body.input as string[]);
  }
  const identity = batchModelIdentity(options.model);
  const summary = { responses: 0, vectors: 0, failedResponses: 0 };
  const outputs = readBatchOutput(options.outputFile, (body) => OpenAIEmbeddingsSchema.safeParse(body).data);
  for await (const output of outputs) {
    const input = inputs.get(output.customId);
    if (!input) continue;
    summary.responses++;
    if (output.status === 'failed') {
      summary.failedResponses++;
      continue;
    }
    const entries = output.result.data.map((d) => {
      const text = input[d.index];
      if (text === undefined) {
        throw new InputError(
          { file: options.outputFile, line: output.line, field: 'response.body.data.index' },
          `index ${d.index} out of range`,
        );
      }
      return {
        key: embeddingCacheKey(identity, options.dimensions, text),
        vector: Float32Array.from(d.embedding),
      };
    });
    options.cache.writeVectors(entries, OPENAI_COMPATIBLE, options.model);
    summary.vectors += entries.length;
  }
  if (inputs.size === 0) throw new CrsaugError(`${options.batchFile} holds no /v1/embeddings requests`);
  return summary;
}
