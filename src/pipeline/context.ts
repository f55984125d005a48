import type { Config } from '../config/schema.js';
import type { Dataset } from '../data/types.js';
import type { ArtifactStore } from './artifact-store.js';

/** What every stage of `crsaug run` reads: the resolved config, the loaded dataset and the artifact store. */
export interface PipelineContext {
  config: Config;
  dataset: Dataset;
  store: ArtifactStore;
  log: (line: string) => void;
}
