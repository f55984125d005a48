import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Config } from '../../config/schema.js';
import { pairsOf } from '../../data/pairs.js';
import type { Dataset, RecContext, SplitName } from '../../data/types.js';
import { splitOf } from '../../eval/evaluate.js';
import {
  estimatePool,
  judgePool,
  judgmentLines,
  type PoolEstimate,
  readPoolProposers,
  writePoolFile,
} from '../../eval/judge-pool.js';
import { configuredJudgments, type LoadedJudgments, loadJudgments } from '../../eval/judgments.js';
import { buildPool, type Pool, type PoolSystem, poolContexts, unjudgedScorePairs } from '../../eval/pool.js';
import { CrsaugError } from '../../util/errors.js';
import { writeJsonl } from '../../util/jsonl.js';
import { readScores, scoresFile } from '../artifacts.js';
import { ScoreRequests } from '../score-request.js';
import { defaultTeacherDir } from '../teacher-set.js';
import { importScoreBatchStage, type ScoreBatchExportSummary, writeScoreBatch } from './batch.js';
import { openChatModel, type StageOptions, type StageProvider, using } from './stage.js';
import { hasChatModel } from './teacher.js';

/*
 * The judge of judged evaluation: TREC-style pooling of the compared systems' top k on a split's contexts,
 * and the chat model judging the pairs without a judgment with the teacher's prompt, parser, cache, retries,
 * limits and resumable scores file. Its output folder holds, per split:
 *   <split>.pool.jsonl                  what was pooled and who proposed each item
 *   <split>.scores.jsonl                the judge's answers (appended as they arrive; a rerun skips them)
 *   <dataset>_<split>.judgments.jsonl   the valid answers in the teacher format, marked for evaluation only
 * Without a chat model the pool can still be written as an OpenAI Batch file and its output read back.
 */

/** The splits a judge works on: judged evaluation is of held-out contexts (train pairs are the teacher's). */
export const JUDGED_SPLITS = ['valid', 'test'] as const satisfies readonly SplitName[];

/** A compared system as the pool sees it: a name and its ranked lists (top topK) for given contexts. */
export interface PoolRanker {
  name: string;
  rank(contexts: readonly RecContext[]): Promise<Int32Array[]>;
}

export interface JudgeStageOptions extends StageOptions {
  /** The dataset with `split` loaded. */
  dataset: Dataset;
  split: SplitName;
  /** The compared systems; each ranks only the pooled contexts. */
  systems: readonly PoolRanker[];
  /** Receives the pool, the scores and the judgments file (never the teacher folder). */
  outDir: string;
}

/** The judgments file a judge's folder holds for a dataset split. */
export function judgeJudgmentsFile(outDir: string, dataset: string, split: SplitName): string {
  return join(outDir, `${dataset}_${split}.judgments.jsonl`);
}

export function judgePoolFile(outDir: string, split: SplitName): string {
  return join(outDir, `${split}.pool.jsonl`);
}

export interface JudgePoolSummary {
  dataset: string;
  split: SplitName;
  systems: string[];
  depth: number;
  /** Pooled contexts, of the split's evaluated contexts. */
  contexts: number;
  evaluatedContexts: number;
  /** Pooled (context, item) pairs, and those without a judgment when the pool was built. */
  pairs: number;
  unjudgedPairs: number;
  /** What judging the unjudged pairs costs at first attempt (pairs, requests, tokens). */
  estimate: PoolEstimate;
  /** Judgment files the pool was checked against. */
  judgmentFiles: string[];
  poolFile: string;
}

export interface JudgeStageSummary extends JudgePoolSummary, StageProvider {
  /** Pairs judged validly or not in this call, and those the scores file already held. */
  judged: { scored: number; valid: number; invalid: number; skipped: number };
  /** The judgments file (teacher format), rewritten from every valid answer in the scores file. */
  judgmentsFile: string;
  judgments: number;
  cost: { usd: number; complete: boolean };
}

/** Judging online needs a chat model; without one, this names the offline route (a batch file). */
export function requireJudge(config: Config): void {
  if (hasChatModel(config)) return;
  throw new CrsaugError('judging needs a chat model, and none is configured', {
    hint: 'set providers.chat (or --llm-base-url and --llm-model); offline, only `crsaug judge export-batch --file F` is possible: it writes the unjudged pool as an OpenAI Batch file, and `crsaug judge import-batch --file F --output O` reads the answers back',
  });
}

/**
 * Pools the systems, then has the configured chat model judge the unjudged pairs; the judgments file holds
 * every valid answer so far. Without a chat model it refuses before any work, naming the offline route.
 */
export async function judgeStage(config: Config, options: JudgeStageOptions): Promise<JudgeStageSummary> {
  requireJudge(config);
  const { pool, summary } = await preparePool(config, options);
  const chat = await openChatModel(config, { stage: 'judge', role: 'judge' }, options);
  return using(chat, async () => {
    const scored = await judgePool({
      model: chat.model,
      dataset: options.dataset,
      pool,
      config: config.augment.score,
      scoresFile: scoresFile(options.outDir, options.split),
      usage: chat.usage,
      silent: options.silent,
    });
    const written = await writeJudgmentsFile(options.outDir, options.dataset.name, options.split);
    return {
      ...summary,
      judged: {
        scored: scored.scored,
        valid: scored.valid,
        invalid: scored.invalid,
        skipped: scored.skipped,
      },
      ...written,
      ...chat.report(),
      cost: chat.usage.totalCostUsd(),
    };
  });
}

