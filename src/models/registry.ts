import type { Dataset } from '../data/types.js';
import { CrsaugError } from '../util/errors.js';
import { createPopularity } from './popularity.js';
import { createRandom } from './random.js';
import { createRepeat } from './repeat.js';
import type { Recommender } from './types.js';

/**
 * Recommenders by name (RecBole's `get_model`): each entry is a factory, so adding a model is one
 * `registerRecommender` call (or one line in BUILTIN below) and every command can use it by name.
 */
export interface RecommenderSpec {
  name: string;
  /** One line for `--help` and listings. */
  description: string;
  /** Whether results depend on the seed (multi-seed runs repeat only seeded models). */
  seeded: boolean;
  /** Whether `create` reads the dataset's train (or valid) split, so commands must load it. */
  needsTrainingData: boolean;
  /** Builds the recommender; may load or train asynchronously. */
  create(dataset: Dataset, options: { seed: number }): Recommender | Promise<Recommender>;
}

const BUILTIN: RecommenderSpec[] = [
  {
    name: 'popularity',
    description: 'train label frequency (valid labels when the dataset has no train split)',
    seeded: false,
    needsTrainingData: true,
    create: createPopularity,
  },
  {
    name: 'repeat',
    description: "the context's own items, most recent first (scores 0 under the filtered protocol)",
    seeded: false,
    needsTrainingData: false,
    create: createRepeat,
  },
  {
    name: 'random',
    description: 'uniform random scores per context (seeded)',
    seeded: true,
    needsTrainingData: false,
    create: createRandom,
  },
];

const registry = new Map<string, RecommenderSpec>(BUILTIN.map((spec) => [spec.name, spec]));

export function registerRecommender(spec: RecommenderSpec): void {
  if (registry.has(spec.name)) throw new CrsaugError(`recommender "${spec.name}" is already registered`);
  registry.set(spec.name, spec);
}

export function getRecommenderSpec(name: string): RecommenderSpec {
  const spec = registry.get(name);
  if (!spec) {
    throw new CrsaugError(`unknown recommender "${name}"`, {
      hint: `known: ${recommenderNames().join(', ')}`,
    });
  }
  return spec;
}

export function recommenderNames(): string[] {
  return [...registry.keys()];
}

export function listRecommenders(): RecommenderSpec[] {
  return [...registry.values()];
}

/** Builds the recommender registered as `name` for `dataset`. */
export async function createRecommender(
  name: string,
  dataset: Dataset,
  options: { seed: number },
): Promise<Recommender> {
  return getRecommenderSpec(name).create(dataset, options);
}
