import { readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import { resolveDataDir } from '../config/paths.js';
import { type LoadDatasetOptions, loadDataset } from '../data/load.js';
import type { Dataset, RecContext, SplitName } from '../data/types.js';
import { CrsaugError, InputError } from '../util/errors.js';
import { type JsonlRecord, loadJsonl } from '../util/jsonl.js';
import { contextKey } from './context-text.js';

/** The `purpose` that marks judgments made for evaluation (`crsaug judge`): never trained on. */
export const JUDGMENT_PURPOSE_EVALUATION = 'evaluation';

/**
 * One teacher judgment line (../shared/teacher/README.md). User-made score files use the same fields;
 * `score` may be fractional (an expected value over the digits 0-4). `retrieval` says how the pair was
 * pooled; it is read for analysis only and never becomes a student feature.
 */
export const TeacherJudgmentSchema = z.looseObject({
  dataset: z.string().min(1),
  split: z.enum(['train', 'valid', 'test']),
  dialog_id: z.union([z.string(), z.number()]),
  turn_id: z.number().int(),
  item: z.string().min(1),
  score: z.number().min(0).max(4),
  reason: z.string().optional(),
  retrieval: z.string().optional(),
  /** "evaluation": written by `crsaug judge` for judged evaluation; such a file is never a teacher file. */
  purpose: z.literal(JUDGMENT_PURPOSE_EVALUATION).optional(),
});
export type TeacherJudgment = z.output<typeof TeacherJudgmentSchema>;

/** A judgment resolved against the loaded dataset. */
export interface TeacherPair {
  context: RecContext;
  item: number;
  score: number;
  reason?: string;
  /** How the pair entered the judged pool (gold/bm25/random), for analysis only. */
  retrieval?: string;
}

export interface TeacherSet {
  file: string;
  dataset: Dataset;
  split: SplitName;
  pairs: TeacherPair[];
  /** Line of the first judgment marked for evaluation only (`crsaug judge` output), if any. */
  evaluationLine?: number;
}

/** The shipped judgments: `teacher/` next to the data root (../shared/teacher in this layout). */
export function defaultTeacherDir(dataDir?: string): string {
  return join(dirname(resolveDataDir(dataDir).dir), 'teacher');
}

export function defaultTeacherFiles(dataDir?: string): string[] {
  const dir = defaultTeacherDir(dataDir);
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.jsonl'));
  } catch {
    throw new CrsaugError(`no teacher judgments found in ${dir}`, {
      hint: 'pass --teacher FILE (JSONL lines {dataset, split, dialog_id, turn_id, item, score})',
    });
  }
  return names.sort().map((n) => join(dir, n));
}

/**
 * The shipped judgments a dataset's student learns from: 'dataset', the files of the dataset (every shipped
 * file when none is for it), or 'all', every shipped file (the features are the same for any dataset with a
 * catalog and a KG, so the other datasets' judgments are more pairs of the same task). Distillation trains on
 * the train-split files only and holds valid files out to measure agreement, so valid stays clean for selection.
 */
export function datasetTeacherFiles(
  dataset: string,
  dataDir?: string,
  which: 'dataset' | 'all' = 'dataset',
): string[] {
  const all = defaultTeacherFiles(dataDir);
  const own = all.filter((f) => basename(f).startsWith(`${dataset}_`));
  return which === 'dataset' && own.length > 0 ? own : all;
}

/**
 * Loads datasets once per (name, split) across several teacher files. The train split comes along: the
 * builtin embedder of `augment retrieve` is fitted on item texts plus train contexts.
 */
export class DatasetCache {
  private readonly loaded = new Map<string, Promise<Dataset>>();
  constructor(private readonly roots: Pick<LoadDatasetOptions, 'dataDir' | 'cacheDir'> = {}) {}

  get(name: string, split: SplitName): Promise<Dataset> {
    const key = `${name}\u0000${split}`;
    let dataset = this.loaded.get(key);
    if (!dataset) {
      const splits: SplitName[] = split === 'train' ? ['train'] : [split, 'train'];
      dataset = loadDataset(name, { ...this.roots, splits });
      this.loaded.set(key, dataset);
    }
    return dataset;
  }
}

/**
 * Reads a teacher file and resolves each line to its dataset context (dialog_id, turn_id) and item index.
 * A file holds one dataset split; a line naming an unknown context or item is an input error.
 */
export async function loadTeacherSet(file: string, datasets: DatasetCache): Promise<TeacherSet> {
  const records = await loadJsonl(
    file,
    TeacherJudgmentSchema,
    'teacher judgments are JSONL, see docs/augment-student.md',
  );
  if (records.length === 0) throw new InputError({ file }, 'no judgments in file');
  const first = records[0]!.value;
  const dataset = await datasets.get(first.dataset, first.split);
  const marked = records.find((r) => r.value.purpose === JUDGMENT_PURPOSE_EVALUATION);
  return {
    file,
    dataset,
    split: first.split,
    pairs: resolveJudgmentLines(file, records, dataset),
    ...(marked ? { evaluationLine: marked.line } : {}),
  };
}

/**
 * Resolves a file's judgment lines (of one dataset split: the first line's) to the dataset's contexts and
 * item indices; a line of another split, an unknown context or an unknown item is an input error.
 */
export function resolveJudgmentLines(
  file: string,
  records: readonly JsonlRecord<TeacherJudgment>[],
  dataset: Dataset,
): TeacherPair[] {
  const first = records[0]!.value;
  const contexts = new Map<string, RecContext>();
  for (const c of dataset.splits[first.split]!.contexts) contexts.set(contextKey(c.dialogId, c.turnId), c);
  return records.map(({ line, value }) => {
    if (value.dataset !== first.dataset || value.split !== first.split) {
      throw new InputError(
        { file, line, field: 'dataset' },
        `one file holds one dataset split (${first.dataset}/${first.split}), got ${value.dataset}/${value.split}`,
      );
    }
    const context = contexts.get(contextKey(String(value.dialog_id), value.turn_id));
    if (!context) {
      throw new InputError(
        { file, line, field: 'dialog_id' },
        `no context ${value.dialog_id} turn ${value.turn_id} in ${first.dataset}/${first.split}`,
      );
    }
    const entity = dataset.catalog.entityIds.get(value.item);
    const item = entity === undefined ? -1 : dataset.catalog.itemOfEntity[entity]!;
    if (item < 0)
      throw new InputError(
        { file, line, field: 'item' },
        `"${value.item}" is not an item of ${first.dataset}`,
      );
    return { context, item, score: value.score, reason: value.reason, retrieval: value.retrieval };
  });
}
