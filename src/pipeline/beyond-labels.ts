import type { SimulatorName } from '../config/evaluation.js';
import type { Config } from '../config/schema.js';
import { pairsOf } from '../data/pairs.js';
import type { Dataset, RecContext, SplitName } from '../data/types.js';
import type { Metrics } from '../eval/index.js';
import { type JudgedOptions, judgedMetrics } from '../eval/judged.js';
import type { Judgments } from '../eval/judgments.js';
import { AttributeSimulator } from '../eval/simulate/attribute-simulator.js';
import { LlmSimulator } from '../eval/simulate/llm-simulator.js';
import {
  firstSuccessTurn,
  type SimulationOptions,
  type SimulationResult,
  simulateDialogues,
} from '../eval/simulate/run.js';
import type { UserSimulator } from '../eval/simulate/types.js';
import type { UsageRow } from '../providers/middleware/usage.js';
import type { ChatModel } from '../providers/types.js';
import { CrsaugError } from '../util/errors.js';
import { BASELINE, compareModesWithBaseline, type ModeComparison } from './significance.js';
import type { EvaluatedSystem, SystemGroup } from './systems.js';

/*
 * Evaluation beyond the single logged label, for groups of systems (a model and mode with its seeds): judged
 * metrics against pooled LLM judgments, and the interactive protocol with a user simulator. `crsaug run` keeps
 * each group's values as an artifact; `crsaug eval` computes them directly. Both assemble results.json's
 * `judged` and `simulation` and compare each augmented mode with its baseline here.
 */

/** The judged-evaluation options a config sets. */
export function judgedOptions(config: Config): JudgedOptions {
  const { judged } = config.eval;
  return {
    ks: judged.ks,
    topK: config.eval.topK,
    relevantScore: judged.relevantScore,
    unjudgedGoldScore: judged.unjudgedGoldScore,
    contexts: 'judged',
  };
}

/**
 * The judged metrics compared between modes: nDCG and precision at each k, and the same on the condensed lists
 * (unjudged items removed), which a mode whose lists the pool covers less is not penalised on.
 */
export function comparedJudgedMetrics(ks: readonly number[]): string[] {
  return ks.flatMap((k) => [
    `judged.ndcg@${k}`,
    `judged.precision@${k}`,
    `judged.condensed.ndcg@${k}`,
    `judged.condensed.precision@${k}`,
  ]);
}

export interface JudgedSeed {
  seed: number;
  metrics: Metrics;
  /** Each compared metric per averaged context (null: nDCG undefined there, the ideal DCG being 0). */
  perContext: Record<string, (number | null)[]>;
}

export interface JudgedValue {
  model: string;
  mode: string;
  /** The dialogue of each averaged context, in perContext order (the clusters of the comparison). */
  dialogues: string[];
  seeds: JudgedSeed[];
}

/** Opens a system, hands it to `use`, and frees it afterwards whatever happens. */
async function withSystem<T>(
  system: EvaluatedSystem,
  dataset: Dataset,
  use: (opened: Awaited<ReturnType<EvaluatedSystem['open']>>) => Promise<T>,
): Promise<T> {
  const opened = await system.open(dataset);
  try {
    return await use(opened);
  } finally {
    opened.close();
  }
}

/**
 * Judged metrics of every seed of a group on `contexts` (a split's). Only the contexts with a judgment are
 * ranked: the others are never averaged.
 */
export async function judgeGroup(
  group: SystemGroup,
  dataset: Dataset,
  contexts: readonly RecContext[],
  judgments: Judgments,
  options: JudgedOptions,
): Promise<JudgedValue> {
  const judged = contexts.filter((c) => judgments.hasContext(c.dialogId, c.turnId));
  // Ranked on the judged contexts only, so the split's evaluated contexts are counted here.
  const evaluated = new Set(pairsOf(contexts, dataset.catalog).map((p) => p.contextIndex)).size;
  const compared = comparedJudgedMetrics(options.ks);
  let dialogues: string[] = [];
  const seeds: JudgedSeed[] = [];
  for (const system of group.systems) {
    const result = await withSystem(system, dataset, async (opened) =>
      judgedMetrics(judged, await opened.rankings(judged, options.topK), dataset.catalog, judgments, options),
    );
    dialogues = Array.from(result.contextIndices, (i) => judged[i]!.dialogId);
    seeds.push({
      seed: system.seed,
      metrics: { ...result.metrics, 'judged.evaluatedContexts': evaluated },
      perContext: Object.fromEntries(
        compared.map((m) => [m, Array.from(result.perContext[m]!, (v) => (Number.isNaN(v) ? null : v))]),
      ),
    });
  }
  return { model: group.model, mode: group.mode, dialogues, seeds };
}

