import type { ScoreConfig } from '../config/augment.js';
import type { UsageTracker } from '../providers/middleware/usage.js';
import type { ChatModel, GenerateRequest, GenerateResult } from '../providers/types.js';
import { Progress } from '../util/progress.js';
import { pairKey, prepareAppend, readScores, rewriteScores, type ScoreRecord } from './artifacts.js';
import { BatchedJsonlAppender } from './batched-append.js';
import { expectedScore, type ParsedScore, parseMultiScoreAnswer, parseScoreAnswer } from './parse-score.js';
import { buildRepairMessages } from './prompt.js';
import { chunkByContext, type ScorePair, type ScoreRequests } from './score-request.js';
import { type AnswerCounts, belowValidFloor, TooManyInvalidAnswersError } from './valid-share.js';

export interface ScoreRunOptions {
  /** The judge, wrapped by the provider layer (cache, retry, limits, usage). */
  model: ChatModel;
  requests: ScoreRequests;
  pairs: ScorePair[];
  config: ScoreConfig;
  /** Appended to as answers arrive; pairs already in it are skipped. */
  scoresFile: string;
  /**
   * Also re-ask pairs recorded as invalid, bypassing the cached answers that made them invalid; their new
   * records replace the old ones (the file ends with one record per pair).
   */
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
  /** Every requested pair's record in the scores file after this call (earlier runs' included). */
  answers: AnswerCounts;
  seconds: number;
  pairsPerSecond: number;
}

/**
 * Judges pairs with the teacher. Each result is appended to the scores file as it is known (batched, so no
 * call waits for the disk), and a restart skips every pair already there; the provider cache makes any call
 * whose answer was committed before a kill free on the rerun (only calls in flight at the kill are paid again).
 * Mostly invalid answers stop it with a TooManyInvalidAnswersError (augment.score.minValidShare).
 */
export async function scorePairs(options: ScoreRunOptions): Promise<ScoreRunSummary> {
  const { model, config, requests } = options;
  await prepareAppend(options.scoresFile);
  const existing = await readScores(options.scoresFile);
  // Each requested pair's record as the file will hold it once this call is over.
  const outcomes = new Map<string, ScoreRecord>();
  for (const p of options.pairs) {
    const key = pairKey(p.dialogId, p.turnId, p.item);
    const found = existing.get(key);
    if (found) outcomes.set(key, found);
  }
  const retried = new Set<string>();
  const todo = options.pairs.filter((p) => {
    const found = outcomes.get(pairKey(p.dialogId, p.turnId, p.item));
    if (found && options.retryInvalid && !found.valid) retried.add(pairKey(p.dialogId, p.turnId, p.item));
    return !found || retried.has(pairKey(p.dialogId, p.turnId, p.item));
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
    answers: { valid: 0, invalid: 0 },
    seconds: 0,
    pairsPerSecond: 0,
  };
  let failure: { error: unknown } | undefined;
  let lastInvalid = [...outcomes.values()].findLast((r) => !r.valid);
  const tooManyInvalid = (counts: AnswerCounts) =>
    new TooManyInvalidAnswersError(counts, config, options.scoresFile, lastInvalid);
  // Workers go on to their next call while their answers are written: the provider cache already holds each
  // answer, so a pair whose line a kill lost is served from the cache on the restart, not paid again.
  const scores = new BatchedJsonlAppender(options.scoresFile);
  const record = (pair: ScorePair, result: Judgment & { attempts: number }) => {
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
    if (!line.valid) lastInvalid = line;
    outcomes.set(pairKey(pair.dialogId, pair.turnId, pair.item), line);
    scores.add(line);
    progress.tick(1, costSoFar(options.usage));
    // Judged on this call's answers, so a judge that fails from the start costs validShareAfter calls.
    if (belowValidFloor(summary, config)) failure ??= { error: tooManyInvalid(summary) };
  };

  // A pair re-asked because its answer was invalid must not be served that answer again from the cache.
  const request = (chunk: readonly ScorePair[]): GenerateRequest => {
    const first = requests.request(chunk);
    const again = chunk.some((p) => retried.has(pairKey(p.dialogId, p.turnId, p.item)));
    return again ? { ...first, refreshCache: true } : first;
  };
  const judgeAlone = async (pair: ScorePair) =>
    record(pair, await judgeSingle(model, request([pair]), config));
  const judgeChunk = async (chunk: ScorePair[]) => {
    if (chunk.length === 1) return judgeAlone(chunk[0]!);
    const result = await model.doGenerate(request(chunk));
    const scores = chunkScores(result, chunk.length);
    const missing: ScorePair[] = [];
    for (const [i, pair] of chunk.entries()) {
      const score = scores[i];
      if (score === undefined) missing.push(pair);
      else record(pair, { score, valid: true, attempts: 1 });
    }
    summary.reaskedAlone += missing.length;
    for (const pair of missing) await judgeAlone(pair);
  };

  const chunks = chunkByContext(todo, config.candidatesPerCall);
  let next = 0;
  // After a failure no new chunk starts, but the calls in flight finish and their answers are recorded.
  const worker = async () => {
    while (next < chunks.length && !failure) {
      try {
        await judgeChunk(chunks[next++]!);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(config.concurrency, chunks.length) }, worker));
  } finally {
    await scores.close();
    // The re-asked pairs' new records replace their old ones.
    if (retried.size > 0) await rewriteScores(options.scoresFile, await readScores(options.scoresFile));
  }
  if (failure) throw failure.error;
  const timing = progress.finish(costSoFar(options.usage));
  for (const r of outcomes.values()) summary.answers[r.valid ? 'valid' : 'invalid']++;
  if (belowValidFloor(summary.answers, config)) throw tooManyInvalid(summary.answers);
  return { ...summary, seconds: timing.seconds, pairsPerSecond: timing.perSecond };
}

