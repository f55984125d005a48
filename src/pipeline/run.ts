import { basename, join, relative, resolve } from 'node:path';
import { saveResolvedConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import {
  type SyntheticFolder,
  type SyntheticSummary,
  writeSyntheticFolder,
} from '../data/export/synthetic-folder.js';
import { findDataset } from '../data/registry.js';
import type { SplitName } from '../data/types.js';
import { evaluateSeeds, type Metrics, pairDialogues, splitOf } from '../eval/index.js';
import { PAPER_METRICS } from '../eval/metric-table.js';
import { floorModels, getRecommenderSpec } from '../models/registry.js';
import { writeJsonFile } from '../util/json.js';
import type { Artifact } from './artifact-store.js';
import type { DistillValue, RetrieveValue, SynthesizeValue, TeacherValue } from './augment-stages.js';
import type { RunJudged, RunSimulation } from './beyond-labels.js';
import {
  type BeyondLabelsOutcome,
  beyondLabelStages,
  plannedBeyondStages,
  runBeyondOptions,
} from './beyond-stages.js';
import { openPipeline, type PipelineContext, type PipelineSetup } from './context.js';
import {
  type AugmentArtifacts,
  augmentStages,
  modePrerequisites,
  type ThresholdChoice,
  trainRunModes,
} from './modes.js';
import { compareWithBaseline, type ModeComparison, seedRunsOf } from './significance.js';
import { type PlannedStage, StageProgress } from './stage-progress.js';
import { type RunCheckpoints, runGroups } from './systems.js';
import { bestCheckpointOf, runSeeds, type TrainValue } from './train-stages.js';

/** Every model's test metrics, keyed by model, mode and seed (results.json). */
export interface RunResults {
  dataset: string;
  split: 'test';
  /** results[model][mode][seed] = metrics. */
  results: Record<string, Record<string, Record<string, Metrics>>>;
  /** Each augmented mode against the same backbone's baseline: difference, 95 % interval, p (seeds and dialogues). */
  comparisons: ModeComparison[];
  retrieval: RetrievalResults;
  /** With augment.synthesize.threshold 'auto': the thresholds tried and their stage 2's mean valid metric. */
  thresholdChoice?: ThresholdChoice;
  /** How each model was selected: training[model][mode][seed] = selected and trained epochs, and the budget. */
  training: Record<string, Record<string, Record<string, EpochSelection>>>;
  /** Where each trained model and mode is: its train artifact and each seed's selected checkpoint. */
  checkpoints: RunCheckpoints;
  /** Judged metrics per model, mode and seed (when judgments of the test split were found). */
  judged?: RunJudged;
  /** Success@k by turn per model and mode under each user simulator that ran. */
  simulation: RunSimulation[];
}

export interface EpochSelection {
  bestEpoch: number;
  epochs: number;
  maxEpochs: number;
}

/** How often the retriever's candidates hold the gold item, per split: equal shares mean no label leak. */
export interface RetrievalResults {
  model: string;
  topK: number;
  /** Share of the split's (context, gold) pairs whose gold item is among the context's top-K candidates. */
  goldInTopK: Partial<Record<SplitName, number>>;
}

function retrievalResults(retrieved: Artifact<RetrieveValue>, topK: number): RetrievalResults {
  const { value } = retrieved;
  return {
    model: value.model,
    topK,
    goldInTopK: Object.fromEntries(value.splits.map((s) => [s.split, s.goldRecall])),
  };
}

export interface PipelineOutcome {
  outDir: string;
  stats: PipelineSetup['stats'];
  retrieved: Artifact<RetrieveValue>;
  teacher: Artifact<TeacherValue>;
  distilled: Artifact<DistillValue>;
  synthesized: Artifact<SynthesizeValue>;
  /** The synthetic labels under their stable name in the run folder (`synthetic/`). */
  syntheticFolder: SyntheticFolder;
  /** Trained runs by backbone, then by mode label. */
  trained: Record<string, Record<string, Artifact<TrainValue>>>;
  /** Deterministic baselines evaluated on test (popularity). */
  floors: Record<string, { seed: number; metrics: Metrics }[]>;
  /** The judge, judged metrics and simulations (src/pipeline/beyond-stages.ts). */
  beyond: BeyondLabelsOutcome;
  results: RunResults;
  wallSeconds: number;
}

/** What made the synthetic labels, for the run folder's `synthetic/summary.json` and the dataset card. */
function syntheticSummaryOf(
  config: Config,
  dataset: { name: string; dir: string },
  { retrieved, teacher, distilled, synthesized }: AugmentArtifacts,
): SyntheticSummary {
  const s = synthesized.value;
  return {
    dataset: dataset.name,
    split: config.augment.synthesize.split,
    file: basename(s.file),
    threshold: s.threshold,
    topK: config.augment.synthesize.topK,
    scorer: `${s.scorer} (${distilled.value.description})`,
    providers: [retrieved.value.provider, teacher.value.provider],
    contexts: s.contexts,
    contextsWithLabels: s.contexts - s.contextsWithoutLabels,
    labels: s.labels,
    source: findDataset(dataset.name)?.source ?? `a custom dataset (${dataset.dir}): see its own terms`,
    createdAt: new Date().toISOString(),
  };
}

/** The stages a run computes or reuses, in order, with the work each stands for (for its progress lines). */
export function runPlan(config: Config, outDir: string): PlannedStage[] {
  const augment = ['retrieve', 'teacher', 'distill', 'synthesize'].map((stage) => ({
    stage,
    kind: 'augment' as const,
    units: 1,
  }));
  const train = config.run.backbones.flatMap((backbone) => {
    const modes: string[] = [];
    const add = (mode: string) => {
      if (modes.includes(mode)) return;
      for (const before of modePrerequisites(mode, config)) add(before);
      modes.push(mode);
    };
    for (const mode of config.run.modes) add(mode);
    return modes.map(
      (mode): PlannedStage =>
        mode === 'rerank'
          ? { stage: `rerank-${backbone}-rerank`, kind: 'evaluate', units: 1 }
          : {
              stage: `train-${backbone}-${mode}`,
              kind: 'train',
              units:
                config.train.seeds *
                (mode.startsWith('stage1') ? config.run.stage1Epochs : config.train.epochs),
            },
    );
  });
  // The judged and simulated evaluations re-run the checkpoints: the floor models and every reported mode but rerank.
  const groups = [
    ...floorModels().map((model) => ({ model, mode: 'baseline' })),
    ...config.run.backbones.flatMap((model) =>
      config.run.modes.filter((mode) => mode !== 'rerank').map((mode) => ({ model, mode })),
    ),
  ];
  const evaluate = plannedBeyondStages(config, outDir, groups).map(
    (stage): PlannedStage => ({ stage, kind: 'evaluate', units: 1 }),
  );
  return [...augment, ...train, ...evaluate];
}

/**
 * prepare → retrieve → teacher → distill → synthesize → the modes of run.modes (baseline, stage 1, stage 2,
 * the variants) → evaluate → judge (with a chat model) → judged metrics (with judgments) → user simulators. Each stage is an artifact keyed by its inputs and settings under <out>/artifacts, so a rerun
 * skips what is done and a killed run continues where it stopped.
 */
export async function runPipeline(
  config: Config,
  outDir: string,
  log: (line: string) => void,
  options: { verbose?: boolean } = {},
): Promise<PipelineOutcome> {
  const start = performance.now();
  const out = resolve(outDir);
  await saveResolvedConfig(out, config);
  const { ctx, stats, datasetKey } = await openPipeline(config, out, log, {
    verbose: options.verbose,
    observer: new StageProgress(runPlan(config, out), log),
  });
  try {
    return await runStages(ctx, stats, datasetKey, out, start);
  } finally {
    await ctx.seeds?.close();
  }
}

async function runStages(
  ctx: PipelineContext,
  stats: PipelineSetup['stats'],
  datasetKey: string,
  out: string,
  start: number,
): Promise<PipelineOutcome> {
  const { config, dataset } = ctx;
  const augmented = await augmentStages(ctx, datasetKey);
  const { retrieved, teacher, distilled, synthesized } = augmented;
  const syntheticFolder = await writeSyntheticFolder(
    out,
    synthesized.value.file,
    syntheticSummaryOf(config, dataset, augmented),
  );

  const trained: PipelineOutcome['trained'] = {};
  for (const backbone of config.run.backbones) {
    trained[backbone] = (await trainRunModes(ctx, backbone, augmented, config.run.modes)) as Record<
      string,
      Artifact<TrainValue>
    >;
  }

  const floors: PipelineOutcome['floors'] = {};
  const test = splitOf(dataset, 'test').contexts;
  const evalOptions = { ks: config.eval.ks, topK: config.eval.topK, silent: true };
  for (const name of floorModels()) {
    const { runs } = await evaluateSeeds(
      getRecommenderSpec(name),
      dataset,
      test,
      runSeeds(config),
      evalOptions,
    );
    floors[name] = runs.map((r) => ({ seed: r.seed, metrics: r.result.metrics }));
  }

  const checkpoints = checkpointsOf(trained, out);
  const floorGroups = Object.entries(floors).map(([name, runs]) => ({ name, seed: runs[0]!.seed }));
  const beyond = await beyondLabelStages(
    ctx,
    runGroups(out, checkpoints, floorGroups),
    datasetKey,
    runBeyondOptions(config, out),
  );
  const collected = collectResults(
    config,
    dataset.name,
    trained,
    floors,
    pairDialogues(test, dataset.catalog),
  );
  const results: RunResults = {
    ...collected,
    comparisons: [...collected.comparisons, ...beyond.comparisons],
    retrieval: retrievalResults(retrieved, config.augment.retrieve.topK),
    checkpoints,
    ...(beyond.judged ? { judged: beyond.judged.run } : {}),
    simulation: beyond.simulations.map((s) => s.run),
    ...(augmented.thresholdChoice ? { thresholdChoice: augmented.thresholdChoice } : {}),
  };
  await writeJsonFile(join(out, 'results.json'), results);
  return {
    outDir: out,
    stats,
    retrieved,
    teacher,
    distilled,
    synthesized,
    syntheticFolder,
    trained,
    floors,
    beyond,
    results,
    wallSeconds: (performance.now() - start) / 1000,
  };
}

/** Each trained model and mode's artifact and its seeds' selected checkpoints, relative to the run folder. */
function checkpointsOf(trained: PipelineOutcome['trained'], outDir: string): RunCheckpoints {
  const checkpoints: RunCheckpoints = {};
  for (const [backbone, modes] of Object.entries(trained)) {
    checkpoints[backbone] = {};
    for (const [mode, artifact] of Object.entries(modes)) {
      // rerank has no checkpoint of its own (its base model's lists re-ordered at inference), so neither the
      // judged nor the simulated evaluation, which re-run checkpoints, covers it.
      if ('rerank' in artifact.value) continue;
      checkpoints[backbone][mode] = {
        artifact: artifact.key,
        seeds: Object.fromEntries(
          artifact.value.runs.map((r) => [
            String(r.seed),
            relative(outDir, bestCheckpointOf(artifact, r.seed)),
          ]),
        ),
      };
    }
  }
  return checkpoints;
}

/** `dialogues`: the dialogue of each test pair, in the order of the runs' pair ranks (the clusters). */
function collectResults(
  config: Config,
  dataset: string,
  trained: PipelineOutcome['trained'],
  floors: PipelineOutcome['floors'],
  dialogues: readonly string[],
): Omit<RunResults, 'retrieval' | 'thresholdChoice' | 'checkpoints' | 'judged' | 'simulation'> {
  const results: RunResults['results'] = {};
  const comparisons: ModeComparison[] = [];
  const training: RunResults['training'] = {};
  for (const [name, runs] of Object.entries(floors)) {
    results[name] = { baseline: Object.fromEntries(runs.map((r) => [String(r.seed), r.metrics])) };
  }
  for (const [backbone, modes] of Object.entries(trained)) {
    results[backbone] = {};
    training[backbone] = {};
    for (const [mode, artifact] of Object.entries(modes)) {
      results[backbone][mode] = Object.fromEntries(artifact.value.runs.map((r) => [String(r.seed), r.test]));
      const maxEpochs = mode === 'stage1' ? config.run.stage1Epochs : config.train.epochs;
      training[backbone][mode] = Object.fromEntries(
        artifact.value.runs.map((r) => [
          String(r.seed),
          { bestEpoch: r.bestEpoch, epochs: r.epochs, maxEpochs },
        ]),
      );
    }
    comparisons.push(...compareWithBaseline(backbone, seedRunsOf(modes), PAPER_METRICS, dialogues));
  }
  return { dataset, split: 'test', results, comparisons, training };
}
