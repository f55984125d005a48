import type { Config } from '../../config/schema.js';
import { loadConfiguredDataset } from '../../data/load.js';
import type { Dataset, SplitName } from '../../data/types.js';
import { type RetrieveSummary, retrieve } from '../retrieve.js';
import type { Shard } from '../shard.js';
import {
  openDatasetEmbedder,
  type StageOptions,
  type StageProvider,
  usesBuiltinEmbedder,
  using,
} from './stage.js';

export interface RetrieveStageOptions extends StageOptions {
  splits: SplitName[];
  /** Receives `<split>.candidates.jsonl`, `<split>.contexts.{f32,json}` and `items.{f32,json}`. */
  outDir: string;
  /** Only this shard of each split's contexts. */
  shard?: Shard;
  /** The dataset when already loaded (default: the configured one, with the splits this call needs). */
  dataset?: Dataset;
}

export interface RetrieveStageSummary extends RetrieveSummary, StageProvider {
  dataset: string;
  outDir: string;
}

/** Candidates (exact top-K by inner product, context items excluded) and context embeddings per split. */
export async function retrieveStage(
  config: Config,
  options: RetrieveStageOptions,
): Promise<RetrieveStageSummary> {
  // The builtin embedder is fitted on items + train contexts, whatever splits or shard this call does.
  const splits = usesBuiltinEmbedder(config)
    ? [...new Set<SplitName>([...options.splits, 'train'])]
    : options.splits;
  const dataset = options.dataset ?? (await loadConfiguredDataset(config, splits));
  const embedder = await openDatasetEmbedder(
    config,
    dataset,
    { stage: 'retrieve', role: 'embedder' },
    options,
  );
  return using(embedder, async () => {
    const summary = await retrieve({
      dataset,
      splits: options.splits,
      model: embedder.model,
      config: config.augment.retrieve,
      outDir: options.outDir,
      shard: options.shard,
      silent: options.silent,
    });
    return { ...summary, dataset: dataset.name, outDir: options.outDir, ...embedder.report() };
  });
}
