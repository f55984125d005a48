import { join } from 'node:path';
import type { Command } from 'commander';
import { reportInputOf } from '../pipeline/report-input.js';
import type { PipelineOutcome } from '../pipeline/run.js';
import { runPipeline } from '../pipeline/run.js';
import { formatEpochSelection, formatGoldInTopK, formatResultsTable } from '../pipeline/summary-table.js';
import { writeReport } from '../report/index.js';
import { jsonFlag, verboseFlag } from './flags.js';
import { addPipelineOptions, type PipelineFlags, pipelineConfig } from './pipeline-flags.js';
import { PACKAGE_VERSION } from './version.js';

interface RunFlags extends PipelineFlags {
  out?: string;
  json?: boolean;
  verbose?: boolean;
}

export function register(program: Command): void {
  addPipelineOptions(
    program
      .command('run')
      .description(
        'the whole method on a dataset: retrieve → teacher → distill → synthesize → baseline → stage 1 → stage 2 → evaluate → report (resumable)',
      )
      .option('--out <dir>', 'run folder (default: runs/<dataset>)'),
    'baseline, stage 2 and mixed training',
  )
    .addOption(verboseFlag())
    .addOption(jsonFlag('print the results and the written files as one JSON object'))
    .action(async (flags: RunFlags) => {
      const config = pipelineConfig(flags, flags.config, flags.out);
      const outDir = config.out ?? join('runs', config.dataset.replace(/[^\w.-]+/g, '_'));
      const log = (line: string) => process.stderr.write(`${line}\n`);
      const outcome = await runPipeline(config, outDir, log, { verbose: flags.verbose });
      const report = await writeReport(
        outcome.outDir,
        reportInputOf(outcome, config, {
          name: `${config.dataset} run`,
          version: PACKAGE_VERSION,
          command: `crsaug ${process.argv.slice(2).join(' ')}`,
        }),
      );
      const files = {
        results: join(outcome.outDir, 'results.json'),
        report: report.html,
        reportInput: report.json,
        config: join(outcome.outDir, 'config.resolved.json'),
      };
      process.stdout.write(
        flags.json
          ? `${JSON.stringify({ ...outcome.results, wallSeconds: outcome.wallSeconds, files })}\n`
          : `${summaryText(outcome, config.train, files)}\n`,
      );
    });
}

function summaryText(
  outcome: PipelineOutcome,
  train: { selectMetric: string; patience: number },
  files: Record<string, string>,
): string {
  const s = outcome.synthesized.value;
  return [
    `crsaug run on ${outcome.results.dataset} (test split, reference protocol) in ${outcome.wallSeconds.toFixed(0)} s`,
    `embedder: ${outcome.retrieved.value.provider.description}`,
    `gold among the top ${outcome.results.retrieval.topK} candidates: ${formatGoldInTopK(outcome.results.retrieval)}`,
    `teacher: ${outcome.teacher.value.provider.description}`,
    `scorer: ${s.scorer}; ${s.labels} synthetic labels on ${s.contexts - s.contextsWithoutLabels} of ${s.contexts} train contexts (threshold ${s.threshold})`,
    '',
    formatResultsTable(outcome.results),
    '',
    `model selection: the epoch with the best valid ${train.selectMetric}, early stopping after ${train.patience} epochs without improvement`,
    formatEpochSelection(outcome.results.training),
    '',
    `wrote ${Object.values(files).join(', ')}`,
  ].join('\n');
}