/** Writes the unjudged pool as an OpenAI Batch input file (the teacher's first-attempt requests). */
export async function exportJudgeBatchStage(
  config: Config,
  options: JudgeStageOptions & { file: string },
): Promise<JudgePoolSummary & { batch: ScoreBatchExportSummary }> {
  const { pool, summary } = await preparePool(config, options);
  const requests = new ScoreRequests(options.dataset, config.augment.score);
  const pairs = unjudgedScorePairs(pool, options.dataset.catalog);
  requests.check(pairs, 'judge pool');
  return { ...summary, batch: await writeScoreBatch(config, requests, pairs, options.file) };
}

export interface JudgeImportOptions {
  /** The dataset with `split` loaded (the judgments file is checked against it). */
  dataset: Dataset;
  split: SplitName;
  outDir: string;
  /** The batch input file `judge export-batch` wrote, and the provider's output for it. */
  file: string;
  output: string;
}

/**
 * Reads a judge batch's answers into the judge's scores file (and the provider cache, so an online judge then
 * finds them), and rewrites the judgments file from every valid answer.
 */
export async function importJudgeBatchStage(config: Config, options: JudgeImportOptions) {
  checkOutDir(config, options.outDir, options.split);
  const imported = await importScoreBatchStage(config, {
    file: options.file,
    output: options.output,
    scoresFile: scoresFile(options.outDir, options.split),
  });
  const written = await writeJudgmentsFile(options.outDir, options.dataset.name, options.split);
  // Read back as judged evaluation reads it: a batch of another dataset split fails here, naming the line.
  await loadJudgments(options.dataset, options.split, { files: [written.judgmentsFile], defaults: false });
  return { ...imported, ...written };
}

/** Builds the pool over the configured contexts, checked against the known judgments, and writes its file. */
async function preparePool(
  config: Config,
  options: JudgeStageOptions,
): Promise<{ pool: Pool; summary: JudgePoolSummary }> {
  checkOutDir(config, options.outDir, options.split);
  const { dataset, split } = options;
  const contexts = splitOf(dataset, split).contexts;
  const { judgments } = await knownJudgments(config, options);
  const { depth, maxContexts } = config.eval.judge;
  const pooled = poolContexts(contexts, dataset.catalog, judgments, maxContexts, config.seed).map(
    (i) => contexts[i]!,
  );
  const systems: PoolSystem[] = [];
  for (const system of options.systems) {
    systems.push({ name: system.name, rankings: await system.rank(pooled) });
  }
  const pool = buildPool(pooled, systems, dataset.catalog, judgments, {
    depth,
    topK: config.eval.topK,
    includeGold: true,
  });
  const poolFile = judgePoolFile(options.outDir, split);
  await writePoolFile(poolFile, pool, dataset.catalog);
  return {
    pool,
    summary: {
      dataset: dataset.name,
      split,
      systems: pool.systems,
      depth,
      contexts: pool.contexts.length,
      evaluatedContexts: new Set(pairsOf(contexts, dataset.catalog).map((p) => p.contextIndex)).size,
      pairs: pool.pairs,
      unjudgedPairs: pool.unjudgedPairs,
      estimate: estimatePool(pool, dataset, config.augment.score),
      judgmentFiles: judgments.files.map((f) => f.file),
      poolFile,
    },
  };
}

/** The configured judgments plus what this judge folder already holds. */
function knownJudgments(config: Config, options: JudgeStageOptions): Promise<LoadedJudgments> {
  const own = judgeJudgmentsFile(options.outDir, options.dataset.name, options.split);
  return configuredJudgments(config, options.dataset, options.split, existsSync(own) ? [own] : []);
}

/** Every valid answer of the scores file as the judgments file (teacher format, marked for evaluation). */
async function writeJudgmentsFile(
  outDir: string,
  dataset: string,
  split: SplitName,
): Promise<{ judgmentsFile: string; judgments: number }> {
  const scores = await readScores(scoresFile(outDir, split));
  const proposers = await readPoolProposers(judgePoolFile(outDir, split));
  const lines = judgmentLines(scores.values(), proposers, dataset, split);
  const judgmentsFile = judgeJudgmentsFile(outDir, dataset, split);
  await writeJsonl(judgmentsFile, lines);
  return { judgmentsFile, judgments: lines.length };
}

/** A judge works on valid or test, and never writes where teacher judgments are looked for. */
function checkOutDir(config: Config, outDir: string, split: SplitName): void {
  if (!(JUDGED_SPLITS as readonly string[]).includes(split)) {
    throw new CrsaugError(`the judge pools ${JUDGED_SPLITS.join(' or ')} contexts, not ${split}`, {
      hint: 'train pairs are judged by the teacher: crsaug augment score',
    });
  }
  if (resolve(outDir) === resolve(defaultTeacherDir(config.dataDir))) {
    throw new CrsaugError(
      `${outDir} is the teacher judgments folder; judged-evaluation judgments go elsewhere`,
      {
        hint: 'pass --out DIR (default runs/<dataset>/judge)',
      },
    );
  }
}
