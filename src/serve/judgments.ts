import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { prepareAppend } from '../augment/artifacts.js';
import { BatchedJsonlAppender } from '../augment/batched-append.js';
import { contextKey } from '../augment/context-text.js';
import { TeacherJudgmentSchema } from '../augment/teacher-set.js';
import type { SplitName } from '../data/types.js';
import { loadJsonl } from '../util/jsonl.js';
import type { HumanByContext } from './labels.js';
import type { HumanJudgment } from './schemas.js';

/** A line of the file as read back: any teacher-format line (one added by hand too) counts. */
const JudgmentLine = TeacherJudgmentSchema.extend({ createdAt: z.string().default('') });

interface JudgmentFile {
  path: string;
  /** Resolves once a half-written last line (a killed writer) is cut and the file's judgments are read. */
  ready: Promise<Map<string, Map<string, HumanJudgment>>>;
  appender: BatchedJsonlAppender;
}

/**
 * Human judgments, one JSONL file per dataset split (`<dataset>_<split>.human.jsonl`, the teacher format,
 * so `crsaug augment distill --teacher FILE` reads it). All writes of a file go through one appender in
 * this process: lines are appended whole, in arrival order, and a request is answered only once its line
 * is on disk, so concurrent requests never interleave or lose a line.
 */
export class JudgmentStore {
  private readonly files = new Map<string, JudgmentFile>();

  constructor(readonly dir: string) {}

  /** The file's name inside the judgments folder (dataset names are checked against the runs' before this). */
  static fileName(dataset: string, split: SplitName): string {
    return `${dataset.replace(/[^\w.-]+/g, '_')}_${split}.human.jsonl`;
  }

  async append(judgment: HumanJudgment): Promise<string> {
    const file = this.open(judgment.dataset, judgment.split);
    const latest = await file.ready;
    file.appender.add(judgment);
    // Remembered in the order the lines are written, so the latest judgment of a pair is the file's last.
    remember(latest, judgment);
    try {
      await file.appender.flush();
    } catch (error) {
      // The appender keeps its failure; the next request starts over on a fresh one (and re-reads the file).
      this.files.delete(file.path);
      await file.appender.close().catch(() => undefined);
      throw error;
    }
    return JudgmentStore.fileName(judgment.dataset, judgment.split);
  }

  /** The latest human judgment of every pair of a dataset split, by context then item. */
  async byContext(dataset: string, split: SplitName): Promise<HumanByContext> {
    if (
      !existsSync(join(this.dir, JudgmentStore.fileName(dataset, split))) &&
      !this.files.has(this.pathOf(dataset, split))
    ) {
      return new Map();
    }
    return this.open(dataset, split).ready;
  }

  async close(): Promise<void> {
    for (const file of this.files.values()) await file.appender.close();
    this.files.clear();
  }

  private pathOf(dataset: string, split: SplitName): string {
    return join(this.dir, JudgmentStore.fileName(dataset, split));
  }

  private open(dataset: string, split: SplitName): JudgmentFile {
    const path = this.pathOf(dataset, split);
    let file = this.files.get(path);
    if (!file) {
      const ready = (async () => {
        await prepareAppend(path);
        const latest = new Map<string, Map<string, HumanJudgment>>();
        for (const { value } of await loadJsonl(path, JudgmentLine)) {
          remember(latest, {
            ...value,
            dialog_id: String(value.dialog_id),
            reason: value.reason ?? '',
            source: 'human',
          });
        }
        return latest;
      })();
      file = { path, ready, appender: new BatchedJsonlAppender(path, 0) };
      this.files.set(path, file);
      ready.catch(() => this.files.delete(path));
    }
    return file;
  }
}

function remember(latest: Map<string, Map<string, HumanJudgment>>, judgment: HumanJudgment): void {
  const key = contextKey(judgment.dialog_id, judgment.turn_id);
  const pairs = latest.get(key) ?? new Map<string, HumanJudgment>();
  pairs.set(judgment.item, judgment);
  latest.set(key, pairs);
}
