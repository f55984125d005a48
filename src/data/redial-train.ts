import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MissingFileError } from '../util/errors.js';
import { sha256 } from '../util/hash.js';
import { loadJsonl, writeJsonl } from '../util/jsonl.js';
import { Progress } from '../util/progress.js';
import { RawRedialDialogSchema, RedialRawLinker } from './convert/redial-raw.js';
import { redialToProcessed } from './convert/to-processed.js';
import { type ProcessedSample, ProcessedSampleSchema } from './samples.js';

/** Bump when the raw → linked → processed conversion changes, so cached train splits are rebuilt. */
export const REDIAL_CONVERTER_VERSION = 2;

/** Raw official-train dialogues on this machine (data README §5.4–5.5); together about a third of the split. */
export const REDIAL_RAW_TRAIN_FILES = [
  'raw/train_subset_901.jsonl',
  'raw/train_subset_500.jsonl',
  'raw/train_extra.jsonl',
] as const;
/** conversationId → CFCRS split; the ids marked valid are held out of train. */
export const REDIAL_TRAIN_IDS_INDEX = 'train_ids_index.tsv';
export const REDIAL_RAW_TEST_FILE = 'raw/test_data.jsonl';
/** Files the conversion reads besides the raw dialogues (they decide item and entity links). */
const LINKER_FILES = ['id2info.json', 'entity2type.json'] as const;

export interface RedialTrainBuild {
  samples: ProcessedSample[];
  /** Input files plus the cache file. */
  files: string[];
  fromCache: boolean;
}

/**
 * The ReDial train split from the raw official-train dialogues present in `dir`: deduplicated by
 * conversationId, minus the CFCRS valid ids (train_ids_index.tsv) and any test id, converted
 * raw → linked → processed. The result is cached under `cacheDir`, keyed by a hash of every input's
 * content and the converter version, because the conversion takes seconds and the inputs never change.
 */
export async function loadRedialTrainSamples(
  dir: string,
  cacheDir: string,
  options: { silent?: boolean } = {},
): Promise<RedialTrainBuild> {
  const inputs = [
    ...REDIAL_RAW_TRAIN_FILES,
    REDIAL_TRAIN_IDS_INDEX,
    REDIAL_RAW_TEST_FILE,
    ...LINKER_FILES,
  ].map((f) => join(dir, f));
  const hint =
    'the ReDial train split is rebuilt from raw dialogues; run `crsaug data fetch redial` for the full official release, or pass --data-dir';
  for (const file of inputs) if (!existsSync(file)) throw new MissingFileError(file, hint);
  const key = sha256(
    [`converter v${REDIAL_CONVERTER_VERSION}`, ...inputs.map((f) => sha256(readFileSync(f)))].join('\n'),
  ).slice(0, 16);
  const cacheFile = join(cacheDir, 'datasets', 'redial', `train_data_processed.${key}.jsonl`);
  const rawFiles = inputs.slice(0, REDIAL_RAW_TRAIN_FILES.length);
  if (existsSync(cacheFile)) {
    const samples = (await loadJsonl(cacheFile, ProcessedSampleSchema)).map((r) => r.value);
    return { samples, files: [...rawFiles, cacheFile], fromCache: true };
  }
  const dialogs = await selectTrainDialogues(dir, rawFiles);
  const linker = RedialRawLinker.fromDir(dir, hint);
  const progress = new Progress('converting ReDial raw train', dialogs.length, {
    unit: 'dialogues',
    silent: options.silent,
  });
  const samples: ProcessedSample[] = [];
  for (const raw of dialogs) {
    samples.push(...redialToProcessed(linker.link(raw)));
    progress.tick();
  }
  progress.finish();
  await writeJsonl(cacheFile, samples);
  return { samples, files: [...rawFiles, cacheFile], fromCache: false };
}

async function selectTrainDialogues(dir: string, rawFiles: readonly string[]) {
  const heldOut = new Set<string>();
  const index = readFileSync(join(dir, REDIAL_TRAIN_IDS_INDEX), 'utf8').split('\n').slice(1);
  for (const row of index) {
    const [id, split] = row.split('\t');
    if (id && split === 'valid') heldOut.add(id);
  }
  for (const { value } of await loadJsonl(join(dir, REDIAL_RAW_TEST_FILE), RawRedialDialogSchema)) {
    heldOut.add(String(value.conversationId));
  }
  const seen = new Set<string>();
  const kept = [];
  for (const file of rawFiles) {
    for (const { value } of await loadJsonl(file, RawRedialDialogSchema)) {
      const id = String(value.conversationId);
      if (seen.has(id) || heldOut.has(id)) continue;
      seen.add(id);
      kept.push(value);
    }
  }
  return kept;
}
