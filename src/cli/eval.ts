import { type Command, InvalidArgumentError } from 'commander';
import type { Config } from '../config/schema.js';
import { loadConfiguredDataset } from '../data/index.js';
import { type Dataset, SPLIT_NAMES, type SplitName } from '../data/types.js';
import {
  comparePairRanks,
  describePredictionsReport,
  type EvalOptions,
  evaluatePredictionsFile,
  formatLongTail,
  formatMetricsTable,
  formatSignificance,
  longTailOfDataset,
  parseRankMetricKey,
  splitOf,
  writeEvalOutputs,
} from '../eval/index.js';
import { type ConfigFlags, configFromFlags, positiveInt, splitOption, withConfigFlags } from './flags.js';

/** Flags shared by `eval` and `baseline`. */
export interface CommonEvalFlags extends ConfigFlags {
  split: SplitName;
  topK?: number;
  longTail?: boolean;
  json?: boolean;
  out?: string;
}

export function register(program: Command): void {
  withCommonEvalFlags(
    program
      .command('eval')
      .description(
        'evaluate a predictions file with the reference protocol (FNSCRS final_evaluation: top-100, context items removed, micro-average over pairs)',
      )
      .requiredOption(
        '--predictions <file>',
        'JSONL: {"dialog_id", "turn_id", "items": [item names, best first]}',
      ),
  )
    .option('--compare <file>', 'a second predictions file (B): its metrics and paired tests B vs A')
    .option('--metric <key>', 'per-pair metric for the paired tests', rankMetricKey, 'recall@10')
    .option('--resamples <n>', 'resamples of each paired test', positiveInt, 10_000)
    .action(
      async (
        flags: CommonEvalFlags & { predictions: string; compare?: string; metric: string; resamples: number },
      ) => {
        const config = evalConfig(flags);
        const { dataset, options } = await loadForEval(config, flags, flags.longTail);
        const contexts = splitOf(dataset, flags.split).contexts;
        const runA = await evaluatePredictionsFile(flags.predictions, contexts, dataset.catalog, options);
        process.stderr.write(`${describePredictionsReport(runA.report)}\n`);
        const output: Record<string, unknown> = {
          ...runA.result.metrics,
          dataset: dataset.name,
          split: flags.split,
          predictions: runA.report,
        };
        const text = [
          `${dataset.name} ${flags.split}, ${flags.predictions}`,
          formatMetricsTable(runA.result.metrics, options.ks),
        ];
        if (flags.longTail) {
          const longTail = longTailOfDataset(dataset, runA.result.filtered, options.ks);
          output.longTail = longTail;
          text.push(formatLongTail(longTail));
        }
        if (flags.compare) {
          const runB = await evaluatePredictionsFile(flags.compare, contexts, dataset.catalog, options);
          process.stderr.write(`${describePredictionsReport(runB.report)}\n`);
          const significance = comparePairRanks(runA.result.filtered, runB.result.filtered, flags.metric, {
            resamples: flags.resamples,
            seed: config.seed,
          });
          output.compare = { ...runB.result.metrics, predictions: runB.report };
          output.significance = significance;
          text.push(
            `B = ${flags.compare}`,
            formatMetricsTable(runB.result.metrics, options.ks),
            formatSignificance(significance),
          );
        }
        await finish(flags, config, output, text);
      },
    );
}

/** Adds the dataset/split/output flags every evaluation command takes. */
export function withCommonEvalFlags(command: Command): Command {
  return withConfigFlags(command)
    .addOption(splitOption('--split <split>', 'split to evaluate').default('test'))
    .option(
      '--top-k <n>',
      'ranked list length kept before removing context items (reference: 100)',
      positiveInt,
    )
    .option('--long-tail', 'add recall by gold-item popularity bucket (head/torso/tail of train labels)')
    .option('--json', 'print one JSON object (metrics keyed like recall@10, …, pairs) instead of tables')
    .option('--out <dir>', 'write config.resolved.json and metrics.json into this folder');
}

/** The config of an evaluation command: the common flags plus --out and --top-k. */
export function evalConfig(flags: CommonEvalFlags): Config {
  return configFromFlags(flags, { out: flags.out, eval: { topK: flags.topK } });
}

/**
 * Loads the dataset: only the evaluated split, or every split when training data is needed (popularity
 * counts, a model's training).
 */
export async function loadForEval(
  config: Config,
  flags: CommonEvalFlags,
  needsTrainingData = false,
): Promise<{ dataset: Dataset; options: EvalOptions }> {
  const splits: SplitName[] = needsTrainingData ? [...SPLIT_NAMES] : [flags.split];
  const dataset = await loadConfiguredDataset(config, splits);
  return { dataset, options: { ks: config.eval.ks, topK: config.eval.topK } };
}

/** Prints the tables or the JSON object, and writes both files when --out is given. */
export async function finish(
  flags: Pick<CommonEvalFlags, 'json' | 'out'>,
  config: Config,
  output: Record<string, unknown>,
  text: string[],
): Promise<void> {
  process.stdout.write(flags.json ? `${JSON.stringify(output)}\n` : `${text.join('\n\n')}\n`);
  if (flags.out) {
    const files = await writeEvalOutputs(flags.out, config, output);
    process.stderr.write(`wrote ${files.config} and ${files.metrics}\n`);
  }
}

/** Checks a paired-test metric flag before any work is done. */
function rankMetricKey(value: string): string {
  try {
    parseRankMetricKey(value);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
  return value;
}
