import { join } from 'node:path';
import { type Command, Option } from 'commander';
import type { Config } from '../config/schema.js';
import { backboneSection, LABEL_MODES, TRAIN_MODES } from '../config/train.js';
import { loadConfiguredDataset } from '../data/index.js';
import { formatSummaryTable, predictionsFileOf, splitOf } from '../eval/index.js';
import { BACKBONE_NAMES, type BackboneName, backboneSpec } from '../models/registry.js';
import { writeCheckpointPredictions } from '../train/predictions.js';
import { runTraining } from '../train/run.js';
import { BEST_CHECKPOINT } from '../train/trainer.js';
import { CrsaugError } from '../util/errors.js';
import {
  type ConfigFlags,
  choiceOption,
  configFromFlags,
  jsonFlag,
  nonNegativeNumber,
  positiveInt,
  positiveNumber,
  predictionsOutFlag,
  threadsOption,
  withConfigFlags,
} from './flags.js';

interface TrainFlags extends ConfigFlags {
  model?: BackboneName;
  mode?: (typeof TRAIN_MODES)[number];
  synthetic?: string;
  init?: string;
  labelMode?: (typeof LABEL_MODES)[number];
  scoreWeighted?: boolean;
  alpha?: number;
  temperature?: number;
  seeds?: number;
  epochs?: number;
  batchSize?: number;
  lr?: number;
  threads?: number;
  out?: string;
  resume?: boolean;
  stopAfter?: number;
  json?: boolean;
  quiet?: boolean;
  predictionsOut?: string;
}

/** Settings of one backbone that `crsaug train` also takes as flags, as the model table declares them. */
const BACKBONE_OPTIONS = BACKBONE_NAMES.flatMap((name) => {
  const spec = backboneSpec(name);
  return (spec.flags ?? []).map((flag) => ({
    option: new Option(flag.flags, `${name}: ${flag.description}`),
    configKey: spec.configKey,
    setting: flag.setting,
  }));
});

/** The backbone flags given, as `train.<configKey>.<setting>` values. */
function backboneSettingsOf(flags: Record<string, unknown>): Record<string, Record<string, unknown>> {
  const sections: Record<string, Record<string, unknown>> = {};
  for (const { option, configKey, setting } of BACKBONE_OPTIONS) {
    sections[configKey] = { ...sections[configKey], [setting]: flags[option.attributeName()] };
  }
  return sections;
}

/** `--lr` sets the rate of the backbone this run trains (which the config may name), as flags win. */
function withLearningRate(config: Config, lr: number | undefined): Config {
  if (lr !== undefined) backboneSection(config.train, config.train.model).lr = lr;
  return config;
}

export function register(program: Command): void {
  const command = threadsOption(
    withConfigFlags(
      program
        .command('train')
        .description(
          'train a recommender backbone (baseline, stage1, stage2, mixed) and report test metrics (mean ± std over seeds)',
        ),
    ),
  )
    .addOption(choiceOption('--model <name>', 'backbone', BACKBONE_NAMES))
    .addOption(choiceOption('--mode <mode>', 'training mode', TRAIN_MODES))
    .option(
      '--synthetic <file>',
      'synthetic label file (processed JSONL; rec = synthetic names, optional scores)',
    )
    .option('--init <dir>', "checkpoint folder to start from (stage2: the stage-1 run's seed-N/best)")
    .addOption(
      choiceOption(
        '--label-mode <mode>',
        'synthetic labels: one sample per label or per context',
        LABEL_MODES,
      ),
    )
    .option('--score-weighted', 'weight synthetic labels by their scores')
    .option('--alpha <a>', 'stage2: weight of KL(p_ref ‖ p)', nonNegativeNumber)
    .option('--temperature <t>', 'stage2: KL temperature', nonNegativeNumber)
    .option('--seeds <n>', 'seeds seed, seed+1, …', positiveInt)
    .option('--epochs <n>', 'epochs', positiveInt)
    .option('--batch-size <n>', 'training batch size', positiveInt)
    .option('--lr <lr>', "peak learning rate (default: the backbone's, train.<backbone>.lr)", positiveNumber)
    .option(
      '--out <dir>',
      'run folder: checkpoints, config.resolved.json, metrics.json (default: config out, else runs/train)',
    )
    .option('--resume', 'continue from the last checkpoint in --out')
    .option(
      '--stop-after <n>',
      'stop after this many epochs in this process (resume later with --resume)',
      positiveInt,
    )
    .addOption(predictionsOutFlag("the test split's ranked lists of each seed's selected model"))
    .addOption(jsonFlag('print one JSON object (per seed and aggregated; keys like recall@10)'))
    .option('--quiet', 'no progress lines');
  for (const { option } of BACKBONE_OPTIONS) command.addOption(option);
  command.action(async (flags: TrainFlags) => {
    const config = withLearningRate(
      configFromFlags(flags, {
        threads: flags.threads,
        out: flags.out,
        train: {
          ...backboneSettingsOf(flags as Record<string, unknown>),
          model: flags.model,
          mode: flags.mode,
          synthetic: flags.synthetic,
          init: flags.init,
          labelMode: flags.labelMode,
          scoreWeighted: flags.scoreWeighted,
          alpha: flags.alpha,
          temperature: flags.temperature,
          seeds: flags.seeds,
          epochs: flags.epochs,
          batchSize: flags.batchSize,
        },
      }),
      flags.lr,
    );
    const dataset = await loadConfiguredDataset(config);
    const outDir = config.out ?? 'runs/train';
    const { summary, output, runs } = await runTraining(config, dataset, {
      outDir,
      resume: flags.resume,
      stopAfterEpochs: flags.stopAfter,
      silent: flags.quiet,
    });
    if (!summary) {
      if (flags.stopAfter === undefined) throw new CrsaugError('training produced no finished run');
      process.stderr.write(
        `stopped after ${flags.stopAfter} epoch(s); continue with --resume --out ${outDir}\n`,
      );
      return;
    }
    if (flags.predictionsOut) {
      const test = splitOf(dataset, 'test').contexts;
      for (const run of runs) {
        const file = predictionsFileOf(flags.predictionsOut, run.seed, runs.length);
        await writeCheckpointPredictions(
          join(outDir, `seed-${run.seed}`, BEST_CHECKPOINT),
          dataset,
          test,
          file,
          {
            ks: config.eval.ks,
            topK: config.eval.topK,
          },
        );
        process.stderr.write(`wrote ${file}\n`);
      }
    }
    if (flags.json) process.stdout.write(`${JSON.stringify(output)}\n`);
    else {
      process.stdout.write(
        `${config.train.model} (${config.train.mode}) on ${dataset.name} test, seeds ${String(output.seeds)}\n\n${formatSummaryTable(summary, config.eval.ks)}\n`,
      );
    }
    process.stderr.write(`wrote ${outDir}/config.resolved.json and ${outDir}/metrics.json\n`);
  });
}
