import { join, resolve } from 'node:path';
import { deepMerge } from '../config/load.js';
import type { Config, ConfigInput } from '../config/schema.js';
import { loadDataset, splitStats } from '../data/index.js';
import { SPLIT_NAMES, type SplitName } from '../data/types.js';
import { ArtifactStore } from '../pipeline/artifact-store.js';
import type { PipelineContext } from '../pipeline/context.js';
import { type AugmentArtifacts, augmentStages, type Backbone, datasetKeyOf } from '../pipeline/modes.js';

export {
  type AugmentArtifacts,
  type Backbone,
  type SyntheticFile,
  syntheticOf,
  trainBaseline,
  trainMixed,
  trainStage1,
  trainStage2,
} from '../pipeline/modes.js';

/** What every experiment runs on: the pipeline context (shared artifact store) plus its own sweep settings. */
export interface ExperimentEnv {
  ctx: PipelineContext;
  /** The input key of the retrieve stage, exactly as `crsaug run` forms it (so a run's artifacts are reused). */
  datasetKey: string;
  stats: Partial<Record<SplitName, ReturnType<typeof splitStats>>>;
  backbones: Backbone[];
  /** Sweep points given on the command line; each experiment has its own defaults. */
  values?: number[];
  /** Tables add test columns after the valid ones, for the record (`--show-test`); settings are chosen on valid. */
  showTest?: boolean;
}

/**
 * Loads the dataset and opens the artifact store under `<storeDir>/artifacts`: the experiment's own out
 * folder, or a `crsaug run` folder whose retrieval, teacher, distillation and trained models are then reused.
 */
export async function openExperimentEnv(
  config: Config,
  storeDir: string,
  log: (line: string) => void,
  values?: number[],
): Promise<ExperimentEnv> {
  const dataset = await loadDataset(config.dataset, { dataDir: config.dataDir, cacheDir: config.cacheDir });
  const stats: ExperimentEnv['stats'] = {};
  for (const split of SPLIT_NAMES) if (dataset.splits[split]) stats[split] = splitStats(dataset, split);
  return {
    ctx: { config, dataset, store: new ArtifactStore(join(resolve(storeDir), 'artifacts')), log },
    datasetKey: datasetKeyOf(dataset, stats),
    stats,
    backbones: config.run.backbones,
    values,
  };
}

/** The context with some settings changed (e.g. the synthesis threshold); the store is shared. */
export function withSettings(ctx: PipelineContext, patch: ConfigInput): PipelineContext {
  return { ...ctx, config: deepMerge(ctx.config, patch) };
}

/** retrieve → teacher → distill → synthesize for an experiment (optionally with changed settings). */
export function augment(env: ExperimentEnv, ctx: PipelineContext = env.ctx): Promise<AugmentArtifacts> {
  return augmentStages(ctx, env.datasetKey);
}
