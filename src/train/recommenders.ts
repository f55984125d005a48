import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig } from '../config/load.js';
import type { Dataset } from '../data/types.js';
import { splitOf } from '../eval/index.js';
import { registerRecommender } from '../models/registry.js';
import { asRecommender } from '../models/trainable.js';
import type { Recommender } from '../models/types.js';
import { backboneDescription } from './backbones.js';
import { loadModel } from './checkpoint.js';
import { realSamples } from './samples.js';
import { BEST_CHECKPOINT, trainSeed } from './trainer.js';

/**
 * Trains a backbone with the configured train settings (crsaug.config.json / defaults; baseline mode) on the
 * dataset's real train pairs and returns the valid-selected model as a Recommender, so evaluation commands
 * can use trained models by name. Checkpoints go to a temporary folder that is removed afterwards; use `crsaug train` to keep them.
 */
async function trainDefault(backbone: 'kbrd' | 'text', dataset: Dataset, seed: number): Promise<Recommender> {
  const config = resolveConfig({ flags: { seed, train: { model: backbone } } });
  const outDir = mkdtempSync(join(tmpdir(), `crsaug-${backbone}-`));
  try {
    await trainSeed({
      dataset,
      train: config.train,
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

/** Adds the trainable backbones that need nothing but the dataset to the recommender registry. */
export function registerTrainedRecommenders(): void {
  for (const backbone of ['kbrd', 'text'] as const) {
    registerRecommender({
      name: backbone,
      description: `${backboneDescription(backbone)}; trained with the configured train settings`,
      seeded: true,
      needsTrainingData: true,
      create: (dataset, { seed }) => trainDefault(backbone, dataset, seed),
    });
  }
}
