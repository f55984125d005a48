import { join } from 'node:path';
import type { Command } from 'commander';
import { openChatModel, using } from '../augment/stages/index.js';
import { SIMULATORS, type SimulatorName } from '../config/evaluation.js';
import type { Config, ConfigInput } from '../config/schema.js';
import type { Dataset, SplitName } from '../data/types.js';
import { readCheckpointConfig } from '../engine/index.js';
import {
  aggregateRuns,
  configuredJudgments,
  type EvalOptions,
  evaluateRankings,
  formatSummaryTable,
  meansOf,
  splitOf,
  stdsOf,
} from '../eval/index.js';
import { simulationContexts } from '../eval/simulate/run.js';
import {
  judgedComparisons,
  judgedOptions,
  judgeGroup,
  type RunJudged,
  type RunSimulation,
  runJudged,
  runSimulation,
  simulateGroup,
  simulatorOf,
} from '../pipeline/beyond-labels.js';
import { beyondLabelStages, noJudgments, runJudgmentFiles } from '../pipeline/beyond-stages.js';
import { openPipeline } from '../pipeline/context.js';
import type { ModeComparison } from '../pipeline/significance.js';
import { formatJudgedTable, formatSimulationLines } from '../pipeline/summary-table.js';
import {
  checkpointSystem,
  predictionsSystem,
  runFolderSystems,
  type SystemGroup,
} from '../pipeline/systems.js';
import { CrsaugError, UsageError } from '../util/errors.js';
import {
  type ChatFlags,
  chatConfig,
  choiceOption,
  nonNegativeInt,
  positiveInt,
  withChatFlags,
} from './flags.js';

/*
 * `crsaug eval`'s evaluations beyond the single label: judged metrics (for predictions files, checkpoints and run
 * folders) and the user simulators (for checkpoints and run folders: simulation needs a model).
 */

export interface BeyondFlags extends ChatFlags {
  checkpoint?: string[];
  run?: string;
  judged?: boolean;
  judgments?: string[];
  simulate?: SimulatorName;
  turns?: number;
  simulateContexts?: number;
}

export function withBeyondFlags(command: Command): Command {
  return withChatFlags(
    command
      .option(
        '--checkpoint <dirs...>',
        'model checkpoint folders (crsaug train: <out>/seed-N/best), one per seed of one model',
      )
      .option(
        '--run <dir>',
        'a crsaug run folder: judged metrics / simulation of every model, mode and seed (test)',
      )
      .option(
        '--judged',
        'add judged metrics against pooled LLM judgments (../shared/judgments, --judgments)',
      )
      .option('--judgments <files...>', 'more judgment files (teacher format); implies --judged')
      .addOption(
        choiceOption(
          '--simulate <simulator>',
          'user-simulator evaluation of a model (--checkpoint or --run); llm needs a chat model',
          SIMULATORS,
        ),
      )
      .option('--turns <n>', 'simulated recommendations per dialogue at most (default: 5)', positiveInt)
      .option(
        '--simulate-contexts <n>',
        'simulate at most this many contexts, a seeded sample (default: 0 = all)',
        nonNegativeInt,
      ),
  );
}

/** The config layer of these flags. */
export function beyondConfig(flags: BeyondFlags): ConfigInput {
  return {
    ...chatConfig(flags),
    eval: {
      judged: { files: flags.judgments },
      simulate: { turns: flags.turns, maxContexts: flags.simulateContexts },
    },
  };
}

export function wantsJudged(flags: BeyondFlags): boolean {
  return Boolean(flags.judged || flags.judgments);
}

/** Which systems the flags name, checked against what each evaluation can take. */
export function checkSources(flags: BeyondFlags & { predictions?: string[]; compare?: string[] }): void {
  const given = [flags.predictions, flags.checkpoint, flags.run].filter(Boolean).length;
  if (given !== 1) {
    throw new UsageError('give exactly one of --predictions, --checkpoint and --run', {
      hint: 'a predictions file is evaluated with the protocol (and --judged); a checkpoint or a run folder also with --simulate',
    });
  }
  if (flags.compare && !flags.predictions) throw new UsageError('--compare compares predictions files');
  if (flags.simulate && flags.predictions) {
    throw new UsageError('a predictions file cannot be simulated: the simulator needs a model to re-rank', {
      hint: 'give --checkpoint DIR or --run DIR with --simulate; predictions files take --judged',
    });
  }
  if (flags.run && !flags.simulate && !wantsJudged(flags)) {
    throw new UsageError('eval --run evaluates beyond the single label: pass --judged and/or --simulate', {
      hint: "the run's reference metrics are in its results.json",
    });
  }
}

/** Judged metrics of groups on a split, and the comparisons of each mode with `against` when given. */
async function judgedOf(
  config: Config,
  dataset: Dataset,
  split: SplitName,
  groups: readonly SystemGroup[],
  against?: string,
): Promise<{ judged: RunJudged; comparisons: ModeComparison[] }> {
  const { judgments } = await configuredJudgments(config, dataset, split);
  if (judgments.pairs === 0) throw noJudgments(dataset.name, split);
  const options = judgedOptions(config);
  const contexts = splitOf(dataset, split).contexts;
  const values = [];
  for (const group of groups) values.push(await judgeGroup(group, dataset, contexts, judgments, options));
  return {
    judged: runJudged(values, judgments, options),
    comparisons: against ? judgedComparisons(values, options.ks, against) : [],
  };
}

