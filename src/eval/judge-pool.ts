import { pairKey, type ScoreRecord } from '../augment/artifacts.js';
import { type ScoreRunSummary, scorePairs } from '../augment/score.js';
import { estimateJudging, type PoolEstimate, ScoreRequests } from '../augment/score-request.js';
import type { TeacherJudgment } from '../augment/teacher-set.js';
import type { ScoreConfig } from '../config/augment.js';
import type { Catalog, Dataset, SplitName } from '../data/types.js';
import type { UsageTracker } from '../providers/middleware/usage.js';
import type { ChatModel } from '../providers/types.js';
import { type Pool, unjudgedScorePairs } from './pool.js';

/**
 * Judging a pool's unjudged pairs is teacher scoring: the same requests (prompt and item texts of
 * ScoreRequests), the same parser, repair turns and resumable scores file (scorePairs), and the same cache,
 * retries and limits (the provider wrappers around `model`). Only the pairs differ.
 */

export { estimateJudging, type PoolEstimate };

/** The estimate for a pool's unjudged pairs. */
export function estimatePool(pool: Pool, dataset: Dataset, config: ScoreConfig): PoolEstimate {
  return estimateJudging(
    unjudgedScorePairs(pool, dataset.catalog),
    new ScoreRequests(dataset, config),
    config,
  );
}

export interface JudgePoolOptions {
  /** The judge as the provider factory wraps it (cache, usage, retry, limits). */
  model: ChatModel;
  dataset: Dataset;
  pool: Pool;
  config: ScoreConfig;
  /** Appended to as answers arrive; pairs already in it are skipped (a killed run resumes). */
  scoresFile: string;
  retryInvalid?: boolean;
  usage?: UsageTracker;
  silent?: boolean;
}

/** Has the judge score the pool's unjudged pairs with the teacher's prompt, parser and resumability. */
export function judgePool(options: JudgePoolOptions): Promise<ScoreRunSummary> {
  const requests = new ScoreRequests(options.dataset, options.config);
  const pairs = unjudgedScorePairs(options.pool, options.dataset.catalog);
  requests.check(pairs, 'judge pool');
  return scorePairs({
    model: options.model,
    requests,
    pairs,
    config: options.config,
    scoresFile: options.scoresFile,
    retryInvalid: options.retryInvalid,
    usage: options.usage,
    silent: options.silent,
  });
}

/**
 * The pool's pairs that the scores file answered validly, as judgment lines in the teacher format (the
 * judged-evaluation file of a dataset split); `retrieval` names the systems that proposed each item.
 */
export function poolJudgmentLines(
  pool: Pool,
  scores: ReadonlyMap<string, ScoreRecord>,
  catalog: Catalog,
  dataset: string,
  split: SplitName,
): TeacherJudgment[] {
  const lines: TeacherJudgment[] = [];
  for (const { context, unjudged, proposedBy } of pool.contexts) {
    for (const item of unjudged) {
      const name = catalog.items[item]!.name;
      const record = scores.get(pairKey(context.dialogId, context.turnId, name));
      if (!record?.valid || record.score === null) continue;
      lines.push({
        dataset,
        split,
        dialog_id: context.dialogId,
        turn_id: context.turnId,
        item: name,
        score: record.score,
        ...(record.raw ? { reason: record.raw } : {}),
        retrieval: proposedBy.get(item)!.join('+'),
      });
    }
  }
  return lines;
}
