import { type Command, Option } from 'commander';
import {
  augmentOutDir,
  formatAnswerCounts,
  mergeShards,
  retrieveStage,
  type Shard,
  scoreStage,
  scoresFile,
} from '../augment/stages/index.js';
import type { SplitName } from '../data/types.js';
import { formatUsage } from '../providers/middleware/usage.js';
import { registerExportBatch, registerImportBatch } from './augment-batch.js';
import {
  type AugmentFlags,
  augmentConfig,
  pairSource,
  printSummary,
  type ScoreFlags,
  scoreConfig,
  shardFlag,
  toStderr,
  withAugmentFlags,
  withScoreFlags,
} from './augment-flags.js';
import { registerDistill, registerSynthesize } from './augment-student.js';
import { positiveInt, splitList } from './flags.js';

/** One function per subcommand, so each stage registers itself with a one-line addition here. */
const AUGMENT_SUBCOMMANDS: ((augment: Command) => void)[] = [
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

function registerRetrieve(augment: Command): void {
  withAugmentFlags(
    augment
      .command('retrieve')
      .description(
        'embed items and dialogue contexts, keep the exact top-K items per context (context items excluded)',
      ),
  )
    .addOption(
      new Option('--splits <list>', 'comma-separated splits')
        .argParser(splitList)
        .default(['train'], 'train'),
    )
    .option(
      '--top-k <n>',
      'candidates per context: the top K by similarity are kept (default: augment.retrieve.topK, 50)',
      positiveInt,
    )
    .option('--shard <i/n>', 'only shard i of n (1-based) of the contexts', shardFlag)
    .option('--keep-mentioned-titles', 'exclude only linked context entities, not titles found in the text')
    .action(
      async (
        flags: AugmentFlags & {
          splits: SplitName[];
          topK?: number;
          shard?: Shard;
          keepMentionedTitles?: boolean;
        },
      ) => {
        const config = augmentConfig(flags, {
          retrieve: {
            topK: flags.topK,
            ...(flags.keepMentionedTitles ? { excludeMentionedTitles: false } : {}),
          },
        });
        const summary = await retrieveStage(config, {
          splits: flags.splits,
          outDir: augmentOutDir(config),
          shard: flags.shard,
          log: toStderr,
        });
        printSummary(flags, summary, () =>
          [
            `${summary.dataset}: ${summary.items} items, ${summary.dims}-d, top-${config.augment.retrieve.topK}, embedder ${summary.model}`,
            ...summary.splits.map(
              (s) =>
                `${s.split}: ${s.contexts} contexts (${s.emptyContexts} empty skipped), excluded per context ${s.meanExcludedByEntities.toFixed(2)} linked + ${s.meanExcludedByTitles.toFixed(2)} by title, gold items among candidates ${(100 * s.goldRecall).toFixed(1)}%, ${s.contextsPerSecond.toFixed(0)} contexts/s → ${s.candidatesFile}`,
            ),
            formatUsage(summary.usage),
          ].join('\n'),
        );
      },
    );
}

function registerScore(augment: Command): void {
  withScoreFlags(
    augment.command('score').description('judge (context, candidate) pairs with the LLM teacher; resumable'),
  )
    .option('--retry-invalid', 're-ask pairs recorded as invalid')
    .action(async (flags: ScoreFlags & { retryInvalid?: boolean }) => {
      const config = scoreConfig(flags);
      const summary = await scoreStage(config, {
        ...pairSource(config, flags),
        scoresFile: scoresFile(augmentOutDir(config), flags.split, flags.shard),
        retryInvalid: flags.retryInvalid,
        log: toStderr,
      });
      printSummary(flags, summary, () =>
        [
          `teacher ${summary.model}`,
          `${summary.pairs} pairs: ${summary.skipped} already scored, ${summary.scored} judged now (${summary.valid} valid, ${summary.invalid} invalid, ${summary.reaskedAlone} re-asked alone) at ${summary.pairsPerSecond.toFixed(1)} pairs/s → ${summary.scoresFile}: ${formatAnswerCounts(summary.answers)}`,
          formatUsage(summary.usage),
        ].join('\n'),
      );
    });
}

function registerMerge(augment: Command): void {
  withAugmentFlags(
    augment
      .command('merge')
      .description('merge the shard files (candidates, embeddings, scores) of the out folder'),
  ).action(async (flags: AugmentFlags) => {
    const outDir = augmentOutDir(augmentConfig(flags));
    const summary = await mergeShards(outDir);
    printSummary(flags, summary, () =>
      summary.merged.length === 0
        ? `no shard files in ${outDir}`
        : summary.merged.map((m) => `${m.output}: ${m.records} records from ${m.shards} shards`).join('\n'),
    );
  });
}
