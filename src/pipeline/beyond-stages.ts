import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  hasChatModel,
  type JudgeStageSummary,
  judgeJudgmentsFile,
  judgeStage,
  openChatModel,
  type PoolRanker,
  using,
} from '../augment/stages/index.js';
import type { SimulateConfig, SimulatorName } from '../config/evaluation.js';
import type { Dataset } from '../data/types.js';
import { splitOf } from '../eval/evaluate.js';
import { configuredJudgments, defaultJudgmentFiles } from '../eval/judgments.js';
import { simulationContexts } from '../eval/simulate/run.js';
import { CrsaugError } from '../util/errors.js';
import { sha256 } from '../util/hash.js';
import type { Artifact } from './artifact-store.js';
import {
  comparedSuccessK,
  type JudgedValue,
  judgedComparisons,
  judgedOptions,
  judgeGroup,
  type RunJudged,
  type RunSimulation,
  runJudged,
  runSimulation,
  type SeedSimulator,
  type SimulatedValue,
  simulateGroup,
  simulateSeed,
  simulationComparisons,
  simulatorOf,
} from './beyond-labels.js';
import type { PipelineContext } from './context.js';
import type { ModeComparison } from './significance.js';
import type { EvaluatedSystem, SystemGroup } from './systems.js';

/*
 * The evaluations beyond single labels as stages of `crsaug run` (and of `crsaug eval --run`, on the run's
 * artifact store): the LLM judge of the test pool (with a chat model), the judged metrics per model and mode
 * (whenever judgments are found), and the user simulators per model and mode (the attribute simulator unless
 * turned off; the LLM simulator with a chat model). Each is an artifact keyed by its settings and inputs: the
 * train artifact of the group (or the dataset, for a floor), and the judgments read.
 */

export interface BeyondLabelsOutcome {
  judge?: Artifact<JudgeStageSummary>;
  judged?: { run: RunJudged; artifacts: Artifact<JudgedValue>[] };
  simulations: { run: RunSimulation; artifacts: Artifact<SimulatedValue>[] }[];
  /** Judged and simulated comparisons of each augmented mode with its baseline. */
  comparisons: ModeComparison[];
}

/** What a group's artifacts are keyed by: its train artifact, or the dataset and its name for a floor. */
function groupInput(group: SystemGroup, datasetKey: string): string {
  return group.artifact ?? `${datasetKey}-${group.model}`;
}

/** A system as the judge's pool sees it: it is opened, ranks the pooled contexts, and is freed. */
export function poolRanker(system: EvaluatedSystem, dataset: Dataset, topK: number): PoolRanker {
  return {
    name: system.name,
    async rank(contexts) {
      const opened = await system.open(dataset);
      try {
        return await opened.rankings(contexts, topK);
      } finally {
        opened.close();
      }
    },
  };
}

/** The LLM simulator's contexts at most: its own limit within the attribute simulator's (0 = no limit). */
function llmContexts({ llmMaxContexts, maxContexts }: SimulateConfig): number {
  if (llmMaxContexts === 0 || maxContexts === 0) return Math.max(llmMaxContexts, maxContexts);
  return Math.min(llmMaxContexts, maxContexts);
}

/** A content key of judgment files: a changed or added file changes what was judged. */
function judgmentsKey(files: readonly string[]): string {
  return `judgments-${sha256(files.map((f) => sha256(readFileSync(f))).join(',')).slice(0, 12)}`;
}

const SPLIT = 'test';

/** Which evaluations to run; `crsaug run` takes them from the config (runOptions), `crsaug eval` from flags. */
export interface BeyondLabelsOptions {
  /** Have the chat model judge the unjudged pool first. */
  judge: boolean;
  /** Judged metrics: 'found' = whenever judgments are found, 'required' = an error without any. */
  judged: 'found' | 'required' | 'off';
  simulators: SimulatorName[];
  /** More judgment files (e.g. those a run's judge wrote). */
  judgmentFiles?: string[];
}

