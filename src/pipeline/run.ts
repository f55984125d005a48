import { join, resolve } from 'node:path';
import { saveResolvedConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import type { SplitName } from '../data/types.js';
import { evaluateSeeds, type Metrics, pairDialogues, splitOf } from '../eval/index.js';
import { PAPER_METRICS } from '../eval/metric-table.js';
import { floorModels, getRecommenderSpec } from '../models/registry.js';
import { writeJsonFile } from '../util/json.js';
import type { Artifact } from './artifact-store.js';
import type { DistillValue, RetrieveValue, SynthesizeValue, TeacherValue } from './augment-stages.js';
import { openPipeline, type PipelineSetup } from './context.js';
import { augmentStages, type ThresholdChoice, trainRunModes } from './modes.js';
import { compareWithBaseline, type ModeComparison, seedRunsOf } from './significance.js';
import { runSeeds, type TrainValue } from './train-stages.js';

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
  /** Trained runs by backbone, then by mode label. */
  trained: Record<string, Record<string, Artifact<TrainValue>>>;
  /** Deterministic baselines evaluated on test (popularity). */
  floors: Record<string, { seed: number; metrics: Metrics }[]>;
  results: RunResults;
  wallSeconds: number;
}

/**
 * prepare → retrieve → teacher → distill → synthesize → the modes of run.modes (baseline, stage 1, stage 2,
 * the variants) → evaluate. Each stage is an artifact keyed by its inputs and settings under <out>/artifacts, so a rerun
 * skips what is done and a killed run continues where it stopped.
 */
export async function runPipeline(
  config: Config,
  outDir: string,
  log: (line: string) => void,
): Promise<PipelineOutcome> {
  const start = performance.now();
  const out = resolve(outDir);
  await saveResolvedConfig(out, config);
  const { ctx, stats, datasetKey } = await openPipeline(config, out, log);
  const { dataset } = ctx;
  const augmented = await augmentStages(ctx, datasetKey);
  const { retrieved, teacher, distilled, synthesized } = augmented;

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

  const results = {
    ...collectResults(config, dataset.name, trained, floors, pairDialogues(test, dataset.catalog)),
    retrieval: retrievalResults(retrieved, config.augment.retrieve.topK),
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
    trained,
    floors,
    results,
    wallSeconds: (performance.now() - start) / 1000,
  };
}

/** `dialogues`: the dialogue of each test pair, in the order of the runs' pair ranks (the clusters). */
function collectResults(
  config: Config,
  dataset: string,
  trained: PipelineOutcome['trained'],
  floors: PipelineOutcome['floors'],
  dialogues: readonly string[],
): Omit<RunResults, 'retrieval' | 'thresholdChoice'> {
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
