import type { ScoreConfig } from '../config/augment.js';
import type { Dataset, ItemInfo, RecContext } from '../data/types.js';
import { estimateTokens } from '../providers/middleware/limits.js';
import type { GenerateRequest } from '../providers/types.js';
import { CrsaugError } from '../util/errors.js';
import { contextKey, renderContextText } from './context-text.js';
import { checkItemTemplate, renderItemText } from './item-text.js';
import { buildScoreMessages } from './prompt.js';

/** A (context, item) pair to judge; `item` is the catalog name. */
export interface ScorePair {
  dialogId: string;
  turnId: number;
  item: string;
  /** Retrieval rank, when the pair came from a candidates file. */
  rank?: number;
}

/** JSON lines cost about this many tokens each ({"id": 12, "score": 3} plus the newline). */
const TOKENS_PER_JSON_LINE = 16;
/** What a single answer's JSON wrapping ({"score": …} and its spacing) costs beyond the score itself. */
const JSON_OBJECT_TOKENS = 8;

/** Builds the judge's requests for pairs of a dataset: texts from the dataset, format from the config. */
export class ScoreRequests {
  private readonly contexts = new Map<string, RecContext>();
  private readonly items = new Map<string, ItemInfo>();

  constructor(
    dataset: Dataset,
    private readonly config: ScoreConfig,
  ) {
    checkItemTemplate(config.itemTemplate, 'augment.score.itemTemplate');
    for (const split of Object.values(dataset.splits)) {
      for (const c of split.contexts) this.contexts.set(contextKey(c.dialogId, c.turnId), c);
    }
    for (const item of dataset.catalog.items) this.items.set(item.name, item);
  }

  /** Fails early, naming the first pair whose context or item the dataset does not have. */
  check(pairs: readonly ScorePair[], source: string): void {
    for (const pair of pairs) {
      if (!this.contexts.has(contextKey(pair.dialogId, pair.turnId))) {
        throw new CrsaugError(
          `${source}: context ${pair.dialogId} turn ${pair.turnId} is not in the loaded splits`,
        );
      }
      if (!this.items.has(pair.item))
        throw new CrsaugError(`${source}: item "${pair.item}" is not in the catalog`);
    }
  }

  dialogueText(pair: ScorePair): string {
    return renderContextText(this.contexts.get(contextKey(pair.dialogId, pair.turnId))!, this.config);
  }

  itemText(name: string): string {
    return renderItemText(this.items.get(name)!, { template: this.config.itemTemplate, ...this.config });
  }

  /** The first request for a chunk of pairs of one context (ids 1..n in chunk order). */
  request(chunk: readonly ScorePair[]): GenerateRequest {
    const { config } = this;
    const single = chunk.length === 1;
    const messages = buildScoreMessages(
      this.dialogueText(chunk[0]!),
      chunk.map((pair, i) => ({ id: i + 1, text: this.itemText(pair.item) })),
      config.mode,
      config.responseFormat,
    );
    const reason = config.mode === 'reason' ? config.reasonTokens : 0;
    const json = config.responseFormat === 'json';
    return {
      messages,
      maxTokens: single
        ? config.maxTokens + reason + (json ? JSON_OBJECT_TOKENS : 0)
        : chunk.length * (TOKENS_PER_JSON_LINE + reason),
      temperature: config.temperature,
      ...(json ? { responseFormat: 'json' as const } : {}),
      ...(single && config.logprobs ? { logprobs: { topLogprobs: config.topLogprobs } } : {}),
    };
  }
}

/** Groups pairs by context (first-seen order) and cuts each group into calls of at most `size` pairs. */
export function chunkByContext(pairs: readonly ScorePair[], size: number): ScorePair[][] {
  const groups = new Map<string, ScorePair[]>();
  for (const pair of pairs) {
    const key = contextKey(pair.dialogId, pair.turnId);
    const group = groups.get(key) ?? [];
    group.push(pair);
    groups.set(key, group);
  }
  const chunks: ScorePair[][] = [];
  for (const group of groups.values()) {
    for (let i = 0; i < group.length; i += size) chunks.push(group.slice(i, i + size));
  }
  return chunks;
}

export interface PoolEstimate {
  contexts: number;
  /** Unjudged pairs the judge would be asked about. */
  pairs: number;
  /** First-attempt chat requests (pairs grouped per context by `candidatesPerCall`). */
  requests: number;
  /** Prompt tokens of those requests, estimated as the rate limiter books them (≈ 4 characters a token). */
  estimatedInputTokens: number;
  /** Output budget of those requests (their maxTokens). */
  maxOutputTokens: number;
}

/** What judging `pairs` costs at first attempt (repairs and re-asks come on top). */
export function estimateJudging(
  pairs: readonly ScorePair[],
  requests: ScoreRequests,
  config: ScoreConfig,
): PoolEstimate {
  const chunks = chunkByContext(pairs, config.candidatesPerCall);
  const estimate: PoolEstimate = {
    contexts: new Set(pairs.map((p) => JSON.stringify([p.dialogId, p.turnId]))).size,
    pairs: pairs.length,
    requests: chunks.length,
    estimatedInputTokens: 0,
    maxOutputTokens: 0,
  };
  for (const chunk of chunks) {
    const request = requests.request(chunk);
    estimate.estimatedInputTokens += estimateTokens(request) - request.maxTokens;
    estimate.maxOutputTokens += request.maxTokens;
  }
  return estimate;
}
