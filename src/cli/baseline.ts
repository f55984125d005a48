import { type Command, Option } from 'commander';
import {
  evaluateSeeds,
  formatLongTail,
  formatSummaryTable,
  longTailOfDataset,
  meansOf,
  predictionsFileOf,
  splitOf,
  stdsOf,
  writePredictions,
} from '../eval/index.js';
import { evaluableModelNames, recommenderOf } from '../train/recommenders.js';
import { type CommonEvalFlags, evalConfig, finish, loadForEval, withCommonEvalFlags } from './eval.js';
import { positiveInt, predictionsOutFlag } from './flags.js';

export function register(program: Command): void {
  withCommonEvalFlags(
    program
      .command('baseline')
      .description(
        'evaluate a baseline recommender with the reference protocol (mean ± sample std over seeds)',
      )
      .requiredOption(
        '--model <name>',
        `recommender from the model table (${evaluableModelNames().join(', ')}); a backbone is trained first with the configured train settings`,
      ),
  )
    .addOption(
      new Option('--seeds <n>', 'runs with seeds seed, seed+1, … (models that ignore the seed run once)')
        .argParser(positiveInt)
        .default(1),
    )
    .addOption(predictionsOutFlag("each run's ranked lists"))
    .action(async (flags: CommonEvalFlags & { model: string; seeds: number; predictionsOut?: string }) => {
      const config = evalConfig(flags);
      const spec = recommenderOf(flags.model, config);
      const { dataset, options } = await loadForEval(config, flags, spec.needsTrainingData || flags.longTail);
      const contexts = splitOf(dataset, flags.split).contexts;
      const seeds = Array.from({ length: flags.seeds }, (_, i) => config.seed + i);
      const { runs, summary } = await evaluateSeeds(spec, dataset, contexts, seeds, options);
      if (flags.predictionsOut) {
        for (const run of runs) {
          const file = predictionsFileOf(flags.predictionsOut, run.seed, runs.length);
          await writePredictions(file, contexts, run.rankings, dataset.catalog);
          process.stderr.write(`wrote ${file}\n`);
        }
      }
      // A seeded model's instance names carry their seed; the summary is over all of them.
      const modelName = spec.seeded ? spec.name : runs[0]!.name;
      const output: Record<string, unknown> = {
        ...meansOf(summary),
        std: stdsOf(summary),
        model: modelName,
        dataset: dataset.name,
        split: flags.split,
        seeds: runs.map((r) => r.seed),
        runs: runs.map((r) => ({ seed: r.seed, name: r.name, metrics: r.result.metrics })),
      };
      const text = [
        `${modelName} on ${dataset.name} ${flags.split}${spec.seeded ? `, seeds ${output.seeds}` : ' (deterministic: one run)'}`,
        formatSummaryTable(summary, options.ks),
      ];
      if (flags.longTail) {
        const longTail = longTailOfDataset(dataset, runs[0]!.result.filtered, options.ks);
        output.longTail = longTail;
        text.push(formatLongTail(longTail) + (runs.length > 1 ? `\n(run with seed ${runs[0]!.seed})` : ''));
      }
      await finish(flags, config, output, text);
    });
}
