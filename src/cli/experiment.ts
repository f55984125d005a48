import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { formatExperimentTable } from '../experiments/format.js';
import { checkValues, EXPERIMENT_IDS, EXPERIMENTS, type ExperimentId } from '../experiments/registry.js';
import { runExperiments } from '../experiments/run.js';
import { CrsaugError, UsageError } from '../util/errors.js';
import { jsonFlag, verboseFlag } from './flags.js';
import { addPipelineOptions, type PipelineFlags, pipelineConfig } from './pipeline-flags.js';
import { PACKAGE_VERSION } from './version.js';

interface ExperimentFlags extends PipelineFlags {
  out?: string;
  run?: string;
  values?: number[];
  json?: boolean;
  showTest?: boolean;
  verbose?: boolean;
}

function number(value: string, previous: number[] = []): number[] {
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isFinite(parsed))
    throw new InvalidArgumentError(`"${value}" is not a number`);
  return [...previous, parsed];
}

export function register(program: Command): void {
  addPipelineOptions(
    program
      .command('experiment')
      .description(
        `an experiment over the pipeline's stages (multi-seed; table + chart into <out>/experiments/<id>.json, all of them in <out>/experiments/report.html): ${EXPERIMENT_IDS.join(' | ')} | all`,
      )
      .argument('<id>', EXPERIMENT_IDS.map((id) => `${id}: ${EXPERIMENTS[id].summary}`).join('; '))
      .option('--out <dir>', 'experiment folder (default: the --run folder, else runs/<dataset>-experiments)')
      .option('--run <dir>', 'a `crsaug run` folder: its settings and stage artifacts are reused')
      .option(
        '--values <x...>',
        'sweep points: thresholds (0-4), α values (≥ 0) or percents of train contexts (0-100]',
        number,
      )
      .addOption(jsonFlag('print one JSON object instead of tables'))
      .addOption(verboseFlag())
      .option(
        '--show-test',
        'add test columns after the valid ones, for the record (settings are chosen on valid; charts stay on valid)',
      ),
    'baseline and stage 2 training',
    'config file (default: <run>/config.resolved.json with --run, else ./crsaug.config.json)',
  ).action(async (id: string, flags: ExperimentFlags) => {
    const ids = id === 'all' ? EXPERIMENT_IDS : [checkedId(id)];
    if (flags.values) for (const i of ids) checkValues(i, flags.values);
    const runConfig = flags.run ? join(flags.run, 'config.resolved.json') : undefined;
    if (flags.run && !existsSync(runConfig!))
      throw new CrsaugError(`${flags.run} is not a crsaug run folder (no config.resolved.json)`, {
        hint: 'pass the --out folder of `crsaug run`',
      });
    const config = pipelineConfig(flags, flags.config ?? runConfig);
    const outDir =
      flags.out ?? flags.run ?? join('runs', `${config.dataset.replace(/[^\w.-]+/g, '_')}-experiments`);
    const outcome = await runExperiments(config, {
      ids,
      outDir,
      runDir: flags.run,
      values: flags.values,
      showTest: flags.showTest,
      verbose: flags.verbose,
      log: (line) => process.stderr.write(`[experiment] ${line}\n`),
      meta: { version: PACKAGE_VERSION, command: `crsaug ${process.argv.slice(2).join(' ')}` },
    });
    if (flags.json) {
      process.stdout.write(
        `${JSON.stringify({ experiments: outcome.experiments, files: outcome.files, report: outcome.report.html, wallSeconds: outcome.wallSeconds }, null, 2)}\n`,
      );
      return;
    }
    process.stdout.write(
      [
        ...outcome.experiments.map((e) => `${formatExperimentTable(e)}\n\n${e.description}\n`),
        `wrote ${outcome.files.join(', ')} and ${outcome.report.html} in ${outcome.wallSeconds.toFixed(0)} s`,
      ].join('\n') + '\n',
    );
  });
}

function checkedId(id: string): ExperimentId {
  if (!(EXPERIMENT_IDS as string[]).includes(id))
    throw new UsageError(`unknown experiment "${id}"`, { hint: `one of: ${EXPERIMENT_IDS.join(', ')}, all` });
  return id as ExperimentId;
}