/**
 * Judgment files made for a run folder: those `crsaug judge --run DIR` wrote into DIR/judge, and, with
 * `ownJudge`, those the run's own judge stage wrote (for `crsaug eval --run`, which runs no judge).
 */
export function runJudgmentFiles(runDir: string, dataset: string, ownJudge = false): string[] {
  const dirs = [join(runDir, 'judge')];
  const artifacts = join(runDir, 'artifacts');
  if (ownJudge && existsSync(artifacts)) {
    for (const name of readdirSync(artifacts).sort()) {
      if (name.startsWith('judge-') && existsSync(join(artifacts, name, 'artifact.json')))
        dirs.push(join(artifacts, name));
    }
  }
  return dirs
    .map((dir) => judgeJudgmentsFile(dir, dataset, SPLIT))
    .filter((file) => existsSync(file) && statSync(file).size > 0);
}

/**
 * What `crsaug run` evaluates: the attribute simulator unless off, judged metrics when judgments are found (with
 * those made for the run folder), the judge and the LLM simulator with a chat model.
 */
export function runBeyondOptions(config: PipelineContext['config'], runDir: string): BeyondLabelsOptions {
  const chat = hasChatModel(config);
  return {
    judgmentFiles: runJudgmentFiles(runDir, config.dataset),
    judge: chat,
    judged: 'found',
    simulators: [
      ...(config.eval.simulate.attribute ? (['attribute'] as const) : []),
      ...(chat ? (['llm'] as const) : []),
    ],
  };
}

/**
 * The stages beyondLabelStages will run for these groups (model, mode), in its order, for the progress lines:
 * the judge with a chat model; judged metrics when a judgment file of the dataset's test split can be found
 * (read from each file's first line, as the loader does); each simulator.
 */
export function plannedBeyondStages(
  config: PipelineContext['config'],
  runDir: string,
  groups: readonly { model: string; mode: string }[],
): string[] {
  const options = runBeyondOptions(config, runDir);
  const names = (prefix: string) => groups.map((g) => `${prefix}-${g.model}-${g.mode}`);
  const judged =
    options.judge ||
    config.eval.judged.files.length > 0 ||
    (options.judgmentFiles ?? []).length > 0 ||
    (config.eval.judged.sharedJudgments !== false &&
      defaultJudgmentFiles(config.dataDir).some((file) => judgesTestOf(file, config.dataset)));
  return [
    ...(options.judge ? ['judge'] : []),
    ...(judged ? names('judged') : []),
    ...options.simulators.flatMap((simulator) => names(`simulate-${simulator}`)),
  ];
}

/** Whether a judgment file's first line is about the dataset's test split. */
function judgesTestOf(file: string, dataset: string): boolean {
  const first = readFileSync(file, 'utf8').split('\n', 1)[0] ?? '';
  try {
    const line = JSON.parse(first) as { dataset?: unknown; split?: unknown };
    return line.dataset === dataset && line.split === SPLIT;
  } catch {
    return false;
  }
}

export async function beyondLabelStages(
  ctx: PipelineContext,
  groups: readonly SystemGroup[],
  datasetKey: string,
  options: BeyondLabelsOptions,
): Promise<BeyondLabelsOutcome> {
  const { config } = ctx;
  const judge = options.judge ? await judgeArtifact(ctx, groups, datasetKey) : undefined;
  // A judge with nothing left to judge writes an empty file, which is no judgment file.
  const judged = judge && judge.value.judgments > 0 ? [judge.value.judgmentsFile] : [];
  const extra = [...(options.judgmentFiles ?? []), ...judged];
  const outcome: BeyondLabelsOutcome = {
    judge,
    judged:
      options.judged === 'off'
        ? undefined
        : await judgedStage(ctx, groups, datasetKey, extra, options.judged),
    simulations: [],
    comparisons: [],
  };
  for (const simulator of options.simulators) {
    outcome.simulations.push(
      simulator === 'attribute'
        ? await attributeSimulation(ctx, groups, datasetKey)
        : await llmSimulation(ctx, groups, datasetKey),
    );
  }
  outcome.comparisons = [
    ...(outcome.judged
      ? judgedComparisons(
          outcome.judged.artifacts.map((a) => a.value),
          config.eval.judged.ks,
        )
      : []),
    ...outcome.simulations.flatMap(({ run, artifacts }) =>
      simulationComparisons(
        run.simulator,
        artifacts.map((a) => a.value),
        run.turns,
        comparedSuccessK(run.ks),
      ),
    ),
  ];
  return outcome;
}

