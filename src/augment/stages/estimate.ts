import type { Config } from '../../config/schema.js';
import { type Dataset, SPLIT_NAMES } from '../../data/types.js';
import {
  createEmbeddingModel,
  selectChatProvider,
  selectEmbeddingProvider,
} from '../../providers/factory.js';
import { estimateTokens } from '../../providers/middleware/limits.js';
import { tokensCostUsd } from '../../providers/middleware/usage.js';
import { isLocalProvider } from '../../providers/registry.js';
import { contextQueries, itemDocuments } from '../retrieve.js';
import { estimateJudging, type ScorePair, ScoreRequests } from '../score-request.js';
import { hasChatModel, teacherScoreConfig } from './teacher.js';

/** What a stage would send to a provider, estimated without calling anything. */
export interface StageCallEstimate {
  stage: string;
  /** The provider as configured, or what runs instead of one. */
  provider: string;
  /** Requests to the provider (first attempts); 0 when nothing is called. */
  calls: number;
  /** Input tokens, estimated as the rate limiter books them (≈ 4 characters a token). */
  inputTokens: number;
  /** The output budget of those calls (their maxTokens). */
  maxOutputTokens: number;
  /** USD at the list price in providers.prices; 0 for a local model; null when the price is unknown. */
  costUsd: number | null;
  note: string;
}

/**
 * The provider calls `crsaug run` would make in its retrieve and teacher stages (the others call no provider),
 * from the dataset's texts and the config alone. An upper bound for a fresh cache: cached answers are free.
 */
export async function estimateAugmentCalls(config: Config, dataset: Dataset): Promise<StageCallEstimate[]> {
  return [await estimateRetrieve(config, dataset), estimateTeacher(config, dataset)];
}

async function estimateRetrieve(config: Config, dataset: Dataset): Promise<StageCallEstimate> {
  const settings = config.providers.embedding;
  const id = selectEmbeddingProvider(settings);
  const cfg = config.augment.retrieve;
  const texts = [
    ...itemDocuments(dataset.catalog, cfg),
    ...SPLIT_NAMES.filter((s) => dataset.splits[s]).flatMap((s) => contextQueries(dataset, s, cfg).texts),
  ];
  const local = { calls: 0, inputTokens: 0, maxOutputTokens: 0, costUsd: 0 };
  if (isLocalProvider(id))
    return { stage: 'retrieve', provider: id, ...local, note: `${texts.length} texts embedded locally` };
  // Building the client calls nothing; it knows how many values one request may carry.
  const { model, close } = await createEmbeddingModel({ ...config.providers, cache: false });
  const perCall = Math.min(
    settings.batchSize ?? Number.POSITIVE_INFINITY,
    Number.isFinite(model.maxEmbeddingsPerCall) ? model.maxEmbeddingsPerCall : 256,
  );
  close();
  const inputTokens = texts.reduce((n, text) => n + estimateTokens({ values: [text] }), 0);
  return {
    stage: 'retrieve',
    provider: `${id}:${settings.model}`,
    calls: Math.ceil(texts.length / perCall),
    inputTokens,
    maxOutputTokens: 0,
    costUsd: tokensCostUsd(config.providers.prices, settings.model ?? '', inputTokens, 0),
    note: `${texts.length} texts (items and every split's contexts), ${perCall} per request`,
  };
}

function estimateTeacher(config: Config, dataset: Dataset): StageCallEstimate {
  if (!hasChatModel(config))
    return {
      stage: 'teacher',
      provider: 'shipped judgments',
      calls: 0,
      inputTokens: 0,
      maxOutputTokens: 0,
      costUsd: 0,
      note: 'no chat model configured: the LLM judgments shipped with the data are read',
    };
  const settings = config.providers.chat;
  const id = selectChatProvider(settings)!;
  const score = teacherScoreConfig(config);
  const estimate = estimateJudging(samplePairs(config, dataset), new ScoreRequests(dataset, score), score);
  const local = isLocalProvider(id);
  return {
    stage: 'teacher',
    provider: `${id}:${settings.model ?? settings.modelPath}`,
    calls: estimate.requests,
    inputTokens: estimate.estimatedInputTokens,
    maxOutputTokens: estimate.maxOutputTokens,
    costUsd: local
      ? 0
      : tokensCostUsd(
          config.providers.prices,
          settings.model ?? '',
          estimate.estimatedInputTokens,
          estimate.maxOutputTokens,
        ),
    note: `${estimate.pairs} pairs of ${estimate.contexts} train contexts; an invalid answer is asked again up to ${score.maxAttempts - 1} more time(s)`,
  };
}

/**
 * Pairs like the ones the stratified sampler takes: run.teacherContexts train contexts, each with
 * run.teacherPairsPerContext items. The candidates are not retrieved yet, so the items are spread over the
 * catalog: their descriptions, and so the prompts, are of typical length.
 */
function samplePairs(config: Config, dataset: Dataset): ScorePair[] {
  const { teacherContexts, teacherPairsPerContext } = config.run;
  const contexts = contextQueries(dataset, 'train', config.augment.retrieve).contexts.slice(
    0,
    teacherContexts,
  );
  const items = dataset.catalog.items;
  const perContext = Math.min(teacherPairsPerContext, config.augment.retrieve.topK, items.length);
  const step = items.length / perContext;
  return contexts.flatMap((c, n) =>
    Array.from({ length: perContext }, (_, i) => ({
      dialogId: c.dialogId,
      turnId: c.turnId,
      item: items[Math.floor(i * step + n) % items.length]!.name,
    })),
  );
}
