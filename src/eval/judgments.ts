import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { contextKey } from '../augment/context-text.js';
import { resolveJudgmentLines, type TeacherJudgment, TeacherJudgmentSchema } from '../augment/teacher-set.js';
import type { JudgedConfig } from '../config/evaluation.js';
import { resolveDataDir } from '../config/paths.js';
import type { Config } from '../config/schema.js';
import type { Dataset, SplitName } from '../data/types.js';
import { CrsaugError, InputError } from '../util/errors.js';
import { type JsonlRecord, loadJsonl } from '../util/jsonl.js';

/**
 * Relevance judgments of (context, item) pairs for judged evaluation: JSONL in the teacher format
 * (`{dataset, split, dialog_id, turn_id, item, score, reason?, retrieval?}`, ../shared/teacher/README.md),
 * one file per dataset and split. Judgments of the test split serve evaluation only: `evaluationOnly` says
 * so, and `assertTrainingJudgments` refuses them wherever judgments would become training targets.
 */

/** Splits whose judgments may never be trained on, distilled from or used to choose a setting. */
export const EVALUATION_ONLY_SPLITS: ReadonlySet<SplitName> = new Set(['test']);

/** Where shipped judgments live: `judgments/` next to the data root (../shared/judgments in this layout). */
export function defaultJudgmentsDir(dataDir?: string): string {
  return join(dirname(resolveDataDir(dataDir).dir), 'judgments');
}

/** The `.jsonl` files of the default judgments folder, sorted; none when the folder is absent. */
export function defaultJudgmentFiles(dataDir?: string): string[] {
  const dir = defaultJudgmentsDir(dataDir);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.endsWith('.jsonl'))
    .sort()
    .map((name) => join(dir, name));
}

/** Several judgments of one pair (several files, or a pair judged twice) are averaged. */
export interface PairJudgment {
  /** Mean of the pair's scores (0-4). */
  score: number;
  /** How many judgments were averaged. */
  count: number;
}

export interface JudgmentFile {
  file: string;
  dataset: string;
  split: SplitName;
  /** Judgment lines read from the file. */
  lines: number;
}

/** The judgments of one dataset split, by context and item index. */
export class Judgments {
  private readonly byContext = new Map<string, Map<number, { sum: number; count: number }>>();
  private pairCount = 0;
  private lineCount = 0;

  constructor(
    readonly dataset: string,
    readonly split: SplitName,
    readonly files: JudgmentFile[] = [],
  ) {}

  /** True for test-split judgments: evaluation only, never training, distillation or model selection. */
  get evaluationOnly(): boolean {
    return EVALUATION_ONLY_SPLITS.has(this.split);
  }

  /** Adds one judgment of (context, item index); a pair judged again is averaged with its earlier scores. */
  add(dialogId: string, turnId: number, item: number, score: number): void {
    const key = contextKey(dialogId, turnId);
    let items = this.byContext.get(key);
    if (!items) {
      items = new Map();
      this.byContext.set(key, items);
    }
    const found = items.get(item);
    if (found) {
      found.sum += score;
      found.count++;
    } else {
      items.set(item, { sum: score, count: 1 });
      this.pairCount++;
    }
    this.lineCount++;
  }

  get(dialogId: string, turnId: number, item: number): PairJudgment | undefined {
    const found = this.byContext.get(contextKey(dialogId, turnId))?.get(item);
    return found && { score: found.sum / found.count, count: found.count };
  }

  /** Every judged item of a context with its judgment (empty when the context has none). */
  itemsOf(dialogId: string, turnId: number): Map<number, PairJudgment> {
    const out = new Map<number, PairJudgment>();
    for (const [item, { sum, count }] of this.byContext.get(contextKey(dialogId, turnId)) ?? []) {
      out.set(item, { score: sum / count, count });
    }
    return out;
  }

  hasContext(dialogId: string, turnId: number): boolean {
    return this.byContext.has(contextKey(dialogId, turnId));
  }

  /** Contexts with at least one judgment. */
  get contexts(): number {
    return this.byContext.size;
  }

  /** Distinct judged (context, item) pairs. */
  get pairs(): number {
    return this.pairCount;
  }

  /** Judgments read (a pair judged twice counts twice). */
  get lines(): number {
    return this.lineCount;
  }
}

export interface LoadJudgmentsOptions {
  /** Extra judgment files; each must hold judgments of the requested dataset split. */
  files?: readonly string[];
  /** Also read the default folder (`defaultJudgmentsDir`) when it exists; default true. */
  defaults?: boolean;
  dataDir?: string;
}

export interface LoadedJudgments {
  judgments: Judgments;
  /** Default-folder files of other dataset splits, left out. */
  skipped: JudgmentFile[];
}

