import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { saveResolvedConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { PRIMARY_METRIC, REPORT_METRICS } from '../eval/metric-table.js';
import {
  type Experiment,
  type ReportInputJson,
  resultRow,
  type WrittenReport,
  writeReport,
} from '../report/index.js';
import { Experiment as ExperimentSchema } from '../report/schema.js';
import { readJsonFile, writeJsonFile } from '../util/json.js';
import { augment, type ExperimentEnv, openExperimentEnv, syntheticOf, trainTwoStage } from './context.js';
import { EXPERIMENT_IDS, EXPERIMENTS, type ExperimentId } from './registry.js';

export interface ExperimentRunOptions {
  ids: ExperimentId[];
  /** Receives experiments/<id>.json and experiments/report.html. */
  outDir: string;
  /** A `crsaug run` folder whose artifacts are reused (default: the out folder's own store). */
  runDir?: string;
  values?: number[];
  /** Tables add test columns after the valid ones, for the record (`--show-test`). */
  showTest?: boolean;
  log: (line: string) => void;
  /** Each stage's own progress lines (epochs, …), not one line per stage. */
  verbose?: boolean;
  /** Written into the report. */
  meta: { version: string; command: string };
}

export interface ExperimentRunOutcome {
  experiments: Experiment[];
  files: string[];
  report: WrittenReport;
  wallSeconds: number;
}

/** Runs the experiments on one shared artifact store, writes each as JSON and all of them into one report. */
export async function runExperiments(
  config: Config,
  options: ExperimentRunOptions,
): Promise<ExperimentRunOutcome> {
  const start = performance.now();
  const out = resolve(options.outDir);
  // In experiments/, so a `crsaug run` folder's own config.resolved.json is left as the run wrote it.
  await saveResolvedConfig(join(out, 'experiments'), config);
  const env: ExperimentEnv = {
    ...(await openExperimentEnv(config, options.runDir ?? out, options.log, options.values, options.verbose)),
    showTest: options.showTest,
  };
  try {
    const experiments: Experiment[] = [];
    const files: string[] = [];
    for (const id of options.ids) {
      options.log(`experiment ${id}`);
      // Validated before it is written, so a file in experiments/ always fits the report's schema.
      const experiment = ExperimentSchema.parse(await EXPERIMENTS[id].run(env));
      const file = join(out, 'experiments', `${id}.json`);
      await writeJsonFile(file, experiment);
      experiments.push(experiment);
      files.push(file);
    }
    const wallSeconds = (performance.now() - start) / 1000;
    // Beside the experiment files, never over the report.html of the `crsaug run` folder it may share.
    const report = await writeReport(
      join(out, 'experiments'),
      await reportInput(env, out, wallSeconds, options.meta),
    );
    return { experiments, files, report, wallSeconds };
  } finally {
    await env.ctx.seeds?.close();
  }
}

/**
 * The report of an experiments folder: every experiments/<id>.json written so far (so experiments run one by
 * one accumulate), with the baseline and two-stage valid results of each backbone as its main table (test
 * results are `crsaug run`'s).
 */
async function reportInput(
  env: ExperimentEnv,
  out: string,
  wallSeconds: number,
  meta: ExperimentRunOptions['meta'],
): Promise<ReportInputJson> {
  const { ctx } = env;
  const dir = join(out, 'experiments');
  // Only experiment files (report.json lives here too), in the registry's order whichever order they ran in.
  const order = (file: string) => EXPERIMENT_IDS.indexOf(file.replace(/\.json$/, '') as ExperimentId);
  const saved = (await readdir(dir)).filter((f) => order(f) >= 0).sort((a, b) => order(a) - order(b));
  const experiments = saved.map((f) => ExperimentSchema.parse(readJsonFile(join(dir, f))));
  const { retrieved, teacher, synthesized } = await augment(env);
  const rows = [];
  for (const backbone of env.backbones) {
    const { baseline, stage2 } = await trainTwoStage(ctx, backbone, syntheticOf(synthesized));
    rows.push(
      resultRow(
        backbone,
        'baseline',
        baseline.value.runs.map((r) => ({ seed: r.seed, metrics: r.valid })),
      ),
      resultRow(
        backbone,
        'stage2',
        stage2.value.runs.map((r) => ({ seed: r.seed, metrics: r.valid })),
      ),
    );
  }
  const stats = Object.values(env.stats);
  const providers = [retrieved.value.provider, teacher.value.provider];
  return {
    schemaVersion: 1,
    run: {
      name: `${ctx.dataset.name} experiments`,
      dataset: ctx.dataset.name,
      createdAt: new Date().toISOString(),
      crsaugVersion: meta.version,
      wallSeconds,
      config: ctx.config,
      command: meta.command,
      providers,
      notes: providers.filter((p) => p.offline).map((p) => `${p.role}: ${p.description}`),
    },
    dataset: {
      splits: Object.entries(env.stats).map(([name, s]) => ({
        name,
        dialogues: s!.dialogues,
        contexts: s!.contexts,
        pairs: s!.pairs,
      })),
      catalog: { items: stats[0]!.items, entities: stats[0]!.entities, kgTriples: stats[0]!.kgTriples },
    },
    results: {
      split: 'valid',
      primaryMetric: PRIMARY_METRIC,
      metrics: REPORT_METRICS,
      rows,
    },
    experiments,
  };
}
