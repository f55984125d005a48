import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { z } from 'zod';
import { candidatesFile, readCandidates, scoresFile } from '../augment/artifacts.js';
import {
  exportEmbeddingBatch,
  exportScoreBatch,
  importEmbeddingBatch,
  importScoreBatch,
} from '../augment/batch.js';
import { openDatasetEmbedder } from '../augment/embedder.js';
import { contextQueries, itemDocuments, retrieve } from '../augment/retrieve.js';
import { samplePairs } from '../augment/sampler.js';
import { scorePairs } from '../augment/score.js';
import { type ScorePair, ScoreRequests } from '../augment/score-request.js';
import { inShard, mergeShards, parseShard, type Shard } from '../augment/shard.js';
import { resolveConfig } from '../config/load.js';
import { resolveCacheDir } from '../config/paths.js';
import type { Config, ConfigInput } from '../config/schema.js';
import { loadDataset } from '../data/index.js';
import { SPLIT_NAMES, type SplitName } from '../data/types.js';
import { CACHE_FILE_NAME, createChatModel, selectEmbeddingProvider } from '../providers/factory.js';
import { ProviderCacheStore } from '../providers/middleware/cache-store.js';
import { CrsaugError } from '../util/errors.js';
import { readJsonl } from '../util/jsonl.js';
import { registerDistill, registerSynthesize } from './augment-student.js';
import { positiveInt } from './eval.js';

/** Flags every augment subcommand takes. */
export interface CommonFlags {
  config?: string;
  dataset?: string;
  dataDir?: string;
  cacheDir?: string;
  out?: string;
  seed?: number;
  json?: boolean;
  llmBaseUrl?: string;
  llmModel?: string;
  embedBaseUrl?: string;
  embedModel?: string;
}

/** One function per subcommand, so each stage registers itself with a one-line addition here. */
export const AUGMENT_SUBCOMMANDS: ((augment: Command) => void)[] = [
  registerRetrieve,
  registerScore,
  registerExportBatch,
  registerImportBatch,
  registerMerge,
  registerDistill,
  registerSynthesize,
];

export function register(program: Command): void {
  const augment = program
    .command('augment')
    .description(
      'label augmentation: retrieve candidates, score them with an LLM teacher, batch files, shards',
    );
  for (const add of AUGMENT_SUBCOMMANDS) add(augment);
}

export function withCommonFlags(command: Command): Command {
  return command
    .option('--config <file>', 'config file (default ./crsaug.config.json when present)')
    .option('--dataset <name>', 'dataset name or custom dataset folder')
    .option('--data-dir <dir>', 'root folder of the datasets')
    .option('--cache-dir <dir>', 'folder of the provider cache (providers.sqlite)')
    .option('--out <dir>', 'folder of the augment files (default runs/<dataset>/augment)')
    .option('--seed <n>', 'seed', nonNegativeInt)
    .option('--llm-base-url <url>', 'OpenAI-compatible chat server (e.g. http://127.0.0.1:8000/v1)')
    .option('--llm-model <name>', 'chat model name')
    .option(
      '--embed-base-url <url>',
      'OpenAI-compatible embeddings server (default: builtin offline embedder)',
    )
    .option('--embed-model <name>', 'embedding model name')
    .option('--json', 'print the summary as JSON');
}

export function loadConfig(flags: CommonFlags, augment: ConfigInput['augment'] = {}): Config {
  return resolveConfig({
    configFile: flags.config,
    flags: {
      dataset: flags.dataset,
      dataDir: flags.dataDir,
      cacheDir: flags.cacheDir,
      out: flags.out,
      seed: flags.seed,
      augment,
      providers: {
        chat: { baseUrl: flags.llmBaseUrl, model: flags.llmModel },
        embedding: { baseUrl: flags.embedBaseUrl, model: flags.embedModel },
      },
    },
  });
}

export function outDirOf(config: Config): string {
  return resolve(config.out ?? join('runs', config.dataset, 'augment'));
}

/**
 * The providers section: the config's own (when the root schema has one), then CRSAUG_LLM_* / CRSAUG_EMBED_*
 * variables, then flags.
 */