/** The configured simulator: attribute (no LLM), or the LLM simulator on `chat` (required for 'llm'). */
export function simulatorOf(
  name: SimulatorName,
  config: Config,
  dataset: Dataset,
  chat?: ChatModel,
): UserSimulator {
  if (name === 'attribute') return new AttributeSimulator(dataset, { seed: config.seed });
  if (!chat)
    throw new CrsaugError('the LLM simulator needs a chat model', {
      hint: 'pass --llm-base-url and --llm-model, or set providers.chat',
    });
  const { simulate } = config.eval;
  return new LlmSimulator(dataset, {
    model: chat,
    seed: config.seed,
    maxAttempts: simulate.llmMaxAttempts,
    maxTokens: simulate.llmMaxTokens,
    temperature: simulate.llmTemperature,
    plotChars: simulate.llmPlotChars,
  });
}

/** A simulation's numbers without its transcripts (those stay in the transcripts file). */
export type SimulationSummary = Omit<SimulationResult, 'transcripts' | 'simulator' | 'recommender'>;

export interface SimulatedSeed {
  seed: number;
  summary: SimulationSummary;
  /** By k: the turn of each dialogue's first success at k, 0 when it never succeeded (dialogues order). */
  successTurns: Record<string, number[]>;
}

export interface SimulatedValue {
  model: string;
  mode: string;
  /** describe() of the simulator. */
  simulator: string;
  /** Set when the model cannot hear the simulated user: why it was left out (no seeds then). */
  excluded?: string;
  /** The dialogue id of each simulated context, in successTurns order. */
  dialogues: string[];
  seeds: SimulatedSeed[];
  /** The LLM simulator's calls (absent for simulators without one). */
  usage?: UsageRow[];
}

/** One seed through the simulator: its numbers and the dialogues' ids, or why its model cannot take part. */
export type SeedSimulation = { seed: SimulatedSeed; dialogues: string[] } | { excluded: string };

/**
 * Simulates the seeds of a group elsewhere (a seed worker, seed-pool.ts), as many at once as it has room for;
 * simulateGroup otherwise runs them here, one after another.
 */
export interface SeedSimulator {
  simulate(system: EvaluatedSystem, options: SimulationOptions): Promise<SeedSimulation>;
}

/**
 * Every seed of a group talks to the simulator on the chosen contexts (`options.contextIndices`). A model the
 * model table says cannot hear feedback is left out with its reason; a predictions file cannot be simulated.
 */
export async function simulateGroup(
  group: SystemGroup,
  dataset: Dataset,
  contexts: readonly RecContext[],
  simulator: UserSimulator,
  options: SimulationOptions & {
    transcriptsFileOf?: (system: EvaluatedSystem) => string;
    seedSimulator?: SeedSimulator;
  },
): Promise<SimulatedValue> {
  const { transcriptsFileOf, seedSimulator, ...shared } = options;
  const optionsOf = (system: EvaluatedSystem): SimulationOptions => ({
    ...shared,
    transcriptsFile: transcriptsFileOf?.(system),
    recommenderIdentity: system.identity,
  });
  const outcomes: SeedSimulation[] = [];
  if (seedSimulator) {
    outcomes.push(...(await Promise.all(group.systems.map((s) => seedSimulator.simulate(s, optionsOf(s))))));
  } else {
    for (const system of group.systems) {
      const outcome = await simulateSeed(system, dataset, contexts, simulator, optionsOf(system));
      outcomes.push(outcome);
      if ('excluded' in outcome) break;
    }
  }
  const value: SimulatedValue = {
    model: group.model,
    mode: group.mode,
    simulator: simulator.describe(),
    dialogues: [],
    seeds: [],
  };
  for (const outcome of outcomes) {
    if ('excluded' in outcome) return { ...value, excluded: outcome.excluded };
    value.dialogues = outcome.dialogues;
    value.seeds.push(outcome.seed);
  }
  return value;
}

