import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import {
  exportJudgeBatchStage,
  importJudgeBatchStage,
  JUDGED_SPLITS,
  type JudgePoolSummary,
  type JudgeStageOptions,
  judgeStage,
  requireJudge,
} from '../augment/stages/index.js';
import { deepMerge } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { loadConfiguredDataset } from '../data/index.js';
import type { SplitName } from '../data/types.js';
import { poolRanker } from '../pipeline/beyond-stages.js';
import { type EvaluatedSystem, predictionsSystem, runFolderSystems } from '../pipeline/systems.js';
import { formatUsage } from '../providers/middleware/usage.js';
import { CrsaugError } from '../util/errors.js';
import { printSummary, toStderr } from './augment-flags.js';
import {
  type ChatFlags,
  type ConfigFlags,
  chatConfig,
  choiceOption,
  configFromFlags,
  nonNegativeInt,
  positiveInt,
  withChatFlags,
  withConfigFlags,
} from './flags.js';

/** Flags of `crsaug judge` and its subcommands. */
interface JudgeFlags extends ConfigFlags, ChatFlags {
  split: SplitName;
  run?: string;
  predictions?: string[];
  judgments?: string[];
  depth?: number;
  maxContexts?: number;
  out?: string;
  json?: boolean;
}

/** Flags every judge command takes: where the judgments go and which split. */
function withJudgeFlags(command: Command): Command {
  return withChatFlags(withConfigFlags(command))
    .addOption(
      choiceOption('--split <split>', 'split whose contexts are pooled', JUDGED_SPLITS).default(
        'test',
        'test',
      ),
    )
    .option(
      '--out <dir>',
      "the judge's folder: pool, scores, judgments (default <run>/judge, else runs/<dataset>/judge)",
    )
    .option('--json', 'print the summary as JSON');
}

/** The flags that say what is pooled: the compared systems, the judgments already there, depth and contexts. */
function withPoolFlags(command: Command): Command {
  return withJudgeFlags(command)
    .option('--run <dir>', 'a run folder: every model, mode and seed it trained, and its floors (popularity)')
    .option('--predictions <files...>', 'predictions JSONL files of more systems (one system each)')
    .option(
      '--judgments <files...>',
      'judgment files already made (teacher format); ../shared/judgments is read when present',
    )
    .option(
      '--depth <k>',
      'items pooled from each system (the k of the judged metrics; default: 10)',
      positiveInt,
    )
    .option(
      '--max-contexts <n>',
      'pool at most this many evaluated contexts: judged ones first, then a seeded sample (default: 200; 0 = all)',
      nonNegativeInt,
    );
}

function judgeConfig(flags: JudgeFlags, dataset?: string): Config {
  return configFromFlags(
    { ...flags, dataset: flags.dataset ?? dataset },
    deepMerge(chatConfig(flags), {
      eval: {
        judged: { files: flags.judgments },
        judge: { depth: flags.depth, maxContexts: flags.maxContexts },
      },
    }),
  );
}

/** The judge's folder: --out, else the run folder's `judge/`, else runs/<dataset>/judge. */
function judgeOutDir(flags: JudgeFlags, config: Config): string {
  return resolve(flags.out ?? (flags.run ? join(flags.run, 'judge') : join('runs', config.dataset, 'judge')));
}

/** The config, the loaded dataset and the judge options the pool flags describe. */
async function poolOptions(
  flags: JudgeFlags,
  check: (config: Config) => void = () => {},
): Promise<{ config: Config; options: JudgeStageOptions }> {
  const run = flags.run ? runFolderSystems(flags.run) : undefined;
  const config = judgeConfig(flags, run?.dataset);
  check(config);
  if (run && run.dataset !== config.dataset) {
    throw new CrsaugError(`${flags.run} is a run on ${run.dataset}, not ${config.dataset}`);
  }
  const systems: EvaluatedSystem[] = [
    ...(run?.groups.flatMap((g) => g.systems) ?? []),
    ...(flags.predictions ?? []).map(predictionsSystem),
  ];
  if (systems.length === 0) {
    throw new CrsaugError('nothing to pool', {
      hint: 'pass --run DIR (a crsaug run folder) and/or --predictions FILE…',
    });
  }
  const dataset = await loadConfiguredDataset(config);
  return {
    config,
    options: {
      dataset,
      split: flags.split,
      systems: systems.map((s) => poolRanker(s, dataset, config.eval.topK)),
      outDir: judgeOutDir(flags, config),
      log: toStderr,
    },
  };
}

