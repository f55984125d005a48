import { type Command, InvalidArgumentError, Option } from 'commander';
import { resolveConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { loadDataset } from '../data/index.js';
import { type Dataset, SPLIT_NAMES, type SplitName } from '../data/types.js';
import {
  comparePredictionSides,
  describePredictionsReport,
  type EvalOptions,
  evaluatePredictionsFiles,
  formatLongTail,
  formatMetricsTable,
  formatSeedAwareComparison,
  formatSignificance,
  formatSummaryTable,
  longTailOfDataset,
  meansOf,
  type PredictionsSide,
  parseRankMetricKey,
  splitOf,
  stdsOf,
  writeEvalOutputs,
} from '../eval/index.js';

/** Flags shared by `eval` and `baseline`. */
export interface CommonEvalFlags {
  dataset?: string;
  split: SplitName;
  dataDir?: string;
  seed?: number;
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
        '--predictions <files...>',
        'JSONL: {"dialog_id", "turn_id", "items": [item names, best first]}; several files = one per seed of A',
      ),
  )
    .option(
      '--compare <files...>',
      'predictions of B (one per seed): its metrics and B vs A; ≥ 2 files on each side: the seed-aware comparison (seeds and dialogues), one on each: paired tests of fixed models',
    )
    .option('--metric <key>', 'per-pair metric compared', rankMetricKey, 'recall@10')
    .option('--resamples <n>', 'resamples of each fixed-models paired test', positiveInt, 10_000)
    .action(
      async (
        flags: CommonEvalFlags & {
          predictions: string[];
          compare?: string[];
          metric: string;
          resamples: number;
        },
      ) => {
        const { config, dataset, options } = await loadForEval(flags, flags.longTail);
        const contexts = splitOf(dataset, flags.split).contexts;
        const evaluateSide = async (files: string[]) => {
          const side = await evaluatePredictionsFiles(files, contexts, dataset.catalog, options);
          for (const run of side.runs) process.stderr.write(`${describePredictionsReport(run.report)}\n`);
          return side;
        };
        const runA = await evaluateSide(flags.predictions);
        const output: Record<string, unknown> = {
          ...sideOutput(runA),
          dataset: dataset.name,
          split: flags.split,
        };
        const text = [`${dataset.name} ${flags.split}, ${runA.files.join(', ')}`, sideTable(runA, options)];
        if (flags.longTail) {
          const longTail = longTailOfDataset(dataset, runA.runs[0]!.result.filtered, options.ks);
          output.longTail = longTail;
          text.push(formatLongTail(longTail) + (runA.runs.length > 1 ? `\n(${runA.files[0]})` : ''));
        }
        if (flags.compare) {
          const runB = await evaluateSide(flags.compare);
          const comparison = comparePredictionSides(runA, runB, contexts, dataset.catalog, flags.metric, {
            resamples: flags.resamples,
            seed: config.seed,
          });
          output.compare = sideOutput(runB);
          text.push(`B = ${runB.files.join(', ')}`, sideTable(runB, options));
          if (comparison.kind === 'seed-aware') {
            output.comparison = comparison.result;
            text.push(formatSeedAwareComparison(comparison.result));
          } else {
            output.significance = { ...comparison.result, scope: 'fixed models: one run per side' };
            text.push(formatSignificance(comparison.result));
          }
        }
        await finish(flags, config, output, text);
      },
    );
}

/** One file: its metrics and loader report, as before; several: mean, sample std and every run. */
function sideOutput(side: PredictionsSide): Record<string, unknown> {
  if (side.runs.length === 1) return { ...side.runs[0]!.result.metrics, predictions: side.runs[0]!.report };
  return {
    ...meansOf(side.summary),
    std: stdsOf(side.summary),
    runs: side.runs.map((r) => ({ file: r.name, metrics: r.result.metrics, predictions: r.report })),
  };
}

function sideTable(side: PredictionsSide, options: EvalOptions): string {
  return side.runs.length === 1
    ? formatMetricsTable(side.runs[0]!.result.metrics, options.ks)
    : formatSummaryTable(side.summary, options.ks);
}

/** Adds the dataset/split/output flags every evaluation command takes. */
export function withCommonEvalFlags(command: Command): Command {
  return command
    .option(
      '--dataset <name|dir>',
      'registry dataset (inspired, redial, …) or a dataset folder (default: config)',
    )
    .addOption(new Option('--split <split>', 'split to evaluate').choices(SPLIT_NAMES).default('test'))
    .option('--data-dir <dir>', 'data root (default: CRSAUG_DATA_DIR, ../shared/data, user cache)')
    .option('--seed <n>', 'base seed (default: config)', nonNegativeInt)
    .option(
      '--top-k <n>',
      'ranked list length kept before removing context items (reference: 100)',
      positiveInt,
    )
    .option('--long-tail', 'add recall by gold-item popularity bucket (head/torso/tail of train labels)')
    .option('--json', 'print one JSON object (metrics keyed like recall@10, …, pairs) instead of tables')
    .option('--out <dir>', 'write config.resolved.json and metrics.json into this folder');
}

/**
 * Resolves the config from flags and loads the dataset: only the evaluated split, or every split when
 * training data is needed (popularity counts, a model's training).
 */
export async function loadForEval(
  flags: CommonEvalFlags,
  needsTrainingData = false,
): Promise<{ config: Config; dataset: Dataset; options: EvalOptions }> {
  const config = resolveConfig({
    flags: {
      dataset: flags.dataset,
      dataDir: flags.dataDir,
      seed: flags.seed,
      out: flags.out,
      eval: { topK: flags.topK },
    },
  });
  const splits: SplitName[] = needsTrainingData ? [...SPLIT_NAMES] : [flags.split];
  const dataset = await loadDataset(config.dataset, { dataDir: config.dataDir, splits });
  return { config, dataset, options: { ks: config.eval.ks, topK: config.eval.topK } };
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

export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive integer');
  return n;
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

function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a non-negative integer');
  return n;
}
