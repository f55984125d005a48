import type { Config } from '../../config/schema.js';
import { loadConfiguredDataset } from '../../data/load.js';
import type { SplitName } from '../../data/types.js';
import { exportEmbeddingBatch, importEmbeddingBatch } from '../../providers/openai-compatible/batch.js';
import { CrsaugError } from '../../util/errors.js';
import { exportScoreBatch, type ImportSummary, importScoreBatch } from '../batch.js';
import { contextQueries, itemDocuments } from '../retrieve.js';
import type { ScorePair, ScoreRequests } from '../score-request.js';
import type { Shard } from '../shard.js';
import { belowValidFloor, TooManyInvalidAnswersError } from '../valid-share.js';
import { type PairSource, scoringPairs } from './score.js';
import { openProviderCache } from './stage.js';

/*
 * OpenAI Batch API files (also vLLM's `run_batch`): the requests a stage would send, written to a file that
 * runs elsewhere at batch prices; its output is read back into the scores file or the provider cache, so the
 * online stage then finds every answer already there.
 */

/** The model name a batch is written or read for (the batch runner calls it; the cache is keyed by it). */
function modelOf(name: string | undefined, message: string, flag: string): string {
  if (!name) throw new CrsaugError(message, { hint: `pass ${flag}` });
  return name;
}

const CHAT_MODEL_FLAG = '--llm-model';
const EMBEDDING_MODEL_FLAG = '--embed-model';

export interface ScoreBatchExportOptions extends PairSource {
  /** The batch input JSONL to write (a `.pairs.jsonl` sidecar goes next to it). */
  file: string;
}

export interface ScoreBatchExportSummary {
  requests: number;
  pairs: number;
  estimatedInputTokens: number;
  maxOutputTokens: number;
  model: string;
  /** At list price (batch discounts not applied); null when providers.prices has no price for the model. */
  estimatedMaxUsd: number | null;
}

/** One chat request per call the score stage would make first, for the pairs it would judge. */
export async function exportScoreBatchStage(
  config: Config,
  options: ScoreBatchExportOptions,
): Promise<ScoreBatchExportSummary> {
  const { requests, pairs } = await scoringPairs(config, options);
  return writeScoreBatch(config, requests, pairs, options.file);
}

/**
 * The teacher's first-attempt requests for `pairs` as a batch file (+ pairs sidecar), with their estimated
 * size and list price: what `augment export-batch` and `judge export-batch` write.
 */
export async function writeScoreBatch(
  config: Config,
  requests: ScoreRequests,
  pairs: ScorePair[],
  file: string,
): Promise<ScoreBatchExportSummary> {
  const model = modelOf(config.providers.chat.model, 'a chat batch needs a model name', CHAT_MODEL_FLAG);
  const summary = await exportScoreBatch({ requests, pairs, config: config.augment.score, model, file });
  const price = config.providers.prices[model];
  const usd = price
    ? (summary.estimatedInputTokens * price.inputPerMillion +
        summary.maxOutputTokens * price.outputPerMillion) /
      1e6
    : null;
  return { ...summary, model, estimatedMaxUsd: usd };
}

export interface EmbeddingBatchExportOptions {
  /** Splits whose contexts are embedded (items always are). */
  splits: SplitName[];
  shard?: Shard;
  /** Texts per request. */
  perRequest: number;
  file: string;
}

/** The retrieve stage's embedding requests (items, then each split's contexts) as one batch file. */
export async function exportEmbeddingBatchStage(
  config: Config,
  options: EmbeddingBatchExportOptions,
): Promise<{ requests: number; texts: number }> {
  const { embedding } = config.providers;
  const model = modelOf(embedding.model, 'an embedding batch needs a model name', EMBEDDING_MODEL_FLAG);
  const dataset = await loadConfiguredDataset(config, options.splits);
  const cfg = config.augment.retrieve;
  const groups = [
    { name: 'items', texts: itemDocuments(dataset.catalog, cfg) },
    ...options.splits.map((split) => ({
      name: `${split}-contexts`,
      texts: contextQueries(dataset, split, cfg, options.shard).texts,
    })),
  ];
  return exportEmbeddingBatch(groups, {
    model,
    dimensions: embedding.dimensions,
    perRequest: options.perRequest,
    file: options.file,
  });
}

export interface BatchImportOptions {
  /** The batch input JSONL that was exported. */
  file: string;
  /** The batch output JSONL from the provider. */
  output: string;
}

/**
 * Reads a score batch's answers into the scores file, and into the cache so `score` reuses them for free;
 * mostly invalid answers are kept but fail the import (augment.score.minValidShare).
 */
export async function importScoreBatchStage(
  config: Config,
  options: BatchImportOptions & { scoresFile: string },
): Promise<ImportSummary & { scoresFile: string }> {
  const model = modelOf(
    config.providers.chat.model,
    'importing scores needs the model name',
    CHAT_MODEL_FLAG,
  );
  const cache = openProviderCache(config);
  try {
    const summary = await importScoreBatch({
      batchFile: options.file,
      outputFile: options.output,
      scoresFile: options.scoresFile,
      model,
      config: config.augment.score,
      cache,
    });
    if (belowValidFloor(summary, config.augment.score)) {
      throw new TooManyInvalidAnswersError(summary, config.augment.score, options.scoresFile);
    }
    return { ...summary, scoresFile: options.scoresFile };
  } finally {
    cache.close();
  }
}

/** Stores an embedding batch's vectors in the provider cache, so `retrieve` with that model embeds nothing. */
export async function importEmbeddingBatchStage(
  config: Config,
  options: BatchImportOptions,
): Promise<{ responses: number; vectors: number; failedResponses: number; cacheFile: string }> {
  const { embedding } = config.providers;
  const model = modelOf(embedding.model, 'importing embeddings needs the model name', EMBEDDING_MODEL_FLAG);
  const cache = openProviderCache(config);
  try {
    const summary = await importEmbeddingBatch({
      batchFile: options.file,
      outputFile: options.output,
      cache,
      model,
      dimensions: embedding.dimensions,
    });
    return { ...summary, cacheFile: cache.file };
  } finally {
    cache.close();
  }
}
