import { contextKey } from '../augment/context-text.js';
import { openStudentScorer } from '../augment/stages/synthesize.js';
import type { PairScorer } from '../augment/synthesize.js';
import { resolveConfig } from '../config/load.js';
import type { Config, ConfigInput } from '../config/schema.js';
import { loadDataset } from '../data/index.js';
import type { Dataset, RecContext, SplitName } from '../data/types.js';
import { selectEmbeddingProvider } from '../providers/factory.js';
import { loadModel } from '../train/checkpoint.js';
import { ContextLinker } from './context-linker.js';
import { ApiError } from './errors.js';
import { LabelIndex } from './labels.js';
import { candidatesOf, checkpointOf, type RunState, type TrainedModel } from './run-registry.js';
import { type ServingScorer, servingScorer } from './serving-scorer.js';

/** A dataset's lookups by the keys requests use. */
export interface DatasetLookup {
  dataset: Dataset;
  linker: ContextLinker;
  /** Catalog index by item name. */
  items: Map<string, number>;
  context(split: SplitName, dialogId: string, turnId: number): RecContext | undefined;
}

export interface LoadedStudent {
  scorer: PairScorer;
  description: string;
}

/**
 * Everything the server loads from disk, loaded once and kept: datasets (with their entity linker), model
 * checkpoints (by path: a run's artifacts are content-addressed, so a path names fixed weights), students
 * with their embedder, and label indexes. Concurrent first requests share one load; a failed load is
 * forgotten so the next request tries again.
 */
export class ModelCache {
  private readonly datasets = new Map<string, Promise<DatasetLookup>>();
  private readonly models = new Map<string, Promise<ServingScorer>>();
  private readonly students = new Map<string, Promise<LoadedStudent>>();
  private readonly labelIndexes = new Map<string, Promise<LabelIndex>>();
  private readonly closers: Array<() => void> = [];

  /** @param env where the API keys of a run's embedding provider come from (never from the run folder). */
  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {}

  dataset(run: RunState): Promise<DatasetLookup> {
    const { dataset, dataDir, cacheDir } = run.config;
    return once(this.datasets, JSON.stringify([dataset, dataDir, cacheDir]), async () =>
      lookupOf(await loadDataset(dataset, { dataDir, cacheDir })),
    );
  }

  /** The serving scorer of one trained model and seed. */
  recommender(run: RunState, model: TrainedModel, seed: number): Promise<ServingScorer> {
    const checkpoint = checkpointOf(model, seed);
    return once(this.models, checkpoint, async () => {
      const { dataset } = await this.dataset(run);
      return servingScorer(await loadModel(checkpoint, dataset), dataset.catalog.items.length);
    });
  }

  /** The run's distilled student on the pair features, in the run's embedding space. */
  student(run: RunState): Promise<LoadedStudent> {
    const dir = run.augmentation.studentDir;
    if (!dir) throw new ApiError(409, 'no_student', `run "${run.id}" has no distilled student`, 'run');
    return once(this.students, dir, async () => {
      const { dataset } = await this.dataset(run);
      const config = this.providerConfig(run.config);
      const { scorer, embedder } = await openStudentScorer(
        config,
        dataset,
        dir,
        { stage: 'serve', role: 'embedder' },
        { silent: true },
      );
      this.closers.push(embedder.close);
      return { scorer, description: scorer.description };
    });
  }

  /** The synthesis split's candidates with teacher judgments and (as pages are shown) student scores. */
  labels(run: RunState): Promise<LabelIndex> {
    const synthesis = run.augmentation.synthesis;
    const candidates = synthesis && candidatesOf(run.augmentation, synthesis.split);
    if (!synthesis || !candidates) {
      throw new ApiError(409, 'no_synthesis', `run "${run.id}" has no synthetic labels yet`, 'id');
    }
    return once(this.labelIndexes, `${run.dir}\u0000${synthesis.key}`, async () => {
      const [{ dataset }, student] = await Promise.all([this.dataset(run), this.student(run)]);
      return LabelIndex.build({
        dataset,
        split: synthesis.split,
        candidatesFile: candidates,
        syntheticFile: synthesis.file,
        topK: synthesis.topK,
        threshold: synthesis.threshold,
        scorer: student.scorer,
        teacherFiles: run.augmentation.teacherFiles,
      });
    });
  }

  stats(): { datasets: number; models: number; students: number; labelIndexes: number } {
    return {
      datasets: this.datasets.size,
      models: this.models.size,
      students: this.students.size,
      labelIndexes: this.labelIndexes.size,
    };
  }

  async close(): Promise<void> {
    for (const model of this.models.values()) (await model.catch(() => undefined))?.free();
    this.models.clear();
    for (const close of this.closers.splice(0)) close();
  }

  /**
   * The run's config with the provider secrets of this process's environment: a run folder never holds
   * API keys. The embedding provider stays the run's, so the student's features mean what they meant in training.
   */
  private providerConfig(config: Config): Config {
    const embedding = {
      ...config.providers.embedding,
      provider: selectEmbeddingProvider(config.providers.embedding),
    };
    return resolveConfig({
      env: this.env,
      flags: { ...config, providers: { ...config.providers, embedding } } as ConfigInput,
    });
  }
}

/** The value of `key` in `map`, loading it on first use; a rejected load is removed so it can be retried. */
function once<T>(map: Map<string, Promise<T>>, key: string, load: () => Promise<T>): Promise<T> {
  let value = map.get(key);
  if (!value) {
    value = load();
    map.set(key, value);
    value.catch(() => map.delete(key));
  }
  return value;
}

function lookupOf(dataset: Dataset): DatasetLookup {
  const contexts = new Map<string, RecContext>();
  for (const split of Object.values(dataset.splits)) {
    for (const c of split.contexts) contexts.set(`${split.name}\u0000${contextKey(c.dialogId, c.turnId)}`, c);
  }
  return {
    dataset,
    linker: ContextLinker.create(dataset),
    items: new Map(dataset.catalog.items.map((item, i) => [item.name, i])),
    context: (split, dialogId, turnId) => contexts.get(`${split}\u0000${contextKey(dialogId, turnId)}`),
  };
}
