import { join } from 'node:path';
import type { Command } from 'commander';
import { type DryRun, dryRun } from '../pipeline/dry-run.js';
import { reportInputOf } from '../pipeline/report-input.js';
import type { PipelineOutcome } from '../pipeline/run.js';
import { runPipeline } from '../pipeline/run.js';
import {
  formatEpochSelection,
  formatGoldInTopK,
  formatJudgedTable,
  formatResultsTable,
  formatSimulationLines,
} from '../pipeline/summary-table.js';
import { writeReport } from '../report/index.js';
import { formatTable } from '../util/table.js';
import { jsonFlag, verboseFlag } from './flags.js';
import { addPipelineOptions, type PipelineFlags, pipelineConfig } from './pipeline-flags.js';
import { PACKAGE_VERSION } from './version.js';

interface RunFlags extends PipelineFlags {
  out?: string;
  json?: boolean;
  verbose?: boolean;
  dryRun?: boolean;
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
    .option(
      '--dry-run',
      'print, per stage, the provider calls, estimated tokens and cost the run would make; call nothing, write nothing',
    )
    .addOption(jsonFlag('print the results and the written files as one JSON object'))
    .action(async (flags: RunFlags) => {
      const config = pipelineConfig(flags, flags.config, flags.out);
      if (flags.dryRun) {
        const plan = await dryRun(config);
        process.stdout.write(flags.json ? `${JSON.stringify(plan)}\n` : `${formatDryRun(plan)}\n`);
        return;
      }
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

function formatDryRun(plan: DryRun): string {
  const usd = (c: number | null) =>
    c === null ? 'unknown (no price in providers.prices)' : `$${c.toFixed(4)}`;
  const n = (x: number) => x.toLocaleString('en-US');
  const rows = plan.stages.map((s) => [
    s.stage,
    s.provider,
    n(s.calls),
    n(s.inputTokens),
    n(s.maxOutputTokens),
    usd(s.costUsd),
    s.note,
  ]);
  const { totals } = plan;
  rows.push([
    'total',
    '',
    n(totals.calls),
    n(totals.inputTokens),
    n(totals.maxOutputTokens),
    usd(totals.costUsd),
    '',
  ]);
  return [
    `crsaug run --dry-run on ${plan.dataset}: nothing was called and nothing written`,
    '',
    formatTable(
      [
        'stage',
        { header: 'provider', align: 'left' },
        'calls',
        'input tokens (est.)',
        'output tokens (at most)',
        'cost (USD, list price)',
        { header: 'what', align: 'left' },
      ],
      rows,
    ),
    '',
    'Tokens are estimated at 4 characters a token; calls already in the provider cache are free, so a rerun costs less.',
  ].join('\n');
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
    ...[formatJudgedTable(outcome.results), formatSimulationLines(outcome.results)]
      .filter(Boolean)
      .flatMap((block) => [block, '']),
    `wrote ${Object.values(files).join(', ')}`,
  ].join('\n');
}
