/** The dataset layer: registry, loading, evaluated pairs, statistics, converters and downloads. */

export { convertInspiredTsvFile, convertLinkedFile, convertRedialRawFile } from './convert/files.js';
export { FETCHABLE_DATASETS, type FetchableDataset, type FetchOptions, fetchDataset } from './fetch.js';
export {
  type DatasetSettings,
  type LoadDatasetOptions,
  loadConfiguredDataset,
  loadDataset,
} from './load.js';
export { evaluatedContexts, pairsOf, type RecPair } from './pairs.js';
export {
  DATASETS,
  type DatasetEntry,
  findDataset,
  getDataset,
  OPENDIALKG_FIRST_BOOK_DIALOG,
} from './registry.js';
export { type ProcessedSample, ProcessedSampleSchema } from './samples.js';
export { formatStatsTable, type SplitStats, splitStats } from './stats.js';
export type { Catalog, Dataset, ItemInfo, KnowledgeGraph, RecContext, Split, SplitName } from './types.js';
export { SPLIT_NAMES } from './types.js';
