import { existsSync } from 'node:fs';
import { z } from 'zod';
import { pairKey, type ScoreRecord } from '../augment/artifacts.js';
import { type ScoreRunSummary, scorePairs } from '../augment/score.js';
import { estimateJudging, type PoolEstimate, ScoreRequests } from '../augment/score-request.js';
import { JUDGMENT_PURPOSE_EVALUATION, type TeacherJudgment } from '../augment/teacher-set.js';
import type { ScoreConfig } from '../config/augment.js';
import type { Catalog, Dataset, SplitName } from '../data/types.js';
import type { UsageTracker } from '../providers/middleware/usage.js';
import type { ChatModel } from '../providers/types.js';
import { readJsonl, writeJsonl } from '../util/jsonl.js';
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

/** One line of a judge's `<split>.pool.jsonl`: a pooled context, its items and who proposed each. */
export const PoolLineSchema = z.object({
  dialog_id: z.string(),
  turn_id: z.number().int(),
  items: z.array(
    z.object({
      item: z.string(),
      /** System names, and "gold" for the logged item. */
      proposed_by: z.array(z.string()),
      /** Whether a judgment was known when the pool was built. */
      judged: z.boolean(),
    }),
  ),
});

/** Writes the pool as JSONL, one line per context: the record of what was pooled, read back on import. */
export async function writePoolFile(file: string, pool: Pool, catalog: Catalog): Promise<void> {
  await writeJsonl(
    file,
    pool.contexts.map(({ context, items, proposedBy, unjudged }) => ({
      dialog_id: context.dialogId,
      turn_id: context.turnId,
      items: items.map((item) => ({
        item: catalog.items[item]!.name,
        proposed_by: proposedBy.get(item)!,
        judged: !unjudged.includes(item),
      })),
    })),
  );
}

/** Who proposed each pooled pair (by pairKey), from a pool file; empty when the file is absent. */
export async function readPoolProposers(file: string): Promise<Map<string, string[]>> {
  const proposers = new Map<string, string[]>();
  if (!existsSync(file)) return proposers;
  for await (const { value } of readJsonl(file, PoolLineSchema)) {
    for (const { item, proposed_by } of value.items) {
      proposers.set(pairKey(value.dialog_id, value.turn_id, item), proposed_by);
    }
  }
  return proposers;
}

/** Who proposed each pair of a pool in memory, keyed as readPoolProposers keys them. */
export function poolProposers(pool: Pool, catalog: Catalog): Map<string, string[]> {
  const proposers = new Map<string, string[]>();
  for (const { context, items, proposedBy } of pool.contexts) {
    for (const item of items) {
      proposers.set(
        pairKey(context.dialogId, context.turnId, catalog.items[item]!.name),
        proposedBy.get(item)!,
      );
    }
  }
  return proposers;
}

/**
 * A judge's validly answered pairs as judgment lines in the teacher format (the judged-evaluation file of a
 * dataset split), each marked `"purpose": "evaluation"` so that no training use ever accepts the file
 * (assertTrainingJudgments); `retrieval` names the systems that proposed the item, when known.
 */
export function judgmentLines(
  scores: Iterable<ScoreRecord>,
  proposers: ReadonlyMap<string, string[]>,
  dataset: string,
  split: SplitName,
): TeacherJudgment[] {
  const lines: TeacherJudgment[] = [];
  for (const record of scores) {
    if (!record.valid || record.score === null) continue;
    const proposed = proposers.get(pairKey(record.dialog_id, record.turn_id, record.item));
    lines.push({
      dataset,
      split,
      dialog_id: record.dialog_id,
      turn_id: record.turn_id,
      item: record.item,
      score: record.expected ?? record.score,
      ...(record.raw ? { reason: record.raw } : {}),
      ...(proposed ? { retrieval: proposed.join('+') } : {}),
      purpose: JUDGMENT_PURPOSE_EVALUATION,
    });
  }
  return lines;
}