/** One seed of a group through the simulator (simulateGroup's step, also what a seed worker runs). */
export async function simulateSeed(
  system: EvaluatedSystem,
  dataset: Dataset,
  contexts: readonly RecContext[],
  simulator: UserSimulator,
  options: SimulationOptions,
): Promise<SeedSimulation> {
  const outcome = await withSystem(system, dataset, async (opened) => {
    if (!opened.recommender) {
      throw new CrsaugError(`${system.model}: a predictions file cannot be simulated`, {
        hint: 'the simulator needs a model that re-ranks the grown dialogue: give a checkpoint or a run folder',
      });
    }
    if (opened.ignoresFeedback) return { excluded: opened.ignoresFeedback };
    return {
      result: await simulateDialogues(opened.recommender, contexts, dataset.catalog, simulator, options),
    };
  });
  if (outcome.excluded !== undefined) return { excluded: outcome.excluded };
  const { transcripts, simulator: _simulator, recommender: _recommender, ...summary } = outcome.result;
  return {
    dialogues: transcripts.map((t) => t.dialog_id),
    seed: {
      seed: system.seed,
      summary,
      successTurns: Object.fromEntries(
        options.ks.map((k) => [String(k), transcripts.map((t) => firstSuccessTurn(t, k) ?? 0)]),
      ),
    },
  };
}

/** results.json → `judged`: per model, mode and seed the judged metrics, and what they were judged against. */
export interface RunJudged {
  split: SplitName;
  ks: number[];
  relevantScore: number;
  unjudgedGoldScore: number;
  /** The judgment files read, their judged contexts and pairs. */
  judgments: { files: string[]; contexts: number; pairs: number };
  /** Evaluated contexts averaged over (those with a judgment), of the split's evaluated contexts. */
  contexts: number;
  evaluatedContexts: number;
  /** results[model][mode][seed]: `judged.ndcg@10`, `judged.precision@10`, `judged.coverage@10`, … */
  results: Record<string, Record<string, Record<string, Metrics>>>;
}

export function runJudged(
  values: readonly JudgedValue[],
  judgments: Judgments,
  options: JudgedOptions,
): RunJudged {
  const results: RunJudged['results'] = {};
  for (const value of values) {
    results[value.model] ??= {};
    results[value.model]![value.mode] = Object.fromEntries(
      value.seeds.map((s) => [String(s.seed), s.metrics]),
    );
  }
  const first = values[0]?.seeds[0]?.metrics ?? {};
  return {
    split: judgments.split,
    ks: [...options.ks],
    relevantScore: options.relevantScore,
    unjudgedGoldScore: options.unjudgedGoldScore,
    judgments: {
      files: judgments.files.map((f) => f.file),
      contexts: judgments.contexts,
      pairs: judgments.pairs,
    },
    contexts: first['judged.contexts'] ?? 0,
    evaluatedContexts: first['judged.evaluatedContexts'] ?? 0,
    results,
  };
}

/** One model and mode under a simulator: each seed's numbers and their mean. */
export interface SimulatedModeResult {
  seeds: Record<string, SimulationSummary>;
  mean: {
    /** By k: mean over seeds of the success share at turns 1..T. */
    successByTurn: Record<string, number[]>;
    /** By k: mean over seeds of the mean turns to success (seeds where nothing succeeded left out). */
    meanTurnsToSuccess: Record<string, number | null>;
  };
}

/** results.json → `simulation` (one per simulator run). */
export interface RunSimulation {
  simulator: SimulatorName;
  description: string;
  turns: number;
  ks: number[];
  /** Simulated dialogues (contexts with a target), of those the split has. */
  dialogues: number;
  contextsWithTarget: number;
  split: SplitName;
  /** How the simulated contexts were chosen (all, or a seeded sample). */
  sample: string;
  results: Record<string, Record<string, SimulatedModeResult>>;
  /** Models left out because they cannot hear the simulated user, and why. */
  excluded: { model: string; mode: string; reason: string }[];
}

export function runSimulation(
  simulator: SimulatorName,
  values: readonly SimulatedValue[],
  options: {
    turns: number;
    ks: readonly number[];
    split: SplitName;
    /** Contexts with a target, and how many of them were simulated (a sample under `seed`). */
    contextsWithTarget: number;
    simulated: number;
    seed: number;
  },
): RunSimulation {
  const results: RunSimulation['results'] = {};
  const excluded: RunSimulation['excluded'] = [];
  for (const value of values) {
    if (value.excluded) {
      excluded.push({ model: value.model, mode: value.mode, reason: value.excluded });
      continue;
    }
    results[value.model] ??= {};
    results[value.model]![value.mode] = simulatedModeResult(value.seeds, options.ks);
  }
  const simulated = values.find((v) => !v.excluded);
  return {
    simulator,
    description: simulated?.simulator ?? values[0]?.simulator ?? simulator,
    turns: options.turns,
    ks: [...options.ks],
    dialogues: simulated?.dialogues.length ?? 0,
    contextsWithTarget: options.contextsWithTarget,
    split: options.split,
    sample:
      options.simulated === options.contextsWithTarget
        ? `all ${options.simulated} ${options.split} contexts with a target`
        : `a seeded random sample of ${options.simulated} of the ${options.contextsWithTarget} ${options.split} contexts with a target (seed ${options.seed})`,
    results,
    excluded,
  };
}

