import { type Command, InvalidArgumentError, Option } from 'commander';
import { deepMerge } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { loadConfiguredDataset } from '../data/index.js';
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
import { runFolderSystems } from '../pipeline/systems.js';
import { CrsaugError } from '../util/errors.js';
import {
  type BeyondFlags,
  beyondConfig,
  checkSources,
  evalCheckpoints,
  evalRunFolder,
  judgedPredictions,
  wantsJudged,
  withBeyondFlags,
} from './eval-beyond.js';
import {
  type ConfigFlags,
  configFromFlags,
  jsonFlag,
  positiveInt,
  splitOption,
  withConfigFlags,
} from './flags.js';

/** Flags shared by `eval` and `baseline`. */
export interface CommonEvalFlags extends ConfigFlags {
  split: SplitName;
  listLength?: number;
  longTail?: boolean;
  json?: boolean;
  out?: string;
}

export function register(program: Command): void {
  withBeyondFlags(
    withCommonEvalFlags(
      program
        .command('eval')
        .description(
          'evaluate predictions files, checkpoints or a run folder with the reference protocol (FNSCRS final_evaluation: top-100, context items removed, micro-average over pairs), and beyond it: judged metrics, user simulators',
        )
        .option(
          '--predictions <files...>',
          'JSONL: {"dialog_id", "turn_id", "items": [item names, best first]}; several files = one per seed of A',
        ),
    ),
  )
    .option(
      '--compare <files...>',
      'predictions of B (one per seed): its metrics and B vs A; ≥ 2 files on each side: the seed-aware comparison (seeds and dialogues), one on each: paired tests of fixed models',
    )
    .addOption(
      new Option('--metric <key>', 'per-pair metric compared')
        .argParser(rankMetricKey)
        .default('recall@10', 'recall@10'),
    )
    .addOption(
      new Option('--resamples <n>', 'resamples of each fixed-models paired test')
        .argParser(positiveInt)
        .default(10_000),
    )
    .action(async (flags: EvalFlags) => {
      const run = flags.run ? runFolderSystems(flags.run) : undefined;
      const config = configFromFlags(
        { ...flags, dataset: flags.dataset ?? run?.dataset },
        deepMerge(beyondConfig(flags), { out: flags.out, eval: { topK: flags.listLength } }),
      );
      checkSources(flags);
      if (run && run.dataset !== config.dataset) {
        throw new CrsaugError(`${flags.run} is a run on ${run.dataset}, not ${config.dataset}`);
      }
      if (flags.run) {
        const { output, text } = await evalRunFolder(config, flags);
        await finish(flags, config, output, text);
        return;
      }
      // A checkpoint may be a text model (its vocabulary) or kbrd: every split is loaded for it.
      const { dataset, options } = await loadForEval(
        config,
        flags,
        flags.longTail || Boolean(flags.checkpoint),
      );
      if (flags.checkpoint) {
        const { output, text } = await evalCheckpoints(config, dataset, flags.split, flags, options);
        await finish(flags, config, { ...output, dataset: dataset.name, split: flags.split }, text);
        return;
      }
      await evalPredictions(flags, config, dataset, options);
    });
}

interface EvalFlags extends CommonEvalFlags, BeyondFlags {
  predictions?: string[];
  compare?: string[];
  metric: string;
  resamples: number;
}

/** Predictions files of A (and B): the protocol's metrics, B vs A, and judged metrics when asked. */
async function evalPredictions(flags: EvalFlags, config: Config, dataset: Dataset, options: EvalOptions) {
  const predictions = flags.predictions!;
  const contexts = splitOf(dataset, flags.split).contexts;
  const evaluateSide = async (files: string[]) => {
    const side = await evaluatePredictionsFiles(files, contexts, dataset.catalog, options);
    for (const run of side.runs) process.stderr.write(`${describePredictionsReport(run.report)}\n`);
    return side;
  };
  const runA = await evaluateSide(predictions);
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
  if (wantsJudged(flags)) {
    const judged = await judgedPredictions(config, dataset, flags.split, {
      a: predictions,
      b: flags.compare,
    });
    Object.assign(output, judged.output);
    text.push(judged.text);
  }
  await finish(flags, config, output, text);
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
  return withConfigFlags(command)
    .addOption(splitOption('--split <split>', 'split to evaluate').default('test', 'test'))
    .option(
      '--list-length <n>',
      'ranked list length kept before removing context items (default: eval.topK, 100, the reference)',
      positiveInt,
    )
    .option('--long-tail', 'add recall by gold-item popularity bucket (head/torso/tail of train labels)')
    .addOption(jsonFlag('print one JSON object (metrics keyed like recall@10, …, pairs) instead of tables'))
    .option('--out <dir>', 'write config.resolved.json and metrics.json into this folder');
}

/** The config of an evaluation command: the common flags plus --out and --top-k. */
export function evalConfig(flags: CommonEvalFlags): Config {
  return configFromFlags(flags, { out: flags.out, eval: { topK: flags.listLength } });
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
