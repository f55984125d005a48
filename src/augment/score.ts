import type { ScoreConfig } from '../config/augment.js';
import type { UsageTracker } from '../providers/middleware/usage.js';
import type { ChatModel, GenerateRequest, GenerateResult } from '../providers/types.js';
import { Progress } from '../util/progress.js';
import { pairKey, prepareAppend, readScores, type ScoreRecord } from './artifacts.js';
import { BatchedJsonlAppender } from './batched-append.js';
import { expectedScore, parseMultiScoreAnswer, parseScoreAnswer } from './parse-score.js';
import { buildRepairMessages } from './prompt.js';
import { chunkByContext, type ScorePair, type ScoreRequests } from './score-request.js';

export interface ScoreRunOptions {
  /** The judge, wrapped by the provider layer (cache, retry, limits, usage). */
  model: ChatModel;
  requests: ScoreRequests;
  pairs: ScorePair[];
  config: ScoreConfig;
  /** Appended to as answers arrive; pairs already in it are skipped. */
  scoresFile: string;
  /** Also re-ask pairs recorded as invalid (their answers are appended; a valid one wins on reading). */
  retryInvalid?: boolean;
  /** For the cost so far on the progress line. */
  usage?: UsageTracker;
  silent?: boolean;
}

export interface ScoreRunSummary {
  model: string;
  /** Pairs asked for. */
  pairs: number;
  /** Pairs found in the scores file already and not asked again. */
  skipped: number;
  /** Pairs judged in this run, and how many of them ended valid/invalid. */
  scored: number;
  valid: number;
  invalid: number;
  /** Pairs of several-candidate calls that the answer missed and that were re-asked alone. */
  reaskedAlone: number;
  seconds: number;
  pairsPerSecond: number;
}

/**
 * Judges pairs with the teacher. Each result is appended to the scores file as it is known (batched, so no
 * call waits for the disk), and a restart skips every pair already there; the provider cache makes any call
 * that had returned before a kill free on the rerun, so an interrupted run costs nothing twice.
 */
export async function scorePairs(options: ScoreRunOptions): Promise<ScoreRunSummary> {
  const { model, config, requests } = options;
  await prepareAppend(options.scoresFile);
  const existing = await readScores(options.scoresFile);
  const todo = options.pairs.filter((p) => {
    const found = existing.get(pairKey(p.dialogId, p.turnId, p.item));
    return !found || (options.retryInvalid && !found.valid);
  });
  const identity = `${model.provider}:${model.modelId}`;
  const progress = new Progress(`score (${identity})`, todo.length, {
    unit: 'pairs',
    silent: options.silent,
  });
  const summary: ScoreRunSummary = {
    model: model.describe(),
    pairs: options.pairs.length,
    skipped: options.pairs.length - todo.length,
    scored: 0,
    valid: 0,
    invalid: 0,
    reaskedAlone: 0,
    seconds: 0,
    pairsPerSecond: 0,
  };
  // Workers go on to their next call while their answers are written: the provider cache already holds each
  // answer, so a pair whose line a kill lost is served from the cache on the restart, never paid twice.
  const scores = new BatchedJsonlAppender(options.scoresFile);
  const record = (
    pair: ScorePair,
    result: Omit<ScoreRecord, 'dialog_id' | 'turn_id' | 'item' | 'model' | 'rank'>,
  ) => {
    const line: ScoreRecord = {
      dialog_id: pair.dialogId,
      turn_id: pair.turnId,
      item: pair.item,
      ...(pair.rank === undefined ? {} : { rank: pair.rank }),
      model: identity,
      ...result,
    };
    summary.scored++;
    if (line.valid) summary.valid++;
    else summary.invalid++;
    scores.add(line);
    progress.tick(1, costSoFar(options.usage));
  };

  const judgeAlone = async (pair: ScorePair) =>
    record(pair, await judgeSingle(model, requests.request([pair]), config));
  const judgeChunk = async (chunk: ScorePair[]) => {
    if (chunk.length === 1) return judgeAlone(chunk[0]!);
    const result = await model.doGenerate(requests.request(chunk));
    const answered = parseMultiScoreAnswer(
      result.text,
      chunk.map((_, i) => i + 1),
    );
    const missing: ScorePair[] = [];
    for (const [i, pair] of chunk.entries()) {
      const score = answered.get(i + 1);
      if (score === undefined) missing.push(pair);
      else record(pair, { score, valid: true, attempts: 1 });
    }
    summary.reaskedAlone += missing.length;
    for (const pair of missing) await judgeAlone(pair);
  };

  const chunks = chunkByContext(todo, config.candidatesPerCall);
  let next = 0;
  const worker = async () => {
    while (next < chunks.length) await judgeChunk(chunks[next++]!);
  };
  try {
    await Promise.all(Array.from({ length: Math.min(config.concurrency, chunks.length) }, worker));
  } finally {
    await scores.close();
  }
  const timing = progress.finish(costSoFar(options.usage));
  return { ...summary, seconds: timing.seconds, pairsPerSecond: timing.perSecond };
}

/**
 * One pair, up to maxAttempts calls: an answer cut by the token limit is asked again with twice the budget;
 * an answer with no usable score gets a repair turn (the bad answer plus a reminder of the format).
 * Every attempt is a different request, so the cache replays a restart's attempts in the same order.
 */
async function judgeSingle(
  model: ChatModel,
  first: GenerateRequest,
  config: ScoreConfig,
): Promise<Omit<ScoreRecord, 'dialog_id' | 'turn_id' | 'item' | 'model' | 'rank'>> {
  let request = first;
  let result: GenerateResult | undefined;
  let problem = '';
  for (let attempt = 1; attempt <= config.maxAttempts; attempt++) {
    result = await model.doGenerate(request);
    const parsed = parseScoreAnswer(result.text, result.finishReason);
    if (parsed.ok) {
      const expected = expectedScore(result.logprobs, parsed.offset);
      return {
        score: parsed.score,
        ...(expected === undefined ? {} : { expected }),
        valid: true,
        ...(config.mode === 'reason' ? { raw: result.text } : {}),
        attempts: attempt,
      };
    }
    problem = `${parsed.problem}: ${parsed.detail}`;
    request =
      parsed.problem === 'truncated'
        ? { ...request, maxTokens: request.maxTokens * 2 }
        : {
            ...request,
            messages: buildRepairMessages(request.messages, result.text, parsed.detail, config.mode),
          };
  }
  return { score: null, valid: false, error: problem, raw: result?.text ?? '', attempts: config.maxAttempts };
}

function costSoFar(usage: UsageTracker | undefined): string | undefined {
  if (!usage) return undefined;
  const { usd, complete } = usage.totalCostUsd();
  return complete ? `cost $${usd.toFixed(4)}` : `cost ≥ $${usd.toFixed(4)} (some prices unknown)`;
}
