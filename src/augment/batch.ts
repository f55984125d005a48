import { z } from 'zod';
import type { ScoreConfig } from '../config/augment.js';
import type { ProviderCacheStore } from '../providers/middleware/cache-store.js';
import {
  type BatchLine,
  batchModelIdentity,
  cacheChatResult,
  chatBatchLine,
  readChatBatchOutput,
} from '../providers/openai-compatible/batch.js';
import type { GenerateRequest } from '../providers/types.js';
import { InputError } from '../util/errors.js';
import { hashValue } from '../util/hash.js';
import { appendJsonl, readJsonl, writeJsonl } from '../util/jsonl.js';
import { pairKey, prepareAppend, readScores, type ScoreRecord } from './artifacts.js';
import { chunkScores, singleJudgment } from './score.js';
import { chunkByContext, type ScorePair, type ScoreRequests } from './score-request.js';

/**
 * The score stage's requests as an OpenAI Batch file (the wire format is the provider's:
 * providers/openai-compatible/batch.ts), and its answers read back into the scores file. Which pairs a
 * request judges is kept in a sidecar `<batch>.pairs.jsonl`, so custom_ids stay short.
 */

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
    lines.push(chatBatchLine(customId, options.model, request));
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
 * Reads a batch output into the scores file: one record per pair, judged exactly as the online scorer
 * judges (no repair turns: a batch has no second round, so unusable answers are recorded invalid and
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
  const judge = batchModelIdentity(options.model);
  const identity = `${judge.provider}:${judge.modelId}`;
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
  for await (const output of readChatBatchOutput(options.outputFile)) {
    const sent = requests.get(output.customId);
    if (!sent) {
      throw new InputError(
        { file: options.outputFile, line: output.line, field: 'custom_id' },
        `"${output.customId}" is not in ${sidecarFile} (output of a different batch?)`,
      );
    }
    summary.responses++;
    const pairs = sent.pairs.map((p) => ({
      dialog_id: p.dialog_id,
      turn_id: p.turn_id,
      item: p.item,
      ...(p.rank ? { rank: p.rank } : {}),
      model: identity,
      attempts: 1,
    }));
    if (output.status === 'failed') {
      summary.failedResponses++;
      const error = `batch request failed: ${output.error}`;
      for (const pair of pairs) records.push({ ...pair, score: null, valid: false, error });
      continue;
    }
    const { result } = output;
    summary.inputTokens += result.usage?.inputTokens ?? 0;
    summary.outputTokens += result.usage?.outputTokens ?? 0;
    if (options.cache)
      cacheChatResult(options.cache, options.model, sent.request as unknown as GenerateRequest, result);
    if (pairs.length === 1) {
      records.push({ ...pairs[0]!, ...singleJudgment(result, options.config.mode).judgment });
      continue;
    }
    const scores = chunkScores(result, pairs.length);
    pairs.forEach((pair, i) => {
      const score = scores[i];
      records.push(
        score === undefined
          ? {
              ...pair,
              score: null,
              valid: false,
              error: `no valid {"id": ${i + 1}, "score": …} line in the answer`,
              raw: result.text,
            }
          : { ...pair, score, valid: true },
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
