import { z } from 'zod';
import type { ScoreConfig } from '../config/augment.js';
import { ProviderCacheStore } from '../providers/middleware/cache-store.js';
import {
  ChatCompletionSchema,
  chatCompletionResult,
  chatRequestBody,
} from '../providers/openai-compatible/chat.js';
import { CrsaugError, InputError } from '../util/errors.js';
import { hashValue } from '../util/hash.js';
import { appendJsonl, readJsonl, writeJsonl } from '../util/jsonl.js';
import { pairKey, prepareAppend, readScores, type ScoreRecord } from './artifacts.js';
import { expectedScore, parseMultiScoreAnswer, parseScoreAnswer } from './parse-score.js';
import { chunkByContext, type ScorePair, type ScoreRequests } from './score-request.js';

/**
 * OpenAI Batch API files (also what vLLM's `run_batch` reads and writes). Input lines:
 * {"custom_id", "method": "POST", "url": "/v1/chat/completions" | "/v1/embeddings", "body": {...}}.
 * Output lines: {"id", "custom_id", "response": {"status_code", "body"}, "error"}.
 * Which pairs a chat request judges is kept in a sidecar `<batch>.pairs.jsonl`, so custom_ids stay short.
 */

/** The provider name the openai-compatible client caches under (batch results are put where it looks). */
const OPENAI_COMPATIBLE = 'openai-compatible';

export interface BatchLine {
  custom_id: string;
  method: 'POST';
  url: '/v1/chat/completions' | '/v1/embeddings';
  body: Record<string, unknown>;
}

const PairsLineSchema = z.object({
  custom_id: z.string(),
  pairs: z.array(
    z.object({
      dialog_id: z.string(),
      turn_id: z.number().int(),
      item: z.string(),
      rank: z.number().int().positive().optional(),
    }),
  ),
  /** The request as the scorer would send it (its cache key). */
  request: z.record(z.string(), z.unknown()),
});

export function pairsSidecar(batchFile: string): string {
  return batchFile.replace(/\.jsonl$/, '').concat('.pairs.jsonl');
}

export interface ExportScoreBatchOptions {
  requests: ScoreRequests;
  pairs: ScorePair[];
  config: ScoreConfig;
  /** Model name written into each body. */
  model: string;
  file: string;
}

/** Writes one chat request per call the scorer would make first (chunks of one context), plus the sidecar. */
export async function exportScoreBatch(
  options: ExportScoreBatchOptions,
): Promise<{ requests: number; pairs: number; estimatedInputTokens: number; maxOutputTokens: number }> {
  const chunks = chunkByContext(options.pairs, options.config.candidatesPerCall);
  const lines: BatchLine[] = [];
  const sidecar: z.input<typeof PairsLineSchema>[] = [];
  let promptChars = 0;
  let maxOutputTokens = 0;
  for (const chunk of chunks) {
    const request = options.requests.request(chunk);
    promptChars += request.messages.reduce((n, m) => n + m.content.length, 0);
    maxOutputTokens += request.maxTokens;
    const customId = `score-${hashValue(chunk.map((p) => [p.dialogId, p.turnId, p.item])).slice(0, 24)}`;
    lines.push({
      custom_id: customId,
      method: 'POST',
      url: '/v1/chat/completions',
      body: chatRequestBody(options.model, request),
    });
    sidecar.push({
      custom_id: customId,
      pairs: chunk.map((p) => ({
        dialog_id: p.dialogId,
        turn_id: p.turnId,
        item: p.item,
        ...(p.rank ? { rank: p.rank } : {}),
      })),
      request: request as unknown as Record<string, unknown>,
    });
  }
  await writeJsonl(options.file, lines);
  await writeJsonl(pairsSidecar(options.file), sidecar);
  return {
    requests: lines.length,
    pairs: options.pairs.length,
    // A rough count (about 4 characters per token for English); the provider's tokenizer decides the bill.
    estimatedInputTokens: Math.ceil(promptChars / CHARS_PER_TOKEN),
    maxOutputTokens,
  };
}

const CHARS_PER_TOKEN = 4;

const BatchOutputSchema = z.object({
  custom_id: z.string(),
  response: z.object({ status_code: z.number(), body: z.unknown() }).nullable().optional(),
  error: z.unknown().optional(),
});

export interface ImportScoreBatchOptions {
  /** The batch input file that was exported (its sidecar says which pairs each request judged). */
  batchFile: string;
  /** The provider's output JSONL. */
  outputFile: string;
  scoresFile: string;
  /** Model name the batch ran with (the `model` of each record and the cache identity). */
  model: string;
  config: ScoreConfig;
  /** When given, each answer is also stored under the request's cache key, so `score` reuses it for free. */
  cache?: ProviderCacheStore;
}

export interface ImportSummary {
  responses: number;
  failedResponses: number;
  valid: number;
  invalid: number;
  /** Pairs already valid in the scores file (left as they were). */
  skipped: number;
  inputTokens: number;
  outputTokens: number;
}

/**
 * Reads a batch output into the scores file: one record per pair, parsed exactly as the online scorer
 * parses (no repair turns: a batch has no second round, so unusable answers are recorded invalid and
 * `score --retry-invalid` re-asks them online).
 */
