import { join } from 'node:path';
import type { Command } from 'commander';
import { resolveConfig } from '../config/load.js';
import { configureEngine } from '../engine/index.js';
import { reportInputOf } from '../pipeline/report-input.js';
import { runPipeline } from '../pipeline/run.js';
import { formatResultsTable } from '../pipeline/summary-table.js';
import { writeReport } from '../report/index.js';
import { positiveInt } from './eval.js';
import { PACKAGE_VERSION } from './version.js';

interface RunFlags {
  dataset?: string;
  config?: string;
  dataDir?: string;
  out?: string;
  seeds?: number;
  backbones?: string[];
  epochs?: number;
  stage1Epochs?: number;
  threads?: number;
}

export function register(program: Command): void {
  program
    .command('run')
    .description(
      'the whole method on a dataset: retrieve → teacher → distill → synthesize → baseline → stage 1 → stage 2 → evaluate → report (resumable)',
    )
    .option(
      '--dataset <name|dir>',
      'inspired | redial | opendialkg | a custom dataset folder (default: config)',
    )
    .option('--config <file>', 'config file (default: ./crsaug.config.json when present)')
    .option('--data-dir <dir>', 'data root (default: CRSAUG_DATA_DIR, ../shared/data, user cache)')
    .option('--out <dir>', 'run folder (default: runs/<dataset>)')
    .option('--seeds <n>', 'seeds per model and mode', positiveInt)
    .option('--backbones <names...>', 'backbones to train (kbrd, text, embed-head)')
    .option('--epochs <n>', 'epochs of baseline, stage 2 and mixed training', positiveInt)
    .option('--stage1-epochs <n>', 'epochs of stage 1 on the synthetic labels', positiveInt)
    .option('--threads <n>', 'compute threads', positiveInt)
    .action(async (flags: RunFlags) => {
      const config = resolveConfig({
        configFile: flags.config,
        flags: {
          dataset: flags.dataset,
          dataDir: flags.dataDir,
          threads: flags.threads,
          out: flags.out,
          train: { epochs: flags.epochs },
          run: {
            seeds: flags.seeds,
            stage1Epochs: flags.stage1Epochs,
            backbones: flags.backbones as ('kbrd' | 'text' | 'embed-head')[] | undefined,
          },
        },
      });
      if (config.threads > 0) configureEngine({ threads: config.threads });
      const outDir = config.out ?? join('runs', config.dataset.replace(/[^\w.-]+/g, '_'));
      const log = (line: string) => process.stderr.write(`[run] ${line}\n`);
      const outcome = await runPipeline(config, outDir, log);
      const report = await writeReport(
        outcome.outDir,
        reportInputOf(outcome, config, {
          name: `${config.dataset} run`,
          version: PACKAGE_VERSION,
          command: `crsaug ${process.argv.slice(2).join(' ')}`,
        }),
      );
      const s = outcome.synthesized.value;
      process.stdout.write(
        [
          `crsaug run on ${outcome.results.dataset} (test split, reference protocol) in ${outcome.wallSeconds.toFixed(0)} s`,
          `embedder: ${outcome.retrieved.value.provider.description}`,
          `teacher: ${outcome.teacher.value.provider.description}`,
          `scorer: ${s.scorer}; ${s.labels} synthetic labels on ${s.contexts} train contexts (threshold ${s.threshold})`,
          '',
          formatResultsTable(outcome.results),
          '',
          `wrote ${join(outcome.outDir, 'results.json')}, ${report.html}, ${join(outcome.outDir, 'config.resolved.json')}`,
        ].join('\n') + '\n',
      );
    });
}