function poolText(s: JudgePoolSummary): string[] {
  const e = s.estimate;
  return [
    `pool: top ${s.depth} of ${s.systems.length} systems on ${s.contexts} of ${s.evaluatedContexts} evaluated ${s.dataset} ${s.split} contexts: ${s.pairs} pairs, ${s.unjudgedPairs} without a judgment (judgments read: ${s.judgmentFiles.join(', ') || 'none'}) → ${s.poolFile}`,
    `to judge: ${e.pairs} pairs in ${e.requests} requests, ≈${e.estimatedInputTokens} input tokens (characters/4) + at most ${e.maxOutputTokens} output tokens`,
  ];
}

export function register(program: Command): void {
  // Positional (as the program is), so `judge export-batch --run DIR` is the subcommand's --run.
  const judge = withPoolFlags(
    program
      .command('judge')
      .enablePositionalOptions()
      .description(
        "pool the compared systems' top k on a split's contexts and have the chat model judge the pairs without a judgment (teacher prompt, parser, cache, retries); resumable",
      ),
  ).action(async (flags: JudgeFlags) => {
    const { config, options } = await poolOptions(flags, requireJudge);
    const summary = await judgeStage(config, options);
    printSummary(flags, summary, () =>
      [
        ...poolText(summary),
        `judge ${summary.provider.id}: ${summary.judged.skipped} already judged, ${summary.judged.scored} judged now (${summary.judged.valid} valid, ${summary.judged.invalid} invalid) → ${summary.judgmentsFile} (${summary.judgments} judgments)`,
        formatUsage(summary.usage),
      ].join('\n'),
    );
  });

  withPoolFlags(
    judge
      .command('export-batch')
      .description(
        'write the unjudged pool as an OpenAI Batch input file (also vLLM run_batch): the judge offline',
      ),
  )
    .requiredOption('--file <file>', 'batch input JSONL to write (a .pairs.jsonl sidecar goes next to it)')
    .action(async (flags: JudgeFlags & { file: string }) => {
      const { config, options } = await poolOptions(flags);
      const summary = await exportJudgeBatchStage(config, { ...options, file: flags.file });
      const b = summary.batch;
      printSummary(flags, summary, () =>
        [
          ...poolText(summary),
          `${b.requests} chat requests (${b.pairs} pairs) for ${b.model} → ${flags.file}; ${b.estimatedMaxUsd === null ? `cost unknown (no price for ${b.model} in providers.prices)` : `at most ≈$${b.estimatedMaxUsd.toFixed(4)} at list price (batch discounts not applied)`}`,
          `then: crsaug judge import-batch --file ${flags.file} --output OUTPUT.jsonl --llm-model ${b.model} --dataset ${summary.dataset} --split ${summary.split} --out ${options.outDir}`,
        ].join('\n'),
      );
    });

  withJudgeFlags(
    judge
      .command('import-batch')
      .description("read a judge batch's output into the judge's scores and its judgments file"),
  )
    .option('--run <dir>', 'the run folder the pool came from (its judge/ folder is the default --out)')
    .requiredOption('--file <file>', 'the batch input JSONL that judge export-batch wrote')
    .requiredOption('--output <file>', 'the batch output JSONL from the provider')
    .action(async (flags: JudgeFlags & { file: string; output: string }) => {
      const run = flags.run ? runFolderSystems(flags.run) : undefined;
      const config = judgeConfig(flags, run?.dataset);
      const dataset = await loadConfiguredDataset(config, [flags.split]);
      const summary = await importJudgeBatchStage(config, {
        dataset,
        split: flags.split,
        outDir: judgeOutDir(flags, config),
        file: flags.file,
        output: flags.output,
      });
      printSummary(
        flags,
        summary,
        () =>
          `${summary.responses} responses (${summary.failedResponses} failed): ${summary.valid} valid, ${summary.invalid} invalid, ${summary.skipped} already judged; ${summary.inputTokens} input + ${summary.outputTokens} output tokens → ${summary.judgmentsFile} (${summary.judgments} judgments)`,
      );
    });
}
