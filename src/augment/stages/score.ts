import { existsSync } from 'node:fs';
import { z } from 'zod';
import type { Config } from '../../config/schema.js';
import { loadConfiguredDataset } from '../../data/load.js';
import type { Dataset, SplitName } from '../../data/types.js';
import { readJsonl } from '../../util/jsonl.js';
import { candidatesFile, readCandidates } from '../artifacts.js';
import { samplePairs } from '../sampler.js';
import { type ScoreRunSummary, scorePairs } from '../score.js';
import { type ScorePair, ScoreRequests } from '../score-request.js';
import { inShard, type Shard } from '../shard.js';
import { openChatModel, type StageOptions, type StageProvider, using } from './stage.js';

/** Which pairs a call judges: a pairs file as it is, or the configured sampler over a split's candidates. */
export interface PairSource {
  split: SplitName;
  /** Folder holding `<split>.candidates.jsonl` (the retrieve stage's output). */
  candidatesDir: string;
  /** JSONL lines {dialog_id, turn_id, item} judged instead of sampling the candidates. */
  pairsFile?: string;
  /** Only the pairs of this shard's contexts. */
  shard?: Shard;
  /** The dataset when already loaded (default: the configured one, that split only). */
  dataset?: Dataset;
}

const PairLineSchema = z.object({ dialog_id: z.string(), turn_id: z.number().int(), item: z.string() });

async function selectPairs(config: Config, source: PairSource): Promise<ScorePair[]> {
  let pairs: ScorePair[];
  if (source.pairsFile) {
    pairs = [];
    for await (const { value } of readJsonl(source.pairsFile, PairLineSchema)) {
      pairs.push({ dialogId: value.dialog_id, turnId: value.turn_id, item: value.item });
    }
  } else {
    const merged = candidatesFile(source.candidatesDir, source.split);
    // Sampling over the whole split keeps a shard's pairs the same as in an unsharded run.
    const file =
      existsSync(merged) || !source.shard
        ? merged
        : candidatesFile(source.candidatesDir, source.split, source.shard);
    pairs = await samplePairs(await readCandidates(file), {
      config: config.augment.score.sampler,
      seed: config.seed,
    });
  }
  return pairs.filter((p) => inShard(p.dialogId, p.turnId, source.shard));
}

/** The pairs to judge and the judge's requests for them, checked against the dataset before any call. */
export async function scoringPairs(
  config: Config,
  source: PairSource,
): Promise<{ requests: ScoreRequests; pairs: ScorePair[] }> {
  const dataset = source.dataset ?? (await loadConfiguredDataset(config, [source.split]));
  const requests = new ScoreRequests(dataset, config.augment.score);
  const pairs = await selectPairs(config, source);
  requests.check(pairs, source.pairsFile ?? candidatesFile(source.candidatesDir, source.split));
  return { requests, pairs };
}

export interface ScoreStageOptions extends PairSource, StageOptions {
  /** Appended to as answers arrive; pairs already in it are skipped (resumable). */
  scoresFile: string;
  /** Also re-ask pairs recorded as invalid. */
  retryInvalid?: boolean;
}

export interface ScoreStageSummary extends ScoreRunSummary, StageProvider {
  scoresFile: string;
  /** Estimated USD of the calls made now; `complete` is false when some price or token count is unknown. */
  cost: { usd: number; complete: boolean };
}

/** The teacher (the configured chat model) judges pairs; every call is cached, every answer appended. */
export function scoreStage(config: Config, options: ScoreStageOptions): Promise<ScoreStageSummary> {
  return judgePairs(config, options, 'score');
}

/** scoreStage with the calls booked under `stage` (the run books its teacher's calls as 'teacher'). */
export async function judgePairs(
  config: Config,
  options: ScoreStageOptions,
  stage: string,
): Promise<ScoreStageSummary> {
  const { requests, pairs } = await scoringPairs(config, options);
  const chat = await openChatModel(config, { stage, role: 'teacher' }, options);
  return using(chat, async () => {
    const summary = await scorePairs({
      model: chat.model,
      requests,
      pairs,
      config: config.augment.score,
      scoresFile: options.scoresFile,
      retryInvalid: options.retryInvalid,
      usage: chat.usage,
      silent: options.silent,
    });
    return {
      ...summary,
      scoresFile: options.scoresFile,
      ...chat.report(),
      cost: chat.usage.totalCostUsd(),
    };
  });
}
