import { CrsaugError } from '../util/errors.js';
import { CATALOG_FILES } from './catalog.js';
import type { SplitName } from './types.js';

/** How a split of a registry dataset is obtained. */
export type SplitSource =
  /** A `{split}_data_processed.jsonl` file in the dataset folder, read as is. */
  | { kind: 'processed'; file: string }
  /**
   * ReDial train: `train_data_processed.jsonl` when present (e.g. written by `crsaug data fetch redial` from the
   * full official release), else built from the raw train dialogues on this machine (partial) and cached.
   */
  | { kind: 'redial-raw-train'; file: string };

/** One registry entry (RecBole-style: the files, where they come from and what to watch out for). */
export interface DatasetEntry {
  name: string;
  /** Sub-folder of the data root holding the files. */
  folder: string;
  description: string;
  /** Files every load needs besides the split files (entity2type.json is optional and not listed). */
  catalogFiles: readonly string[];
  splits: Record<SplitName, SplitSource>;
  /** Keeps only some dialogues (domain subsets of OpenDialKG). */
  keepDialog?: (dialogId: string) => boolean;
  /** Where the files come from and their license. */
  source: string;
  caveats: readonly string[];
  /** How to get the folder when it is missing. */
  missingHint: string;
}

/** The catalog files every load needs (entity2type.json is optional). */
const CATALOG = [
  CATALOG_FILES.entityIds,
  CATALOG_FILES.itemIds,
  CATALOG_FILES.kg,
  CATALOG_FILES.relations,
  CATALOG_FILES.itemInfo,
] as const;

function processedSplits(): Record<SplitName, SplitSource> {
  return {
    train: { kind: 'processed', file: 'train_data_processed.jsonl' },
    valid: { kind: 'processed', file: 'valid_data_processed.jsonl' },
    test: { kind: 'processed', file: 'test_data_processed.jsonl' },
  };
}

const fetchHint = (name: string) =>
  `run \`crsaug data fetch ${name}\` (downloads the official release into the user cache) or pass --data-dir DIR where DIR/${name}/ holds the files`;

/** First book dialogue of iEvaLM's OpenDialKG: ids below it are movie dialogues (data README §5.6). */
export const OPENDIALKG_FIRST_BOOK_DIALOG = 3269;

const opendialkg: Omit<DatasetEntry, 'name' | 'description' | 'keepDialog'> = {
  folder: 'opendialkg',
  catalogFiles: CATALOG,
  splits: processedSplits(),
  source:
    'OpenDialKG (Moon et al., ACL 2019; CC BY-NC 4.0) as processed by iEvaLM-CRS (txy77/iEvaLM-CRS data/opendialkg*, MIT)',
  caveats: [
    'split at the sample level, not by dialogue: 558 test and 543 valid dialogues also have samples in train',
    'own KG (relations year, actor, director, genre, language, writer); no entity types',
    'non-commercial license',
  ],
  missingHint:
    'copy iEvaLM-CRS data/opendialkg/*.json and data/opendialkg_eval/*_data_processed.jsonl into DIR/opendialkg/ and pass --data-dir DIR',
};

export const DATASETS: readonly DatasetEntry[] = [
  {
    name: 'inspired',
    folder: 'inspired',
    description:
      'INSPIRED movie dialogues (CFCRS KG); valid/test exact, train generated from the UniCRS copy of the official train split (approximate entity links, synthetic dialog ids)',
    catalogFiles: CATALOG,
    splits: processedSplits(),
    source:
      'Hayati et al., EMNLP 2020 (sweetpeach/Inspired, no explicit license); KG and linked valid/test from wxl1999/CFCRS (MIT)',
    caveats: [
      'train_data_processed.jsonl is generated from UniCRS train_data_dbpedia.jsonl: rec labels and text nearly exact, genre/person entities about 92% right',
      'entity2id contains the empty name "" (id 3118, typed genre); valid and test each have one rec label "": it is counted as an evaluated pair in valid (it cannot be hit) and is a re-mention in test',
      '31-33% of rec labels are movies outside the KG; they are dropped, as in the reference loaders',
    ],
    missingHint: fetchHint('inspired'),
  },
  {
    name: 'redial',
    folder: 'redial',
    description:
      'ReDial movie dialogues (CFCRS KG); valid/test are the reference processed files; train is about a third of the official train set (3,141 of 9,006 CFCRS-train dialogues, rebuilt from raw) unless the full release was fetched',
    catalogFiles: CATALOG,
    splits: {
      train: { kind: 'redial-raw-train', file: 'train_data_processed.jsonl' },
      valid: { kind: 'processed', file: 'valid_data_processed.jsonl' },
      test: { kind: 'processed', file: 'test_data_processed.jsonl' },
    },
    source:
      'Li et al., NeurIPS 2018 (ReDialData/website, CC BY 4.0); KG from wxl1999/CFCRS (MIT); id2info and processed valid/test from txy77/iEvaLM-CRS (MIT)',
    caveats: [
      'train is rebuilt from the raw official-train dialogues found on this machine (raw/train_subset_901, train_subset_500, train_extra minus the CFCRS valid ids): about a third of the official train split',
      'the raw → linked step approximates CFCRS entity linking (genre/person names matched in text); items are exact up to CFCRS quirks',
    ],
    missingHint: fetchHint('redial'),
  },
  {
    ...opendialkg,
    name: 'opendialkg',
    description: 'OpenDialKG movie and book dialogues (iEvaLM processing, own KG)',
  },
  {
    ...opendialkg,
    name: 'opendialkg-movies',
    description: 'OpenDialKG movie-domain dialogues only (dialog_id < 3269)',
    keepDialog: (id) => Number(id) < OPENDIALKG_FIRST_BOOK_DIALOG,
  },
  {
    ...opendialkg,
    name: 'opendialkg-books',
    description: 'OpenDialKG book-domain dialogues only (dialog_id >= 3269), for cross-domain tests',
    keepDialog: (id) => Number(id) >= OPENDIALKG_FIRST_BOOK_DIALOG,
  },
];

export function findDataset(name: string): DatasetEntry | undefined {
  return DATASETS.find((d) => d.name === name);
}

export function getDataset(name: string): DatasetEntry {
  const entry = findDataset(name);
  if (!entry) throw unknownDatasetError(name);
  return entry;
}

export function unknownDatasetError(name: string): CrsaugError {
  return new CrsaugError(`unknown dataset "${name}"`, {
    hint: `use one of ${DATASETS.map((d) => d.name).join(', ')}, or the path of a custom dataset folder (docs/custom-dataset.md)`,
  });
}
