import type { Dataset } from '../data/types.js';
import { backboneSpec } from '../models/registry.js';
import { ApiError } from './errors.js';
import type { JudgmentStore } from './judgments.js';
import type { ModelCache } from './model-cache.js';
import type { RunRegistry, RunState, TrainedModel } from './run-registry.js';
import type { ItemDetails } from './schemas.js';
import type { OnlineTeacher } from './teacher.js';

/** What the route handlers share: the runs, what is loaded from them, the judgments file and the teacher. */
export interface ServeServices {
  registry: RunRegistry;
  cache: ModelCache;
  judgments: JudgmentStore;
  teacher?: OnlineTeacher;
  log: (line: string) => void;
}

/** A request may name the dataset it expects; it must be the run's. */
export function checkDataset(run: RunState, dataset: string | undefined): void {
  if (dataset !== undefined && dataset !== run.dataset) {
    throw new ApiError(
      400,
      'dataset_mismatch',
      `run "${run.id}" is on ${run.dataset}, not ${dataset}`,
      'dataset',
    );
  }
}

/**
 * Whether a backbone can rank a dialogue typed here: one that needs more than the dataset (embed-head reads
 * embeddings precomputed for the dataset's own contexts by `augment retrieve`) cannot.
 */
export function isServable(backbone: string): boolean {
  return backboneSpec(backbone).standalone;
}

/** The trained model of a run for (backbone, mode, seed); 404 naming the field that does not exist. */
export function trainedModel(
  run: RunState,
  backbone: string | undefined,
  mode: string,
  seed: number | undefined,
): { model: TrainedModel; seed: number } {
  const backbones = [...new Set(run.trained.map((t) => t.backbone))];
  const chosen = backbone ?? backbones[0];
  if (!chosen || !backbones.includes(chosen)) {
    throw new ApiError(
      404,
      'unknown_model',
      `run "${run.id}" trained ${backbones.length ? backbones.join(', ') : 'no model'}${backbone ? `, not ${backbone}` : ''}`,
      'model',
    );
  }
  if (!isServable(chosen)) {
    throw new ApiError(
      409,
      'model_needs_precomputed_input',
      `${chosen} cannot rank a new dialogue: it reads inputs precomputed for the dataset's own contexts`,
      'model',
    );
  }
  const modes = run.trained.filter((t) => t.backbone === chosen);
  const model = modes.find((t) => t.mode === mode);
  if (!model) {
    throw new ApiError(
      404,
      'unknown_mode',
      `run "${run.id}" has ${chosen} in ${modes.map((t) => t.mode).join(', ')}, not ${mode}`,
      'mode',
    );
  }
  const first = model.seeds.includes(run.config.seed) ? run.config.seed : model.seeds[0]!;
  const chosenSeed = seed ?? first;
  if (!model.seeds.includes(chosenSeed)) {
    throw new ApiError(
      404,
      'unknown_seed',
      `${chosen} ${mode} of run "${run.id}" has seeds ${model.seeds.join(', ')}`,
      'seed',
    );
  }
  return { model, seed: chosenSeed };
}

export function itemDetails(dataset: Dataset, index: number): ItemDetails {
  const item = dataset.catalog.items[index]!;
  return {
    item: item.name,
    index,
    year: item.year ?? null,
    genres: item.genres,
    directors: item.directors,
    stars: item.stars,
    writers: item.writers,
    plot: item.plot,
  };
}