/** `--predictions … [--compare …] --judged`: each side's judged metrics, and B against A. */
export async function judgedPredictions(
  config: Config,
  dataset: Dataset,
  split: SplitName,
  sides: { a: string[]; b?: string[] },
): Promise<{ output: Record<string, unknown>; text: string }> {
  const group = (mode: string, files: string[]): SystemGroup => ({
    model: 'predictions',
    mode,
    trained: false,
    systems: files.map((file, i) => ({ ...predictionsSystem(file), mode, seed: i + 1 })),
  });
  const groups = [group('A', sides.a), ...(sides.b ? [group('B', sides.b)] : [])];
  const { judged, comparisons } = await judgedOf(config, dataset, split, groups, sides.b ? 'A' : undefined);
  return {
    output: { judged, judgedComparisons: comparisons },
    text: formatJudgedTable({ judged, comparisons }),
  };
}

/** `--checkpoint DIR…`: the seeds of one model under the protocol, and judged / simulated when asked. */
export async function evalCheckpoints(
  config: Config,
  dataset: Dataset,
  split: SplitName,
  flags: BeyondFlags & { out?: string },
  options: EvalOptions,
): Promise<{ output: Record<string, unknown>; text: string[] }> {
  const dirs = flags.checkpoint!;
  const backbone = String((readCheckpointConfig(dirs[0]!) as { backbone?: string }).backbone ?? 'model');
  const group: SystemGroup = {
    model: backbone,
    mode: 'checkpoint',
    trained: true,
    systems: dirs.map((dir, i) => checkpointSystem(backbone, 'checkpoint', config.seed + i, dir)),
  };
  const contexts = splitOf(dataset, split).contexts;
  const runs = [];
  for (const system of group.systems) {
    const opened = await system.open(dataset);
    try {
      const rankings = await opened.rankings(contexts, options.topK);
      runs.push({
        dir: dirs[runs.length]!,
        metrics: evaluateRankings(contexts, rankings, dataset.catalog, options).metrics,
      });
    } finally {
      opened.close();
    }
  }
  const summary = aggregateRuns(runs.map((r) => r.metrics));
  const output: Record<string, unknown> = {
    ...meansOf(summary),
    std: stdsOf(summary),
    model: backbone,
    runs,
  };
  const text = [
    `${backbone} checkpoint${dirs.length > 1 ? 's' : ''} on ${dataset.name} ${split}: ${dirs.join(', ')}`,
    formatSummaryTable(summary, options.ks),
  ];
  if (wantsJudged(flags)) {
    const { judged } = await judgedOf(config, dataset, split, [group]);
    output.judged = judged;
    text.push(formatJudgedTable({ judged, comparisons: [] }));
  }
  if (flags.simulate) {
    const simulation = await simulateCheckpoints(config, dataset, split, group, flags.simulate, flags.out);
    output.simulation = [simulation];
    text.push(formatSimulationLines({ simulation: [simulation], comparisons: [] }));
  }
  return { output, text };
}

async function simulateCheckpoints(
  config: Config,
  dataset: Dataset,
  split: SplitName,
  group: SystemGroup,
  name: SimulatorName,
  outDir: string | undefined,
): Promise<RunSimulation> {
  const { turns, ks, concurrency, maxContexts } = config.eval.simulate;
  const contexts = splitOf(dataset, split).contexts;
  const chosen = simulationContexts(contexts, maxContexts, config.seed);
  const simulate = async (model?: Parameters<typeof simulatorOf>[3]) =>
    simulateGroup(group, dataset, contexts, simulatorOf(name, config, dataset, model), {
      turns,
      ks,
      topK: config.eval.topK,
      concurrency,
      contextIndices: chosen,
      ...(outDir
        ? { transcriptsFileOf: (s) => join(outDir, `${name}.seed-${s.seed}.transcripts.jsonl`) }
        : {}),
    });
  const value =
    name === 'llm'
      ? await using(
          await openChatModel(
            config,
            { stage: 'simulate', role: 'user simulator' },
            { log: (l) => process.stderr.write(`${l}\n`) },
          ),
          (chat) => simulate(chat.model),
        )
      : await simulate();
  if (value.excluded) {
    throw new CrsaugError(`${group.model} cannot be simulated: ${value.excluded}`, {
      hint: 'simulate a model that reads the dialogue (kbrd, text)',
    });
  }
  return runSimulation(name, [value], {
    turns,
    ks,
    split,
    contextsWithTarget: contexts.filter((c) => c.gold.length > 0).length,
    simulated: chosen.length,
    seed: config.seed,
  });
}

/**
 * `--run DIR`: judged metrics and/or a simulator for every model, mode and seed of a run folder, on the run's
 * artifact store (what the run computed with the same settings is reused; anything new is kept there).
 */
export async function evalRunFolder(
  config: Config,
  flags: BeyondFlags & { split: SplitName },
): Promise<{ output: Record<string, unknown>; text: string[] }> {
  if (flags.split !== 'test')
    throw new CrsaugError('a run folder is evaluated on test, the split it reports');
  const runDir = flags.run!;
  const { groups } = runFolderSystems(runDir);
  const { ctx, datasetKey } = await openPipeline(config, runDir, (line) =>
    process.stderr.write(`[eval] ${line}\n`),
  );
  const outcome = await beyondLabelStages(ctx, groups, datasetKey, {
    judge: false,
    judged: wantsJudged(flags) ? 'required' : 'off',
    simulators: flags.simulate ? [flags.simulate] : [],
    judgmentFiles: runJudgmentFiles(runDir, config.dataset, true),
  });
  const results = {
    ...(outcome.judged ? { judged: outcome.judged.run } : {}),
    simulation: outcome.simulations.map((s) => s.run),
    comparisons: outcome.comparisons,
  };
  return {
    output: { dataset: config.dataset, split: flags.split, run: runDir, ...results },
    text: [
      `${config.dataset} test, run folder ${runDir}`,
      ...(results.judged ? [formatJudgedTable(results)] : []),
      ...(results.simulation.length ? [formatSimulationLines(results)] : []),
    ],
  };
}