/** The chat model judges the pool of every system's top k on test (what it has not judged yet). */
function judgeArtifact(
  ctx: PipelineContext,
  groups: readonly SystemGroup[],
  datasetKey: string,
): Promise<Artifact<JudgeStageSummary>> {
  const { config, dataset } = ctx;
  return ctx.store.run(
    {
      stage: 'judge',
      version: 1,
      settings: {
        chat: { ...config.providers.chat, apiKey: undefined },
        score: config.augment.score,
        judge: config.eval.judge,
        judged: config.eval.judged,
        topK: config.eval.topK,
        seed: config.seed,
      },
      inputs: groups.map((g) => groupInput(g, datasetKey)),
    },
    (dir) =>
      judgeStage(config, {
        dataset,
        split: SPLIT,
        systems: groups.flatMap((g) => g.systems).map((s) => poolRanker(s, dataset, config.eval.topK)),
        outDir: dir,
        log: ctx.log,
        silent: true,
      }),
    ctx.log,
  );
}

function attributeSimulation(ctx: PipelineContext, groups: readonly SystemGroup[], datasetKey: string) {
  const { config, dataset, seeds } = ctx;
  const simulator = simulatorOf('attribute', config, dataset);
  const contexts = splitOf(dataset, SPLIT).contexts;
  // With several seeds at once, each seed's dialogues run in a seed worker: the simulator is deterministic and
  // rankings do not depend on the thread, so the transcripts are the same (test/pipeline/seed-pool.test.ts).
  const seedSimulator: SeedSimulator | undefined =
    seeds && seeds.width > 1
      ? {
          simulate: (system, options) =>
            system.source
              ? seeds.simulate({ config, split: SPLIT, system: system.source, options })
              : simulateSeed(system, dataset, contexts, simulator, options),
        }
      : undefined;
  return simulationStage(ctx, groups, datasetKey, 'attribute', config.eval.simulate.maxContexts, {
    settings: { simulator: simulator.identity },
    simulate: (group, options) =>
      simulateGroup(group, dataset, contexts, simulator, { ...options, seedSimulator }),
  });
}

/** The LLM simulator: one chat model per group, so each artifact books its own calls. */
function llmSimulation(ctx: PipelineContext, groups: readonly SystemGroup[], datasetKey: string) {
  const { config, dataset } = ctx;
  const { simulate } = config.eval;
  return simulationStage(ctx, groups, datasetKey, 'llm', llmContexts(simulate), {
    settings: {
      simulator: 'llm',
      chat: { ...config.providers.chat, apiKey: undefined },
      llm: [simulate.llmMaxAttempts, simulate.llmMaxTokens, simulate.llmTemperature, simulate.llmPlotChars],
    },
    simulate: async (group, options) => {
      const chat = await openChatModel(config, { stage: 'simulate', role: 'user simulator' }, {});
      return using(chat, async () => {
        const simulator = simulatorOf('llm', config, dataset, chat.model);
        const contexts = splitOf(dataset, SPLIT).contexts;
        return {
          ...(await simulateGroup(group, dataset, contexts, simulator, options)),
          usage: chat.usage.summary(),
        };
      });
    },
  });
}