/** What a record says about its pair's answer (the pair, the judge and the attempts are added by the caller). */
export type Judgment = Omit<ScoreRecord, 'dialog_id' | 'turn_id' | 'item' | 'model' | 'rank' | 'attempts'>;

/**
 * A single-pair answer read as a judgment: valid with its score (and the expected score when the answer
 * carries log-probabilities), or invalid with what was wrong (`failure`, for a repair turn).
 */
export function singleJudgment(
  result: GenerateResult,
  mode: ScoreConfig['mode'],
): { judgment: Judgment; failure?: Extract<ParsedScore, { ok: false }> } {
  const parsed = parseScoreAnswer(result.text, result.finishReason);
  if (!parsed.ok) {
    return {
      judgment: { score: null, valid: false, error: `${parsed.problem}: ${parsed.detail}`, raw: result.text },
      failure: parsed,
    };
  }
  const expected = expectedScore(result.logprobs, parsed.offset);
  return {
    judgment: {
      score: parsed.score,
      ...(expected === undefined ? {} : { expected }),
      valid: true,
      ...(mode === 'reason' ? { raw: result.text } : {}),
    },
  };
}

/** The scores a several-candidate answer gives its candidates 1..count (undefined where it gives none). */
export function chunkScores(result: GenerateResult, count: number): (number | undefined)[] {
  const ids = Array.from({ length: count }, (_, i) => i + 1);
  const scores = parseMultiScoreAnswer(result.text, ids);
  return ids.map((id) => scores.get(id));
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
): Promise<Judgment & { attempts: number }> {
  let request = first;
  let last: Judgment | undefined;
  for (let attempt = 1; attempt <= config.maxAttempts; attempt++) {
    const result = await model.doGenerate(request);
    const { judgment, failure } = singleJudgment(result, config.mode);
    if (!failure) return { ...judgment, attempts: attempt };
    last = judgment;
    request =
      failure.problem === 'truncated'
        ? { ...request, maxTokens: request.maxTokens * 2 }
        : {
            ...request,
            messages: buildRepairMessages(
              request.messages,
              result.text,
              failure.detail,
              config.mode,
              config.responseFormat,
            ),
          };
  }
  // maxAttempts ≥ 1, so the last failed judgment is there.
  return { ...last!, attempts: config.maxAttempts };
}

function costSoFar(usage: UsageTracker | undefined): string | undefined {
  if (!usage) return undefined;
  const { usd, complete } = usage.totalCostUsd();
  return complete ? `cost $${usd.toFixed(4)}` : `cost ≥ $${usd.toFixed(4)} (some prices unknown)`;
}