function simulatedModeResult(seeds: readonly SimulatedSeed[], ks: readonly number[]): SimulatedModeResult {
  const mean = <T>(values: readonly T[], pick: (v: T) => number | null) => {
    const known = values.map(pick).filter((v): v is number => v !== null);
    return known.length ? known.reduce((a, b) => a + b, 0) / known.length : null;
  };
  const turns = seeds[0]?.summary.turns ?? 0;
  return {
    seeds: Object.fromEntries(seeds.map((s) => [String(s.seed), s.summary])),
    mean: {
      successByTurn: Object.fromEntries(
        ks.map((k) => [
          String(k),
          Array.from({ length: turns }, (_, t) => mean(seeds, (s) => s.summary.successByTurn[k]![t]!) ?? 0),
        ]),
      ),
      meanTurnsToSuccess: Object.fromEntries(
        ks.map((k) => [String(k), mean(seeds, (s) => s.summary.meanTurnsToSuccess[k] ?? null)]),
      ),
    },
  };
}

/** The k whose success the comparisons test: 10 (the paper's middle cut-off) when simulated, else the first. */
export function comparedSuccessK(ks: readonly number[]): number {
  return ks.includes(10) ? 10 : ks[0]!;
}

/** The comparison metric of a simulator's success@k at the last turn, e.g. `simulated.attribute.turn5.success@10`. */
export function simulatedSuccessMetric(simulator: SimulatorName, turns: number, k: number): string {
  return `simulated.${simulator}.turn${turns}.success@${k}`;
}

/** Groups of trained models by backbone: each augmented mode is compared with that backbone's baseline. */
function byBackbone<V extends { model: string; mode: string }>(
  values: readonly V[],
): Map<string, Map<string, V>> {
  const out = new Map<string, Map<string, V>>();
  for (const value of values) {
    if (!out.has(value.model)) out.set(value.model, new Map());
    out.get(value.model)!.set(value.mode, value);
  }
  return out;
}

/**
 * Each augmented mode against its backbone's baseline on judged nDCG@k and precision@k, per judged context
 * (clustered by dialogue), seed-aware and Holm-adjusted over the modes per metric. nDCG leaves out the
 * contexts where it is undefined (the same for every system: it depends on the judgments alone).
 */
export function judgedComparisons(
  values: readonly JudgedValue[],
  ks: readonly number[],
  against = BASELINE,
): ModeComparison[] {
  const out: ModeComparison[] = [];
  for (const [model, modes] of byBackbone(values)) {
    const baseline = modes.get(against);
    const others = [...modes.keys()].filter((m) => m !== against);
    if (!baseline || others.length === 0) continue;
    for (const metric of comparedJudgedMetrics(ks)) {
      const rows = baseline.seeds[0]!.perContext[metric]!.flatMap((v, i) => (v === null ? [] : [i]));
      const valuesOf = (mode: string) =>
        modes.get(mode)!.seeds.map((s) => Float64Array.from(rows, (i) => s.perContext[metric]![i] ?? 0));
      out.push(
        ...compareModesWithBaseline(
          model,
          others,
          metric,
          rows.map((i) => baseline.dialogues[i]!),
          valuesOf,
          against,
        ),
      );
    }
  }
  return out;
}

/** Each augmented mode against its baseline on success@k by the last turn, per simulated dialogue. */
export function simulationComparisons(
  simulator: SimulatorName,
  values: readonly SimulatedValue[],
  turns: number,
  k: number,
): ModeComparison[] {
  const out: ModeComparison[] = [];
  for (const [model, modes] of byBackbone(values.filter((v) => !v.excluded))) {
    const baseline = modes.get(BASELINE);
    const others = [...modes.keys()].filter((m) => m !== BASELINE);
    if (!baseline || others.length === 0) continue;
    const valuesOf = (mode: string) =>
      modes
        .get(mode)!
        .seeds.map((s) => Float64Array.from(s.successTurns[String(k)]!, (t) => (t > 0 ? 1 : 0)));
    out.push(
      ...compareModesWithBaseline(
        model,
        others,
        simulatedSuccessMetric(simulator, turns, k),
        baseline.dialogues,
        valuesOf,
      ),
    );
  }
  return out;
}