function registerRetrieve(augment: Command): void {
  withCommonFlags(
    augment
      .command('retrieve')
      .description(
        'embed items and dialogue contexts, keep the exact top-K items per context (context items excluded)',
      ),
  )
    .option('--splits <list>', 'comma-separated splits', splitList, ['train'])
    .option('--top-k <n>', 'candidates per context', positiveInt)
    .option('--shard <i/n>', 'only shard i of n (1-based) of the contexts', parseShardFlag)
    .option('--keep-mentioned-titles', 'exclude only linked context entities, not titles found in the text')
    .action(
      async (
        flags: CommonFlags & {
          splits: SplitName[];
          topK?: number;
          shard?: Shard;
          keepMentionedTitles?: boolean;
        },
      ) => {
        const config = loadConfig(flags, {
          retrieve: {
            topK: flags.topK,
            ...(flags.keepMentionedTitles ? { excludeMentionedTitles: false } : {}),
          },
        });
        const providers = config.providers;
        const builtin = selectEmbeddingProvider(providers.embedding) === 'builtin';
        // The builtin embedder is fitted on items + train contexts, whatever splits or shard this run does.
        const splits: SplitName[] = builtin
          ? [...new Set<SplitName>([...flags.splits, 'train'])]
          : flags.splits;
        const dataset = await loadDataset(config.dataset, { dataDir: config.dataDir, splits });
        const cfg = config.augment.retrieve;
        const embedder = await openDatasetEmbedder(config, dataset, 'retrieve');
        process.stderr.write(`embedder: ${embedder.model.describe()}\n`);
        try {
          const outDir = outDirOf(config);
          const summary = await retrieve({
            dataset,
            splits: flags.splits,
            model: embedder.model,
            config: cfg,
            outDir,
            shard: flags.shard,
          });
          const usage = embedder.usage.summary();
          if (flags.json) {
            process.stdout.write(`${JSON.stringify({ ...summary, dataset: dataset.name, outDir, usage })}\n`);
            return;
          }
          const lines = [
            `${dataset.name}: ${summary.items} items, ${summary.dims}-d, top-${cfg.topK}, embedder ${summary.model}`,
            ...summary.splits.map(
              (s) =>
                `${s.split}: ${s.contexts} contexts (${s.emptyContexts} empty skipped), excluded per context ${s.meanExcludedByEntities.toFixed(2)} linked + ${s.meanExcludedByTitles.toFixed(2)} by title, gold items among candidates ${(100 * s.goldRecall).toFixed(1)}%, ${s.contextsPerSecond.toFixed(0)} contexts/s → ${s.candidatesFile}`,
            ),
            embedder.usage.format(),
          ];
          process.stdout.write(`${lines.join('\n')}\n`);
        } finally {
          embedder.close();
        }
      },
    );
}

const PairLineSchema = z.object({ dialog_id: z.string(), turn_id: z.number().int(), item: z.string() });

/** Pairs to judge: a given pairs file as is, or the sampler over the split's candidates; then the shard's part. */
async function pairsToScore(
  config: Config,
  flags: { split: SplitName; pairs?: string; shard?: Shard },
): Promise<ScorePair[]> {
  let pairs: ScorePair[];
  if (flags.pairs) {
    pairs = [];
    for await (const { value } of readJsonl(flags.pairs, PairLineSchema)) {
      pairs.push({ dialogId: value.dialog_id, turnId: value.turn_id, item: value.item });
    }
  } else {
    const outDir = outDirOf(config);
    const merged = candidatesFile(outDir, flags.split);
    // Sampling over the whole split keeps a shard's pairs the same as in an unsharded run.
    const file =
      existsSync(merged) || !flags.shard ? merged : candidatesFile(outDir, flags.split, flags.shard);
    pairs = await samplePairs(await readCandidates(file), {
      config: config.augment.score.sampler,
      seed: config.seed,
    });
  }
  return pairs.filter((p) => inShard(p.dialogId, p.turnId, flags.shard));
}

interface ScoreFlags extends CommonFlags {
  split: SplitName;
  pairs?: string;
  shard?: Shard;
  sampler?: 'all' | 'random' | 'stratified';
  pairsPerContext?: number;
  maxContexts?: number;
  candidatesPerCall?: number;
  mode?: 'direct' | 'reason';
  logprobs?: boolean;
}

function withScoreFlags(command: Command): Command {
  return withCommonFlags(command)
    .option('--split <name>', 'split whose candidates are judged', splitName, 'train')
    .option('--pairs <file>', 'judge these pairs instead (JSONL with dialog_id, turn_id, item)')
    .option('--shard <i/n>', 'only shard i of n (1-based) of the contexts', parseShardFlag)
    .option('--sampler <strategy>', 'all | random | stratified (pairs sent to the teacher)', samplerName)
    .option('--pairs-per-context <n>', 'pairs per context for random/stratified', positiveInt)
    .option('--max-contexts <n>', 'judge at most this many contexts (seeded random subset)', nonNegativeInt)
    .option('--candidates-per-call <n>', 'candidates of one context judged in one call', positiveInt)
    .option('--mode <mode>', 'direct | reason (a short reason before the score)', scoreMode)
    .option('--logprobs', 'ask for token log-probabilities and record the expected score');
}

