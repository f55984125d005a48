import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  hasChatModel,
  type JudgeStageSummary,
  judgeStage,
  openChatModel,
  type PoolRanker,
  using,
} from '../augment/stages/index.js';
import type { SimulateConfig, SimulatorName } from '../config/evaluation.js';
import type { Dataset } from '../data/types.js';
import { splitOf } from '../eval/evaluate.js';
import { configuredJudgments } from '../eval/judgments.js';
import { AttributeSimulator } from '../eval/simulate/attribute-simulator.js';
import { LlmSimulator } from '../eval/simulate/llm-simulator.js';
import { simulationContexts } from '../eval/simulate/run.js';
import type { UserSimulator } from '../eval/simulate/types.js';
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
  type SimulatedValue,
  simulateGroup,
  simulationComparisons,
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

export async function beyondLabelStages(
  ctx: PipelineContext,
  groups: readonly SystemGroup[],
  datasetKey: string,
): Promise<BeyondLabelsOutcome> {
  const { config, dataset } = ctx;
  const inputs = groups.map((g) => groupInput(g, datasetKey));
  const judge = hasChatModel(config)
    ? await ctx.store.run(
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
          inputs,
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
      )
    : undefined;
  const outcome: BeyondLabelsOutcome = {
    judge,
    judged: await judgedStage(ctx, groups, datasetKey, judge),
    simulations: [],
    comparisons: [],
  };
  const { simulate } = config.eval;
  if (simulate.attribute) {
    const simulator = new AttributeSimulator(dataset, { seed: config.seed });
    outcome.simulations.push(
      await simulationStage(ctx, groups, datasetKey, 'attribute', simulate.maxContexts, {
        settings: { simulator: simulator.identity },
        simulate: (group, dir, options) =>
          simulateGroup(group, dataset, splitOf(dataset, SPLIT).contexts, simulator, {
            ...options,
            transcriptsFileOf: (s) => join(dir, `seed-${s.seed}.transcripts.jsonl`),
          }),
      }),
    );
  }
  if (hasChatModel(config)) {
    outcome.simulations.push(
      await simulationStage(ctx, groups, datasetKey, 'llm', llmContexts(simulate), {
        settings: {
          simulator: 'llm',
          chat: { ...config.providers.chat, apiKey: undefined },
          llm: [
            simulate.llmMaxAttempts,
            simulate.llmMaxTokens,
            simulate.llmTemperature,
            simulate.llmPlotChars,
          ],
          seed: config.seed,
        },
        simulate: async (group, dir, options) => {
          const chat = await openChatModel(config, { stage: 'simulate', role: 'user simulator' }, {});
          return using(chat, async () => {
            const simulator: UserSimulator = new LlmSimulator(dataset, {
              model: chat.model,
              seed: config.seed,
              maxAttempts: simulate.llmMaxAttempts,
              maxTokens: simulate.llmMaxTokens,
              temperature: simulate.llmTemperature,
              plotChars: simulate.llmPlotChars,
            });
            const value = await simulateGroup(group, dataset, splitOf(dataset, SPLIT).contexts, simulator, {
              ...options,
              transcriptsFileOf: (s) => join(dir, `seed-${s.seed}.transcripts.jsonl`),
            });
            return { ...value, usage: chat.usage.summary() };
          });
        },
      }),
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

/** Judged metrics per group against every judgment found (the shared ones, configured files, the judge's). */
async function judgedStage(
  ctx: PipelineContext,
  groups: readonly SystemGroup[],
  datasetKey: string,
  judge: Artifact<JudgeStageSummary> | undefined,
): Promise<BeyondLabelsOutcome['judged']> {
  const { config, dataset } = ctx;
  const { judgments } = await configuredJudgments(
    config,
    dataset,
    SPLIT,
    judge ? [judge.value.judgmentsFile] : [],
  );
  if (judgments.pairs === 0) {
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
          version: 1,
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
    simulate: (group: SystemGroup, dir: string, options: SimulateOptions) => Promise<SimulatedValue>;
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
        (dir) => how.simulate(group, dir, options),
        ctx.log,
      ),
    );
  }
  const sample =
    chosen.length === withTarget
      ? `all ${withTarget} test contexts with a target`
      : `a seeded random sample of ${chosen.length} of the ${withTarget} test contexts with a target (seed ${config.seed})`;
  return {
    run: runSimulation(
      simulator,
      artifacts.map((a) => a.value),
      { turns, ks, contextsWithTarget: withTarget, sample },
    ),
    artifacts,
  };
}