const HINT =
  'judgments are JSONL lines {dataset, split, dialog_id, turn_id, item, score}, as in ../shared/teacher/';

/**
 * Reads the judgments of `dataset`'s `split` (which must be loaded): the default folder's files of that
 * dataset split, then `files`. A default file of another dataset split is skipped; an explicit one is an
 * error, as is any line naming an unknown context or item (file, line and field in the message).
 */
export async function loadJudgments(
  dataset: Dataset,
  split: SplitName,
  options: LoadJudgmentsOptions = {},
): Promise<LoadedJudgments> {
  if (!dataset.splits[split]) {
    throw new CrsaugError(`judgments of ${dataset.name}/${split} need the ${split} split loaded`);
  }
  const judgments = new Judgments(dataset.name, split);
  const skipped: JudgmentFile[] = [];
  const defaults = options.defaults === false ? [] : defaultJudgmentFiles(options.dataDir);
  const known = new Set(defaults.map((file) => resolve(file)));
  // A file named twice (a default file given again, or the same file twice) is read once.
  const explicit = (options.files ?? []).filter((file) => {
    const path = resolve(file);
    if (known.has(path)) return false;
    known.add(path);
    return true;
  });
  const sources = [
    ...defaults.map((file) => ({ file, explicit: false })),
    ...explicit.map((file) => ({ file, explicit: true })),
  ];
  for (const { file, explicit } of sources) {
    const records = await loadJsonl(file, TeacherJudgmentSchema, HINT);
    if (records.length === 0) throw new InputError({ file }, 'no judgments in file');
    const first = records[0]!.value;
    const source: JudgmentFile = { file, dataset: first.dataset, split: first.split, lines: records.length };
    if (first.dataset !== dataset.name || first.split !== split) {
      if (!explicit) {
        skipped.push(source);
        continue;
      }
      throw new InputError(
        { file, line: records[0]!.line, field: first.dataset !== dataset.name ? 'dataset' : 'split' },
        `holds judgments of ${first.dataset}/${first.split}, but ${dataset.name}/${split} is evaluated`,
      );
    }
    addResolved(judgments, file, records, dataset);
    judgments.files.push(source);
  }
  return { judgments, skipped };
}

/**
 * The judgments judged evaluation reads under a config: ../shared/judgments unless `eval.judged.sharedJudgments`
 * is off, `eval.judged.files`, then `extra` (e.g. what a judge wrote).
 */
export function configuredJudgments(
  config: Pick<Config, 'dataDir'> & { eval: { judged: JudgedConfig } },
  dataset: Dataset,
  split: SplitName,
  extra: readonly string[] = [],
): Promise<LoadedJudgments> {
  return loadJudgments(dataset, split, {
    files: [...config.eval.judged.files, ...extra],
    defaults: config.eval.judged.sharedJudgments,
    dataDir: config.dataDir,
  });
}

function addResolved(
  judgments: Judgments,
  file: string,
  records: readonly JsonlRecord<TeacherJudgment>[],
  dataset: Dataset,
): void {
  for (const pair of resolveJudgmentLines(file, records, dataset)) {
    judgments.add(pair.context.dialogId, pair.context.turnId, pair.item, pair.score);
  }
}

/** A judgment file about to become training targets: its split and whether `crsaug judge` made it. */
export interface TrainingJudgmentSet {
  file: string;
  split: SplitName;
  /** Line of the first judgment marked `"purpose": "evaluation"` (what `crsaug judge` writes), if any. */
  evaluationLine?: number;
}

/**
 * The one check that judgments meant for evaluation never become training targets (`augment distill`,
 * synthetic labels) or choose a setting: test-split files, and any file `crsaug judge` wrote (its lines say
 * `"purpose": "evaluation"`, whatever the split), are refused with file, line and field.
 */
export function assertTrainingJudgments(sets: readonly TrainingJudgmentSet[], use: string): void {
  const hint =
    'use train (or valid) teacher judgments, e.g. ../shared/teacher/; test judgments and those crsaug judge writes belong to judged evaluation';
  for (const set of sets) {
    if (EVALUATION_ONLY_SPLITS.has(set.split)) {
      throw new InputError(
        { file: set.file, line: 1, field: 'split' },
        `${set.split}-split judgments serve evaluation only, not ${use}`,
        { hint },
      );
    }
    if (set.evaluationLine !== undefined) {
      throw new InputError(
        { file: set.file, line: set.evaluationLine, field: 'purpose' },
        `judgments crsaug judge made for evaluation serve evaluation only, not ${use}`,
        { hint },
      );
    }
  }
}