export async function importScoreBatch(options: ImportScoreBatchOptions): Promise<ImportSummary> {
  const sidecarFile = pairsSidecar(options.batchFile);
  const requests = new Map<string, z.output<typeof PairsLineSchema>>();
  for await (const { value } of readJsonl(
    sidecarFile,
    PairsLineSchema,
    'export the batch with `crsaug augment export-batch`',
  )) {
    requests.set(value.custom_id, value);
  }
  await prepareAppend(options.scoresFile);
  const existing = await readScores(options.scoresFile);
  const identity = `${OPENAI_COMPATIBLE}:${options.model}`;
  const summary: ImportSummary = {
    responses: 0,
    failedResponses: 0,
    valid: 0,
    invalid: 0,
    skipped: 0,
    inputTokens: 0,
    outputTokens: 0,
  };
  const records: ScoreRecord[] = [];
  for await (const { value, line } of readJsonl(options.outputFile, BatchOutputSchema)) {
    const sent = requests.get(value.custom_id);
    if (!sent) {
      throw new InputError(
        { file: options.outputFile, line, field: 'custom_id' },
        `"${value.custom_id}" is not in ${sidecarFile} (output of a different batch?)`,
      );
    }
    summary.responses++;
    const pairs = sent.pairs;
    const base = (i: number) => ({
      dialog_id: pairs[i]!.dialog_id,
      turn_id: pairs[i]!.turn_id,
      item: pairs[i]!.item,
      ...(pairs[i]!.rank ? { rank: pairs[i]!.rank } : {}),
      model: identity,
      attempts: 1,
    });
    const body =
      value.response?.status_code === 200 ? ChatCompletionSchema.safeParse(value.response.body) : undefined;
    if (!body?.success) {
      summary.failedResponses++;
      const error = `batch request failed: ${JSON.stringify(value.error ?? value.response?.body ?? null).slice(0, 300)}`;
      for (let i = 0; i < pairs.length; i++) records.push({ ...base(i), score: null, valid: false, error });
      continue;
    }
    const result = chatCompletionResult(body.data);
    summary.inputTokens += result.usage?.inputTokens ?? 0;
    summary.outputTokens += result.usage?.outputTokens ?? 0;
    options.cache?.writeCall(
      ProviderCacheStore.key(OPENAI_COMPATIBLE, options.model, sent.request),
      OPENAI_COMPATIBLE,
      options.model,
      result,
    );
    if (pairs.length === 1) {
      const parsed = parseScoreAnswer(result.text, result.finishReason);
      const expected = expectedScore(result.logprobs, parsed.ok ? parsed.offset : undefined);
      records.push(
        parsed.ok
          ? {
              ...base(0),
              score: parsed.score,
              ...(expected === undefined ? {} : { expected }),
              valid: true,
              ...(options.config.mode === 'reason' ? { raw: result.text } : {}),
            }
          : {
              ...base(0),
              score: null,
              valid: false,
              error: `${parsed.problem}: ${parsed.detail}`,
              raw: result.text,
            },
      );
      continue;
    }
    const scores = parseMultiScoreAnswer(
      result.text,
      pairs.map((_, i) => i + 1),
    );
    pairs.forEach((_, i) => {
      const score = scores.get(i + 1);
      records.push(
        score === undefined
          ? {
              ...base(i),
              score: null,
              valid: false,
              error: `no valid {"id": ${i + 1}, "score": …} line in the answer`,
              raw: result.text,
            }
          : { ...base(i), score, valid: true },
      );
    });
  }
  const fresh = records.filter((r) => {
    const keep = !existing.get(pairKey(r.dialog_id, r.turn_id, r.item))?.valid;
    if (!keep) summary.skipped++;
    else if (r.valid) summary.valid++;
    else summary.invalid++;
    return keep;
  });
  await appendJsonl(options.scoresFile, fresh);
  return summary;
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
        body: {
          model: options.model,
          input,
          encoding_format: 'float',
          ...(options.dimensions ? { dimensions: options.dimensions } : {}),
        },
      });
    }
  }
  await writeJsonl(options.file, lines);
  return { requests: lines.length, texts };
}

const EmbeddingBodySchema = z.object({
  data: z.array(z.object({ index: z.number().int(), embedding: z.array(z.number()) })),
});

/**
 * Stores a batch's embeddings in the provider cache under the keys the openai-compatible embedder looks up,
 * so `crsaug augment retrieve` with the same model then embeds nothing.
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
  const summary = { responses: 0, vectors: 0, failedResponses: 0 };
  for await (const { value, line } of readJsonl(options.outputFile, BatchOutputSchema)) {
    const input = inputs.get(value.custom_id);
    if (!input) continue;
    summary.responses++;
    const body =
      value.response?.status_code === 200 ? EmbeddingBodySchema.safeParse(value.response.body) : undefined;
    if (!body?.success) {
      summary.failedResponses++;
      continue;
    }
    const entries = body.data.data.map((d) => {
      const text = input[d.index];
      if (text === undefined) {
        throw new InputError(
          { file: options.outputFile, line, field: 'response.body.data.index' },
          `index ${d.index} out of range`,
        );
      }
      return {
        key: ProviderCacheStore.key(OPENAI_COMPATIBLE, options.model, {
          value: text,
          dimensions: options.dimensions,
        }),
        vector: Float32Array.from(d.embedding),
      };
    });
    options.cache.writeVectors(entries, OPENAI_COMPATIBLE, options.model);
    summary.vectors += entries.length;
  }
  if (inputs.size === 0) throw new CrsaugError(`${options.batchFile} holds no /v1/embeddings requests`);
  return summary;
}
