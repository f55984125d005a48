import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { cacheDirOf, resolveDataDir } from '../config/paths.js';
import { loadCatalog } from './catalog.js';
import { CUSTOM_ITEMS_FILE, loadCustomDataset } from './custom.js';
import { loadRedialTrainSamples } from './redial-train.js';
import { type DatasetEntry, findDataset, type SplitSource, unknownDatasetError } from './registry.js';
import { readProcessedSplit, splitFromSamples } from './split.js';
import { type Dataset, SPLIT_NAMES, type Split, type SplitName } from './types.js';

export interface LoadDatasetOptions {
  /** Data root (default: resolveDataDir — CRSAUG_DATA_DIR, ../shared/data, then the user cache). */
  dataDir?: string;
  /** Cache root for derived files such as the converted ReDial train split (default: the user cache). */
  cacheDir?: string;
  /** Splits to load (default: all three; a custom dataset loads the ones it has). */
  splits?: SplitName[];
  /** Drop gold items the context already mentions (FNSCRS `--repeated_item_removed`, on in every script). */
  removeRepeated?: boolean;
}

/** Where a config says its dataset is: the name or folder, the data root and the cache root. */
export interface DatasetSettings {
  dataset: string;
  dataDir?: string;
  cacheDir?: string;
}

/** The configured dataset (only `splits` when given), with the config's data and cache roots. */
export function loadConfiguredDataset(settings: DatasetSettings, splits?: SplitName[]): Promise<Dataset> {
  return loadDataset(settings.dataset, { dataDir: settings.dataDir, cacheDir: settings.cacheDir, splits });
}

/**
 * Loads a registry dataset by name (inspired, redial, opendialkg, opendialkg-movies, opendialkg-books),
 * or a folder: a custom dataset (docs/custom-dataset.md) or a folder in the processed CFCRS layout.
 * Names in the files are resolved to entity ids once, here.
 */
export async function loadDataset(nameOrDir: string, options: LoadDatasetOptions = {}): Promise<Dataset> {
  const removeRepeated = options.removeRepeated ?? true;
  const entry = findDataset(nameOrDir);
  if (entry) {
    const dir = join(resolveDataDir(options.dataDir).dir, entry.folder);
    return loadFromEntry(entry, dir, options.splits ?? [...SPLIT_NAMES], removeRepeated, options.cacheDir);
  }
  const dir = resolve(nameOrDir);
  if (existsSync(join(dir, CUSTOM_ITEMS_FILE))) {
    return loadCustomDataset(dir, { splits: options.splits, removeRepeated });
  }
  if (existsSync(join(dir, 'entity2id.json'))) {
    const folderEntry = processedFolderEntry(dir);
    const present = SPLIT_NAMES.filter((s) => existsSync(join(dir, folderEntry.splits[s].file)));
    return loadFromEntry(folderEntry, dir, options.splits ?? present, removeRepeated, options.cacheDir);
  }
  throw unknownDatasetError(nameOrDir);
}

async function loadFromEntry(
  entry: DatasetEntry,
  dir: string,
  splitNames: readonly SplitName[],
  removeRepeated: boolean,
  cacheDir: string | undefined,
): Promise<Dataset> {
  const { catalog, kg } = loadCatalog(dir, entry.missingHint);
  const splits: Partial<Record<SplitName, Split>> = {};
  for (const name of splitNames) {
    const source: SplitSource = entry.splits[name];
    const file = join(dir, source.file);
    const options = { removeRepeated, keepDialog: entry.keepDialog, missingHint: entry.missingHint };
    if (source.kind === 'redial-raw-train' && !existsSync(file)) {
      const built = await loadRedialTrainSamples(dir, cacheDirOf({ cacheDir }));
      splits[name] = splitFromSamples(name, built.samples, catalog, built.files, options);
    } else {
      splits[name] = await readProcessedSplit(name, file, catalog, options);
    }
  }
  return { name: entry.name, description: entry.description, dir, catalog, kg, splits };
}

/** A folder in the processed layout that is not in the registry (e.g. a user's own CFCRS conversion). */
function processedFolderEntry(dir: string): DatasetEntry {
  const file = (split: SplitName) => ({ kind: 'processed' as const, file: `${split}_data_processed.jsonl` });
  return {
    name: basename(dir),
    folder: '',
    description: `processed-format dataset in ${dir}`,
    catalogFiles: [],
    splits: { train: file('train'), valid: file('valid'), test: file('test') },
    source: dir,
    caveats: [],
    missingHint: `put the processed files (see docs/datasets.md) into ${dir}`,
  };
}
