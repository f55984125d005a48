import { type Command, Option } from 'commander';
import {
  augmentOutDir,
  exportEmbeddingBatchStage,
  exportScoreBatchStage,
  importEmbeddingBatchStage,
  importScoreBatchStage,
  scoresFile,
} from '../augment/stages/index.js';
import type { SplitName } from '../data/types.js';
import { pairSource, printSummary, type ScoreFlags, scoreConfig, withScoreFlags } from './augment-flags.js';
import { choiceOption, positiveInt, splitList } from './flags.js';

const BATCH_KINDS = ['score', 'embed'] as const;
type BatchKind = (typeof BATCH_KINDS)[number];

const kindOption = () =>
  choiceOption('--kind <kind>', 'teacher requests or embedding requests', BATCH_KINDS).default(
    'score',
    'score',
  );

export function registerExportBatch(augment: Command): void {
  withScoreFlags(
    augment
      .command('export-batch')
      .description(
        'write OpenAI Batch API JSONL (also vLLM run_batch input): teacher requests or embedding requests',
      ),
  )
    .requiredOption('--file <file>', 'batch input JSONL to write')
    .addOption(kindOption())
    .addOption(
      new Option('--splits <list>', 'for --kind embed: splits whose contexts are embedded (items always are)')
        .argParser(splitList)
        .default(['train'], 'train'),
    )
    .addOption(
      new Option('--per-request <n>', 'for --kind embed: texts per request')
        .argParser(positiveInt)
        .default(256),
    )
    .action(
      async (
        flags: ScoreFlags & { file: string; kind: BatchKind; splits: SplitName[]; perRequest: number },
      ) => {
        const config = scoreConfig(flags);
        if (flags.kind === 'embed') {
          const summary = await exportEmbeddingBatchStage(config, {
            splits: flags.splits,
            shard: flags.shard,
            perRequest: flags.perRequest,
            file: flags.file,
          });
          printSummary(
            flags,
            summary,
            () => `${summary.requests} embedding requests (${summary.texts} texts) → ${flags.file}`,
          );
          return;
        }
        const summary = await exportScoreBatchStage(config, {
          ...pairSource(config, flags),
          file: flags.file,
        });
        const usd = summary.estimatedMaxUsd;
        printSummary(
          flags,
          summary,
          () =>
            `${summary.requests} chat requests (${summary.pairs} pairs) → ${flags.file} (+ pairs sidecar)\nestimate: ≈${summary.estimatedInputTokens} input tokens (characters/4) + at most ${summary.maxOutputTokens} output tokens, ${usd === null ? `cost unknown (no price for ${summary.model} in providers.prices)` : `at most ≈$${usd.toFixed(4)} at list price (batch discounts not applied)`}`,
        );
      },
    );
}

export function registerImportBatch(augment: Command): void {
  withScoreFlags(
    augment
      .command('import-batch')
      .description('read a batch output JSONL into the scores file (or the embedding cache)'),
  )
    .requiredOption('--file <file>', 'the batch input JSONL that was exported')
    .requiredOption('--batch-output <file>', 'the batch output JSONL the provider returned (input here)')
    .addOption(kindOption())
    .action(async (flags: ScoreFlags & { file: string; batchOutput: string; kind: BatchKind }) => {
      const config = scoreConfig(flags);
      const files = { file: flags.file, output: flags.batchOutput };
      if (flags.kind === 'embed') {
        const summary = await importEmbeddingBatchStage(config, files);
        printSummary(
          flags,
          summary,
          () =>
            `${summary.vectors} vectors from ${summary.responses} responses (${summary.failedResponses} failed) → cache ${summary.cacheFile}; run \`crsaug augment retrieve\` with the same model`,
        );
        return;
      }
      const summary = await importScoreBatchStage(config, {
        ...files,
        scoresFile: scoresFile(augmentOutDir(config), flags.split, flags.shard),
      });
      printSummary(
        flags,
        summary,
        () =>
          `${summary.responses} responses (${summary.failedResponses} failed): ${summary.valid} valid, ${summary.invalid} invalid, ${summary.skipped} already scored; ${summary.inputTokens} input + ${summary.outputTokens} output tokens → ${summary.scoresFile}`,
      );
    });
}