function scoreConfigFlags(flags: ScoreFlags): ConfigInput['augment'] {
  return {
    score: {
      candidatesPerCall: flags.candidatesPerCall,
      mode: flags.mode,
      logprobs: flags.logprobs,
      sampler: {
        strategy: flags.sampler,
        pairsPerContext: flags.pairsPerContext,
        maxContexts: flags.maxContexts,
      },
    },
  };
}

async function prepareScoring(flags: ScoreFlags) {
  const config = loadConfig(flags, scoreConfigFlags(flags));
  const dataset = await loadDataset(config.dataset, { dataDir: config.dataDir, splits: [flags.split] });
  const requests = new ScoreRequests(dataset, config.augment.score);
  const pairs = await pairsToScore(config, flags);
  requests.check(pairs, flags.pairs ?? candidatesFile(outDirOf(config), flags.split));
  return { config, dataset, requests, pairs };
}

function registerScore(augment: Command): void {
  withScoreFlags(
    augment.command('score').description('judge (context, candidate) pairs with the LLM teacher; resumable'),
  )
    .option('--retry-invalid', 're-ask pairs recorded as invalid')
    .action(async (flags: ScoreFlags & { retryInvalid?: boolean }) => {
      const { config, requests, pairs } = await prepareScoring(flags);
      const providers = config.providers;
      const chat = await createChatModel(providers, {
        cacheDir: resolveCacheDir(config.cacheDir),
        stage: 'score',
      });
      process.stderr.write(`teacher: ${chat.model.describe()}\n`);
      try {
        const file = scoresFile(outDirOf(config), flags.split, flags.shard);
        const summary = await scorePairs({
          model: chat.model,
          requests,
          pairs,
          config: config.augment.score,
          scoresFile: file,
          retryInvalid: flags.retryInvalid,
          usage: chat.usage,
        });
        const usage = chat.usage.summary();
        if (flags.json) {
          process.stdout.write(
            `${JSON.stringify({ ...summary, scoresFile: file, usage, cost: chat.usage.totalCostUsd() })}\n`,
          );
          return;
        }
        process.stdout.write(
          [
            `teacher ${summary.model}`,
            `${summary.pairs} pairs: ${summary.skipped} already scored, ${summary.scored} judged now (${summary.valid} valid, ${summary.invalid} invalid, ${summary.reaskedAlone} re-asked alone) at ${summary.pairsPerSecond.toFixed(1)} pairs/s → ${file}`,
            chat.usage.format(),
          ].join('\n') + '\n',
        );
      } finally {
        chat.close();
      }
    });
}

function registerExportBatch(augment: Command): void {
  withScoreFlags(
    augment
      .command('export-batch')
      .description(
        'write OpenAI Batch API JSONL (also vLLM run_batch input): teacher requests or embedding requests',
      ),
  )
    .requiredOption('--file <file>', 'batch input JSONL to write')
    .option('--kind <kind>', 'score | embed', batchKind, 'score')
    .option(
      '--splits <list>',
      'for --kind embed: splits whose contexts are embedded (items always are)',
      splitList,
      ['train'],
    )
    .option('--per-request <n>', 'for --kind embed: texts per request', positiveInt, 256)
    .action(
      async (
        flags: ScoreFlags & {
          file: string;
          kind: 'score' | 'embed';
          splits: SplitName[];
          perRequest: number;
        },
      ) => {
        if (flags.kind === 'embed') {
          const config = loadConfig(flags);
          const providers = config.providers;
          const model = providers.embedding.model;
          if (!model)
            throw new CrsaugError('an embedding batch needs a model name', { hint: 'pass --embed-model' });
          const dataset = await loadDataset(config.dataset, {
            dataDir: config.dataDir,
            splits: flags.splits,
          });
          const cfg = config.augment.retrieve;
          const groups = [
            { name: 'items', texts: itemDocuments(dataset.catalog, cfg) },
            ...flags.splits.map((split) => ({
              name: `${split}-contexts`,
              texts: contextQueries(dataset, split, cfg, flags.shard).texts,
            })),
          ];
          const summary = await exportEmbeddingBatch(groups, {
            model,
            dimensions: providers.embedding.dimensions,
            perRequest: flags.perRequest,
            file: flags.file,
          });
          process.stdout.write(
            `${flags.json ? JSON.stringify(summary) : `${summary.requests} embedding requests (${summary.texts} texts) → ${flags.file}`}\n`,
          );
          return;
        }
        const { config, requests, pairs } = await prepareScoring(flags);
        const model = config.providers.chat.model;
        if (!model) throw new CrsaugError('a chat batch needs a model name', { hint: 'pass --llm-model' });
        const summary = await exportScoreBatch({
          requests,
          pairs,
          config: config.augment.score,
          model,
          file: flags.file,
        });
        const price = config.providers.prices[model];
        const usd = price
          ? (summary.estimatedInputTokens * price.inputPerMillion +
              summary.maxOutputTokens * price.outputPerMillion) /
            1e6
          : undefined;
        process.stdout.write(
          `${
            flags.json
              ? JSON.stringify({ ...summary, estimatedMaxUsd: usd ?? null })
              : `${summary.requests} chat requests (${summary.pairs} pairs) → ${flags.file} (+ pairs sidecar)\nestimate: ≈${summary.estimatedInputTokens} input tokens (characters/4) + at most ${summary.maxOutputTokens} output tokens, ${usd === undefined ? `cost unknown (no price for ${model} in providers.prices)` : `at most ≈$${usd.toFixed(4)} at list price (batch discounts not applied)`}`
          }\n`,
        );
      },
    );
}

