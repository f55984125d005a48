import { existsSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { Dataset } from '../data/types.js';
import {
  type AdamW,
  loadCheckpointWeights,
  readCheckpointConfig,
  readSafetensors,
  saveCheckpoint,
  writeSafetensors,
} from '../engine/index.js';
import { buildBackbone } from '../models/registry.js';
import type { TrainableModel } from '../models/trainable.js';
import { CrsaugError } from '../util/errors.js';
import { readJsonFile, writeJsonFile } from '../util/json.js';

export const OPTIMIZER_FILE = 'optimizer.safetensors';
export const TRAINER_STATE_FILE = 'trainer-state.json';

/** config.json of a model checkpoint: enough to rebuild the architecture. */
const ModelCheckpointConfigSchema = z.object({
  backbone: z.string(),
  settings: z.record(z.string(), z.unknown()),
  dataset: z.string(),
});

/**
 * Where a run stands after a finished epoch. The data order of epoch e comes from Rng(seed, e) (see
 * epochRng), so this plus the weights and optimizer moments is the whole state: nothing random is
 * carried across epochs.
 */
export const TrainerStateSchema = z.object({
  /** Epochs finished (the next epoch to run is this number). */
  epoch: z.number().int().nonnegative(),
  /** Optimizer steps taken. */
  step: z.number().int().nonnegative(),
  seed: z.number().int(),
  /** Best valid selection metric so far and its epoch (1-based; 0 = none yet). */
  best: z.number(),
  bestEpoch: z.number().int().nonnegative(),
  /** Per finished epoch: mean train loss and the valid metrics. */
  history: z.array(
    z.object({ epoch: z.number(), loss: z.number(), valid: z.record(z.string(), z.number()) }),
  ),
});
export type TrainerState = z.output<typeof TrainerStateSchema>;

/** Saves a model checkpoint (weights + the config that rebuilds it). */
export async function saveModel(dir: string, model: TrainableModel, dataset: Dataset): Promise<void> {
  await saveCheckpoint(dir, model.module, {
    backbone: model.backbone,
    settings: model.config,
    dataset: dataset.name,
  });
}

/** Rebuilds a model from a checkpoint folder and loads its weights. */
export async function loadModel(dir: string, dataset: Dataset): Promise<TrainableModel> {
  const parsed = ModelCheckpointConfigSchema.safeParse(readCheckpointConfig(dir));
  if (!parsed.success)
    throw new CrsaugError(`${join(dir, 'config.json')} is not a crsaug model checkpoint config`);
  const model = await buildBackbone(parsed.data.backbone, dataset, parsed.data.settings, 0);
  await loadCheckpointWeights(dir, model.module);
  return model;
}

/**
 * A resumable checkpoint: the model, the optimizer moments and step, and the trainer state. It is written
 * to a temporary folder and renamed into place, so a run killed while saving keeps its previous one.
 */
export async function saveTrainingCheckpoint(
  dir: string,
  model: TrainableModel,
  dataset: Dataset,
  optimizer: AdamW,
  state: TrainerState,
): Promise<void> {
  const tmp = `${dir}.tmp`;
  await rm(tmp, { recursive: true, force: true });
  await saveModel(tmp, model, dataset);
  await writeSafetensors(join(tmp, OPTIMIZER_FILE), optimizer.state());
  await writeJsonFile(join(tmp, TRAINER_STATE_FILE), state);
  await rm(dir, { recursive: true, force: true });
  await rename(tmp, dir);
}

/** The trainer state of a resumable checkpoint, or null when the folder holds none. */
export function readTrainerState(dir: string): TrainerState | null {
  const file = join(dir, TRAINER_STATE_FILE);
  return existsSync(file) ? readJsonFile(file, TrainerStateSchema) : null;
}

/** Loads weights and optimizer state of a resumable checkpoint into an already built model and optimizer. */
export async function restoreTrainingCheckpoint(
  dir: string,
  model: TrainableModel,
  optimizer: AdamW,
): Promise<void> {
  await loadCheckpointWeights(dir, model.module);
  const file = join(dir, OPTIMIZER_FILE);
  const { tensors } = await readSafetensors(file);
  optimizer.loadState(tensors, file);
}
