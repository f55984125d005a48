import type { Config } from '../config/schema.js';
import { openPipeline, type PipelineContext, type PipelineSetup } from '../pipeline/context.js';
import { type AugmentArtifacts, augmentStages, type Backbone } from '../pipeline/modes.js';

export {
  type AugmentArtifacts,
  type Backbone,
  type SyntheticFile,
  syntheticOf,
  trainBaseline,
  trainMixed,
  trainStage1,
  trainStage2,
  trainTwoStage,
  withSettings,
} from '../pipeline/modes.js';

/**
 * What every experiment runs on: the pipeline set-up `crsaug run` has (shared artifact store, the same
 * retrieve input key, so a run's artifacts are reused) plus its own sweep settings.
 */
export interface ExperimentEnv extends PipelineSetup {
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
  verbose?: boolean,
): Promise<ExperimentEnv> {
  return {
    ...(await openPipeline(config, storeDir, log, { verbose })),
    backbones: config.run.backbones,
    values,
  };
}

/** retrieve → teacher → distill → synthesize for an experiment (optionally with changed settings). */
export function augment(env: ExperimentEnv, ctx: PipelineContext = env.ctx): Promise<AugmentArtifacts> {
  return augmentStages(ctx, env.datasetKey);
}
