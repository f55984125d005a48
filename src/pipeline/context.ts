import { join, resolve } from 'node:path';
import type { Config } from '../config/schema.js';
import { loadConfiguredDataset, splitStats } from '../data/index.js';
import { type Dataset, SPLIT_NAMES, type SplitName } from '../data/types.js';
import { useConfiguredThreads } from '../train/threads.js';
import { ArtifactStore } from './artifact-store.js';
import { type SeedRunner, seedRunnerFor } from './seed-pool.js';
import type { StageObserver } from './stage-progress.js';

/** What every stage of `crsaug run` reads: the resolved config, the loaded dataset and the artifact store. */
export interface PipelineContext {
  config: Config;
  dataset: Dataset;
  store: ArtifactStore;
  log: (line: string) => void;
  /** Each stage's own progress lines (embedding, epochs, …) and notes; otherwise one line per stage. */
  verbose?: boolean;
  /** Trains a stage's seeds (several at once in worker threads); without one, one at a time here. */
  seeds?: SeedRunner;
}

export interface PipelineOptions {
  verbose?: boolean;
  /** Hears of every stage the artifact store runs (the one-line-per-stage progress of `crsaug run`). */
  observer?: StageObserver;
}

/** The set-up `crsaug run` and `crsaug experiment` share. */
export interface PipelineSetup {
  ctx: PipelineContext;
  /** Statistics of each loaded split. */
  stats: Partial<Record<SplitName, ReturnType<typeof splitStats>>>;
  /** The input key of the retrieve stage (the dataset's name and evaluated pairs per split). */
  datasetKey: string;
}

/**
 * What every pipeline run starts from: the engine on the config's threads, the configured dataset with its
 * split statistics, and the artifact store under `<storeDir>/artifacts` (a run folder's, so experiments
 * reuse a run's artifacts).
 */
export async function openPipeline(
  config: Config,
  storeDir: string,
  log: (line: string) => void,
  options: PipelineOptions = {},
): Promise<PipelineSetup> {
  useConfiguredThreads(config);
  const dataset = await loadConfiguredDataset(config);
  const stats: PipelineSetup['stats'] = {};
  for (const split of SPLIT_NAMES) if (dataset.splits[split]) stats[split] = splitStats(dataset, split);
  return {
    ctx: {
      config,
      dataset,
      store: new ArtifactStore(join(resolve(storeDir), 'artifacts'), options.observer),
      log,
      verbose: options.verbose ?? false,
      seeds: seedRunnerFor(config, dataset),
    },
    stats,
    datasetKey: datasetKeyOf(dataset),
  };
}

/**
 * The dataset as an artifact input: its name and evaluated pairs per loaded split. Every stage that reads the
 * dataset has it among its inputs, so a run folder reused for another dataset recomputes, never reuses.
 */
export function datasetKeyOf(dataset: Dataset): string {
  const pairs = SPLIT_NAMES.filter((split) => dataset.splits[split]).map(
    (split) => splitStats(dataset, split).pairs,
  );
  return `dataset-${dataset.name}-${JSON.stringify(pairs)}`;
}
