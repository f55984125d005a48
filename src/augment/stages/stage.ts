import { join, resolve } from 'node:path';
import type { RetrieveConfig } from '../../config/augment.js';
import { cacheDirOf } from '../../config/paths.js';
import type { Config } from '../../config/schema.js';
import type { Dataset } from '../../data/types.js';
import {
  CACHE_FILE_NAME,
  createChatModel,
  createEmbeddingModel,
  type ProvidedModel,
  type ProviderRuntime,
  selectEmbeddingProvider,
} from '../../providers/factory.js';
import { ProviderCacheStore } from '../../providers/middleware/cache-store.js';
import type { UsageRow } from '../../providers/middleware/usage.js';
import { type ProviderUse, providerUse } from '../../providers/provider-use.js';
import type { AnyModel, ChatModel, EmbeddingModel } from '../../providers/types.js';
import { renderContextText } from '../context-text.js';
import { itemTexts, titleMatcherOf } from '../retrieve.js';

/**
 * A stage recipe is one step of the method as a library call, `(config, options) => summary`: it takes the
 * resolved config plus the options of this call (files, splits, shard, an already loaded dataset), opens
 * and closes the providers it needs, and returns a JSON summary that names the providers it used and what
 * their calls cost. `crsaug augment <stage>` maps flags → config → recipe → print; `crsaug run` calls the
 * same recipe inside an artifact keyed by the settings the recipe reads.
 */
export interface StageOptions {
  /** Lines for the reader (which model is used, …); progress bars go to stderr unless `silent`. */
  log?: (line: string) => void;
  silent?: boolean;
}

/** The provider calls a stage made: the model it names in its outputs and the calls' usage. */
export interface StageProvider {
  provider: ProviderUse;
  usage: UsageRow[];
}

/** The folder `crsaug augment` reads and writes: config.out, else runs/<dataset>/augment. */
export function augmentOutDir(config: Pick<Config, 'out' | 'dataset'>): string {
  return resolve(config.out ?? join('runs', config.dataset, 'augment'));
}

/** Where a stage's provider calls are cached and booked. */
function providerRuntime(config: Config, stage: string): ProviderRuntime {
  return { cacheDir: cacheDirOf(config), stage };
}

/** The provider cache every stage reads (batch results are put where the online clients look them up). */
export function openProviderCache(config: Config): ProviderCacheStore {
  return new ProviderCacheStore(join(cacheDirOf(config), CACHE_FILE_NAME));
}

/** What a stage opens a provider for: the stage its calls are booked under, and the role it plays. */
export interface ProviderRole {
  stage: string;
  role: string;
}

/** An opened provider as a stage uses it; `report()` names it and its usage so far for the summary. */
export interface StageModel<M extends AnyModel> extends ProvidedModel<M> {
  report(): StageProvider;
}

function asStageModel<M extends AnyModel>(
  opened: ProvidedModel<M>,
  role: string,
  options: StageOptions,
): StageModel<M> {
  options.log?.(`${role}: ${opened.model.describe()}`);
  return {
    ...opened,
    report: () => ({ provider: providerUse(role, opened.model), usage: opened.usage.summary() }),
  };
}

/** Runs `use` with an opened model and closes it afterwards, whatever happens. */
export async function using<M extends AnyModel, T>(
  model: StageModel<M>,
  use: (model: StageModel<M>) => Promise<T>,
): Promise<T> {
  try {
    return await use(model);
  } finally {
    model.close();
  }
}

/** The configured chat model, its calls booked under `stage`. */
export async function openChatModel(
  config: Config,
  { stage, role }: ProviderRole,
  options: StageOptions,
): Promise<StageModel<ChatModel>> {
  return asStageModel(await createChatModel(config.providers, providerRuntime(config, stage)), role, options);
}

/** Whether the builtin embedder is selected (it is fitted on the dataset's items and train contexts). */
export function usesBuiltinEmbedder(config: Config): boolean {
  return selectEmbeddingProvider(config.providers.embedding) === 'builtin';
}

/**
 * The retrieval embedder of a dataset, as every stage opens it: the configured provider, or the builtin
 * embedder fitted on `augment.retrieve.fitCorpus` (whatever splits or shard the call does), so retrieval
 * and the student's features share one space.
 */
export async function openDatasetEmbedder(
  config: Config,
  dataset: Dataset,
  { stage, role }: ProviderRole,
  options: StageOptions,
): Promise<StageModel<EmbeddingModel>> {
  const cfg = config.augment.retrieve;
  const fitTexts = usesBuiltinEmbedder(config) ? builtinFitCorpus(dataset, cfg) : undefined;
  const runtime = { ...providerRuntime(config, stage), seed: config.seed, fitTexts, silent: options.silent };
  return asStageModel(await createEmbeddingModel(config.providers, runtime), role, options);
}

/** The texts the builtin embedder is fitted on (see RetrieveConfig.fitCorpus). */
export function builtinFitCorpus(dataset: Dataset, cfg: RetrieveConfig): string[] {
  const items = itemTexts(dataset.catalog, cfg);
  if (cfg.fitCorpus === 'items') return items;
  const contexts = (dataset.splits.train?.contexts ?? []).map((c) => renderContextText(c, cfg));
  if (cfg.fitCorpus === 'items+contexts') return [...items, ...contexts];
  const titles = titleMatcherOf(dataset.catalog);
  return [...items, ...contexts.map((text) => titles.mask(text))];
}
