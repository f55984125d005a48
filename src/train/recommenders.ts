import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Config } from '../config/schema.js';
import type { Dataset } from '../data/types.js';
import { splitOf } from '../eval/index.js';
import {
  BACKBONE_NAMES,
  type BackboneName,
  backboneSpec,
  getRecommenderSpec,
  MODELS,
  type RecommenderSpec,
  recommenderNames,
} from '../models/registry.js';
import { asRecommender } from '../models/trainable.js';
import type { Recommender } from '../models/types.js';
import { loadModel } from './checkpoint.js';
import { realSamples } from './samples.js';
import { BEST_CHECKPOINT, trainSeed } from './trainer.js';

/** The backbones that train from the dataset alone, so evaluation commands can use them by name. */
function standalone(name: string): name is BackboneName {
  return (BACKBONE_NAMES as string[]).includes(name) && MODELS[name as BackboneName].standalone;
}

/** Every name `recommenderOf` accepts: the baselines (and registered recommenders) and standalone backbones. */
export function evaluableModelNames(): string[] {
  return recommenderNames().filter(
    (name) => !(BACKBONE_NAMES as string[]).includes(name) || standalone(name),
  );
}

/**
 * The recommender a name stands for: a baseline's factory, or a standalone backbone trained with the config's
 * train settings on the dataset's real train pairs, returned as its valid-selected model.
 */
export function recommenderOf(name: string, config: Config): RecommenderSpec {
  if (!standalone(name)) return getRecommenderSpec(name);
  return {
    name,
    description: `${backboneSpec(name).description}; trained with the configured train settings`,
    seeded: true,
    needsTrainingData: true,
    create: (dataset, { seed }) => trainDefault(name, dataset, seed, config),
  };
}

/**
 * Trains a backbone in a temporary folder (removed afterwards; `crsaug train` keeps its checkpoints) and loads
 * the model it selected on valid.
 */
async function trainDefault(
  backbone: BackboneName,
  dataset: Dataset,
  seed: number,
  config: Config,
): Promise<Recommender> {
  const outDir = mkdtempSync(join(tmpdir(), `crsaug-${backbone}-`));
  try {
    await trainSeed({
      dataset,
      train: { ...config.train, model: backbone },
      seed,
      samples: realSamples(splitOf(dataset, 'train').contexts),
      valid: splitOf(dataset, 'valid').contexts,
      evalOptions: { ks: config.eval.ks, topK: config.eval.topK },
      outDir,
      silent: true,
    });
    return asRecommender(await loadModel(join(outDir, BEST_CHECKPOINT), dataset), backbone);
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
}