/** Judged evaluation was asked for, and no judgment of the split exists. */
export function noJudgments(dataset: string, split: string): CrsaugError {
  return new CrsaugError(`no judgments of ${dataset} ${split} found`, {
    hint: 'judged evaluation reads ../shared/judgments and --judgments FILE (JSONL in the teacher format); make them with crsaug judge',
  });
}

/** Judged metrics per group against every judgment found (the shared ones, configured files, the judge's). */
async function judgedStage(
  ctx: PipelineContext,
  groups: readonly SystemGroup[],
  datasetKey: string,
  extraFiles: readonly string[],
  need: 'found' | 'required',
): Promise<BeyondLabelsOutcome['judged']> {
  const { config, dataset } = ctx;
  const { judgments } = await configuredJudgments(config, dataset, SPLIT, extraFiles);
  if (judgments.pairs === 0) {
    if (need === 'required') throw noJudgments(dataset.name, SPLIT);
    ctx.log(
      `judged: no judgments of ${dataset.name} ${SPLIT} (../shared/judgments, eval.judged.files, a chat model for the judge): judged metrics left out`,
    );
    return undefined;
  }
  const options = judgedOptions(config);
  const key = judgmentsKey(judgments.files.map((f) => f.file));
  const contexts = splitOf(dataset, SPLIT).contexts;
  const artifacts: Artifact<JudgedValue>[] = [];
  for (const group of groups) {
    artifacts.push(
      await ctx.store.run(
        {
          stage: `judged-${group.model}-${group.mode}`,
          version: 3,
          settings: { judged: options },
          inputs: [datasetKey, groupInput(group, datasetKey), key],
        },
        () => judgeGroup(group, dataset, contexts, judgments, options),
        ctx.log,
      ),
    );
  }
  return {
    run: runJudged(
      artifacts.map((a) => a.value),
      judgments,
      options,
    ),
    artifacts,
  };
}

type SimulateOptions = Parameters<typeof simulateGroup>[4];

/** One simulator over every group on the same seeded sample of test contexts. */
async function simulationStage(
  ctx: PipelineContext,
  groups: readonly SystemGroup[],
  datasetKey: string,
  simulator: SimulatorName,
  maxContexts: number,
  how: {
    settings: Record<string, unknown>;
    simulate: (group: SystemGroup, options: SimulateOptions) => Promise<SimulatedValue>;
  },
): Promise<BeyondLabelsOutcome['simulations'][number]> {
  const { config, dataset } = ctx;
  const { turns, ks, concurrency } = config.eval.simulate;
  const contexts = splitOf(dataset, SPLIT).contexts;
  const chosen = simulationContexts(contexts, maxContexts, config.seed);
  const withTarget = contexts.filter((c) => c.gold.length > 0).length;
  const options: SimulateOptions = {
    turns,
    ks,
    topK: config.eval.topK,
    concurrency,
    contextIndices: chosen,
    silent: true,
  };
  const artifacts: Artifact<SimulatedValue>[] = [];
  for (const group of groups) {
    artifacts.push(
      await ctx.store.run(
        {
          stage: `simulate-${simulator}-${group.model}-${group.mode}`,
          version: 1,
          settings: { ...how.settings, turns, ks, topK: config.eval.topK, maxContexts, seed: config.seed },
          inputs: [datasetKey, groupInput(group, datasetKey)],
        },
        (dir) =>
          how.simulate(group, {
            ...options,
            transcriptsFileOf: (system) => join(dir, `seed-${system.seed}.transcripts.jsonl`),
          }),
        ctx.log,
      ),
    );
  }
  return {
    run: runSimulation(
      simulator,
      artifacts.map((a) => a.value),
      {
        turns,
        ks,
        split: SPLIT,
        contextsWithTarget: withTarget,
        simulated: chosen.length,
        seed: config.seed,
      },
    ),
    artifacts,
  };
}