function registerImportBatch(augment: Command): void {
  withScoreFlags(
    augment
      .command('import-batch')
      .description('read a batch output JSONL into the scores file (or the embedding cache)'),
  )
    .requiredOption('--file <file>', 'the batch input JSONL that was exported')
    .requiredOption('--output <file>', 'the batch output JSONL from the provider')
    .option('--kind <kind>', 'score | embed', batchKind, 'score')
    .action(async (flags: ScoreFlags & { file: string; output: string; kind: 'score' | 'embed' }) => {
      const config = loadConfig(flags, scoreConfigFlags(flags));
      const providers = config.providers;
      const cache = new ProviderCacheStore(join(resolveCacheDir(config.cacheDir), CACHE_FILE_NAME));
      try {
        if (flags.kind === 'embed') {
          const model = providers.embedding.model;
          if (!model)
            throw new CrsaugError('importing embeddings needs the model name', {
              hint: 'pass --embed-model',
            });
          const summary = await importEmbeddingBatch({
            batchFile: flags.file,
            outputFile: flags.output,
            cache,
            model,
            dimensions: providers.embedding.dimensions,
          });
          process.stdout.write(
            `${flags.json ? JSON.stringify(summary) : `${summary.vectors} vectors from ${summary.responses} responses (${summary.failedResponses} failed) → cache ${cache.file}; run \`crsaug augment retrieve\` with the same model`}\n`,
          );
          return;
        }
        const model = providers.chat.model;
        if (!model)
          throw new CrsaugError('importing scores needs the model name', { hint: 'pass --llm-model' });
        const file = scoresFile(outDirOf(config), flags.split, flags.shard);
        const summary = await importScoreBatch({
          batchFile: flags.file,
          outputFile: flags.output,
          scoresFile: file,
          model,
          config: config.augment.score,
          cache,
        });
        process.stdout.write(
          `${flags.json ? JSON.stringify({ ...summary, scoresFile: file }) : `${summary.responses} responses (${summary.failedResponses} failed): ${summary.valid} valid, ${summary.invalid} invalid, ${summary.skipped} already scored; ${summary.inputTokens} input + ${summary.outputTokens} output tokens → ${file}`}\n`,
        );
      } finally {
        cache.close();
      }
    });
}

function registerMerge(augment: Command): void {
  withCommonFlags(
    augment
      .command('merge')
      .description('merge the shard files (candidates, embeddings, scores) of the out folder'),
  ).action(async (flags: CommonFlags) => {
    const outDir = outDirOf(loadConfig(flags));
    const summary = await mergeShards(outDir);
    if (flags.json) {
      process.stdout.write(`${JSON.stringify(summary)}\n`);
      return;
    }
    if (summary.merged.length === 0) process.stdout.write(`no shard files in ${outDir}\n`);
    for (const m of summary.merged)
      process.stdout.write(`${m.output}: ${m.records} records from ${m.shards} shards\n`);
  });
}

function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a non-negative integer');
  return n;
}

export function splitName(value: string): SplitName {
  if (!(SPLIT_NAMES as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`expected one of ${SPLIT_NAMES.join(', ')}`);
  }
  return value as SplitName;
}

function splitList(value: string): SplitName[] {
  return value.split(',').map((s) => splitName(s.trim()));
}

function parseShardFlag(value: string): Shard {
  try {
    return parseShard(value);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

function oneOf<T extends string>(values: readonly T[]) {
  return (value: string): T => {
    if (!(values as readonly string[]).includes(value))
      throw new InvalidArgumentError(`expected one of ${values.join(', ')}`);
    return value as T;
  };
}

const samplerName = oneOf(['all', 'random', 'stratified'] as const);
const scoreMode = oneOf(['direct', 'reason'] as const);
const batchKind = oneOf(['score', 'embed'] as const);
