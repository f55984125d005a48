import { join } from 'node:path';
import type { Command } from 'commander';
import { reportInputOf } from '../pipeline/report-input.js';
import { runPipeline } from '../pipeline/run.js';
import {
  formatEpochSelection,
  formatGoldInTopK,
  formatJudgedTable,
  formatResultsTable,
  formatSimulationLines,
} from '../pipeline/summary-table.js';
import { writeReport } from '../report/index.js';
import { addPipelineOptions, type PipelineFlags, pipelineConfig } from './pipeline-flags.js';
import { PACKAGE_VERSION } from './version.js';

interface RunFlags extends PipelineFlags {
  out?: string;
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
  ).action(async (flags: RunFlags) => {
    const config = pipelineConfig(flags, flags.config, flags.out);
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
        `gold among the top ${outcome.results.retrieval.topK} candidates: ${formatGoldInTopK(outcome.results.retrieval)}`,
        `teacher: ${outcome.teacher.value.provider.description}`,
        `scorer: ${s.scorer}; ${s.labels} synthetic labels on ${s.contexts - s.contextsWithoutLabels} of ${s.contexts} train contexts (threshold ${s.threshold})`,
        '',
        formatResultsTable(outcome.results),
        '',
        `model selection: the epoch with the best valid ${config.train.selectMetric}, early stopping after ${config.train.patience} epochs without improvement`,
        formatEpochSelection(outcome.results.training),
        '',
        ...[formatJudgedTable(outcome.results), formatSimulationLines(outcome.results)]
          .filter(Boolean)
          .flatMap((block) => [block, '']),
        `wrote ${join(outcome.outDir, 'results.json')}, ${report.html}, ${join(outcome.outDir, 'config.resolved.json')}`,
      ].join('\n') + '\n',
    );
  });
}
