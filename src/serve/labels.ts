import { existsSync } from 'node:fs';
import { z } from 'zod';
import { readCandidates } from '../augment/artifacts.js';
import { contextKey } from '../augment/context-text.js';
import type { PairScorer } from '../augment/synthesize.js';
import { TeacherJudgmentSchema } from '../augment/teacher-set.js';
import type { Dataset, RecContext, SplitName } from '../data/types.js';
import { loadJsonl } from '../util/jsonl.js';
import type { HumanJudgment, LabelPair, LabelsQuery, LabelsResponse } from './schemas.js';

/** One (context, item) pair of the synthesis split, as the run saw it. */
interface PairEntry {
  index: number;
  /** Retrieval rank, null for an item the teacher judged that retrieval did not return. */
  rank: number | null;
  student: number;
  kept: boolean;
  teacher: { score: number; reason: string | null } | null;
}

interface ContextEntry {
  key: string;
  context: RecContext;
  /** Lower-cased dialogue text, for the text filter. */
  text: string;
  pairs: PairEntry[];
  /** Whether the student has scored this context's pairs. */
  scored: boolean;
}

/** Human judgments of one split by context key, then by item name (the latest judgment of each pair). */
export type HumanByContext = ReadonlyMap<string, ReadonlyMap<string, HumanJudgment>>;

const SyntheticLineSchema = z.looseObject({
  dialog_id: z.string(),
  turn_id: z.number().int(),
  rec: z.array(z.string()),
});

/** Contexts scored per student call: one embedding batch, and a pause for other requests in between. */
const SCORE_BATCH = 128;

/**
 * The run's synthetic labels pair by pair, for the explorer: every retrieved candidate of the synthesis split
 * (its first topK, as synthesis scored them) with the student's score, whether it became a label (read from
 * the synthetic file the run trained on, not recomputed) and the teacher's judgment where there is one, plus
 * the judged pairs retrieval did not return. Student scores are computed when a context is first shown (or
 * first filtered on them) and kept: a page costs its own contexts, not the split's.
 */
export class LabelIndex {
  private constructor(
    readonly dataset: Dataset,
    readonly split: SplitName,
    readonly threshold: number,
    readonly student: string,
    private readonly contexts: ContextEntry[],
    private readonly scorer: PairScorer,
    private readonly itemIndex: ReadonlyMap<string, number>,
  ) {}

  static async build(options: {
    dataset: Dataset;
    split: SplitName;
    candidatesFile: string;
    syntheticFile: string;
    topK: number;
    threshold: number;
    scorer: PairScorer;
    teacherFiles: readonly string[];
  }): Promise<LabelIndex> {
    const { dataset, split } = options;
    const byKey = new Map(
      (dataset.splits[split]?.contexts ?? []).map((c) => [contextKey(c.dialogId, c.turnId), c]),
    );
    const itemIndex = new Map(dataset.catalog.items.map((item, i) => [item.name, i]));
    const teacher = await teacherJudgments(options.teacherFiles, dataset.name, split);
    const kept = new Map<string, Set<string>>();
    if (existsSync(options.syntheticFile)) {
      for (const { value } of await loadJsonl(options.syntheticFile, SyntheticLineSchema)) {
        kept.set(contextKey(value.dialog_id, value.turn_id), new Set(value.rec));
      }
    }
    const entries: ContextEntry[] = [];
    for (const record of await readCandidates(options.candidatesFile)) {
      const key = contextKey(record.dialog_id, record.turn_id);
      const context = byKey.get(key);
      if (!context) continue;
      const judged = teacher.get(key) ?? new Map();
      const labels = kept.get(key) ?? new Set<string>();
      const pairs: PairEntry[] = [...record.candidates]
        .sort((a, b) => a.rank - b.rank)
        .slice(0, options.topK)
        .filter((c) => itemIndex.has(c.item))
        .map((c) => ({
          index: itemIndex.get(c.item)!,
          rank: c.rank,
          student: Number.NaN,
          kept: labels.has(c.item),
          teacher: judged.get(c.item) ?? null,
        }));
      const retrieved = new Set(pairs.map((p) => p.index));
      for (const [item, judgment] of judged) {
        const index = itemIndex.get(item);
        if (index !== undefined && !retrieved.has(index)) {
          pairs.push({ index, rank: null, student: Number.NaN, kept: false, teacher: judgment });
        }
      }
      entries.push({ key, context, text: context.utterances.join('\n').toLowerCase(), pairs, scored: false });
    }
    return new LabelIndex(
      dataset,
      split,
      options.threshold,
      options.scorer.description,
      entries,
      options.scorer,
      itemIndex,
    );
  }

  get size(): number {
    return this.contexts.length;
  }

  /**
   * One page of contexts whose pairs pass the filter (contexts with none are left out); a human judgment of a
   * pair outside the index adds that pair. Only the page's pairs are materialised.
   */
  async query(
    query: LabelsQuery,
    human: HumanByContext,
  ): Promise<Omit<LabelsResponse, 'run' | 'dataset' | 'teacher'>> {
    const { items } = this.dataset.catalog;
    const needle = query.q?.trim().toLowerCase();
    // Only this filter reads student scores of contexts that are not shown.
    if (query.filter === 'disagree')
      await this.score(this.contexts.filter((e) => e.pairs.some((p) => p.teacher)));
    const matched: Array<{ entry: ContextEntry; pairs: () => PairView[] }> = [];
    let pairsTotal = 0;
    for (const entry of this.contexts) {
      const judged = human.get(entry.key);
      const all = (): PairView[] => {
        const views = entry.pairs.map((p) => ({ ...p, human: judged?.get(items[p.index]!.name) ?? null }));
        const present = new Set(views.map((p) => p.index));
        for (const [item, judgment] of judged ?? []) {
          const index = this.itemIndex.get(item);
          if (index !== undefined && !present.has(index)) {
            views.push({
              index,
              rank: null,
              student: Number.NaN,
              kept: false,
              teacher: null,
              human: judgment,
            });
          }
        }
        return views;
      };
      // Without human judgments (nearly every context) the stored pairs are filtered as they are.
      const passing = judged
        ? all().filter((p) => passes(p, p.human, query))
        : entry.pairs.filter((p) => passes(p, null, query));
      if (passing.length === 0) continue;
      if (
        needle &&
        !entry.text.includes(needle) &&
        !passing.some((p) => items[p.index]!.name.toLowerCase().includes(needle))
      ) {
        continue;
      }
      matched.push({ entry, pairs: () => all().filter((p) => passes(p, p.human, query)) });
      pairsTotal += passing.length;
    }
    const shown = matched.slice(query.offset, query.offset + query.limit);
    await this.score(shown.map(({ entry }) => entry));
    const page = shown.map(({ entry, pairs }) => ({ entry, pairs: pairs() }));
    await this.scoreMissing(page);
    return {
      split: this.split,
      threshold: this.threshold,
      student: this.student,
      total: { contexts: matched.length, pairs: pairsTotal },
      offset: query.offset,
      limit: query.limit,
      contexts: page.map(({ entry, pairs }) => ({
        dialog_id: entry.context.dialogId,
        turn_id: entry.context.turnId,
        dialogue: entry.context.utterances
          .map((text, i) => ({ role: i % 2 === 0 ? ('User' as const) : ('Recommender' as const), text }))
          .filter((u) => u.text.trim() !== ''),
        gold: entry.context.gold.map((g) => items[g]!.name),
        pairs: sortPairs(pairs, query.sort).map((p) => pairView(this.dataset, p)),
      })),
    };
  }

  /** Scores the pairs of contexts not scored yet, a batch at a time (other requests run in between). */
  private async score(entries: readonly ContextEntry[]): Promise<void> {
    const todo = entries.filter((e) => !e.scored);
    for (let start = 0; start < todo.length; start += SCORE_BATCH) {
      const chunk = todo.slice(start, start + SCORE_BATCH);
      const scores = await this.scorer.score(
        chunk.map((e) => ({ context: e.context, items: e.pairs.map((p) => p.index) })),
      );
      let offset = 0;
      for (const entry of chunk) {
        for (const pair of entry.pairs) pair.student = scores[offset++]!;
        entry.scored = true;
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /** Student scores of pairs only a human judged (they are not among the scored candidates). */
  private async scoreMissing(page: Array<{ entry: ContextEntry; pairs: PairView[] }>): Promise<void> {
    const todo = page
      .map(({ entry, pairs }) => ({
        context: entry.context,
        pairs: pairs.filter((p) => Number.isNaN(p.student)),
      }))
      .filter((t) => t.pairs.length > 0);
    if (todo.length === 0) return;
    const scores = await this.scorer.score(
      todo.map((t) => ({ context: t.context, items: t.pairs.map((p) => p.index) })),
    );
    let offset = 0;
    for (const t of todo) for (const pair of t.pairs) pair.student = scores[offset++]!;
  }
}

type PairView = PairEntry & { human: HumanJudgment | null };

function passes(pair: PairEntry, human: HumanJudgment | null, query: LabelsQuery): boolean {
  switch (query.filter) {
    case 'all':
      return true;
    case 'kept':
      return pair.kept;
    case 'not-kept':
      return pair.rank !== null && !pair.kept;
    case 'teacher':
      return pair.teacher !== null;
    case 'disagree':
      return pair.teacher !== null && Math.abs(pair.teacher.score - pair.student) >= query.gap;
    case 'human':
      return human !== null;
  }
}

function sortPairs(pairs: PairView[], sort: LabelsQuery['sort']): PairView[] {
  const gap = (p: PairView) => (p.teacher ? Math.abs(p.teacher.score - p.student) : -1);
  const rank = (p: PairView) => p.rank ?? Number.POSITIVE_INFINITY;
  const order: Record<LabelsQuery['sort'], (a: PairView, b: PairView) => number> = {
    student: (a, b) => b.student - a.student || rank(a) - rank(b),
    rank: (a, b) => rank(a) - rank(b) || b.student - a.student,
    gap: (a, b) => gap(b) - gap(a) || b.student - a.student,
  };
  return [...pairs].sort(order[sort]);
}

function pairView(dataset: Dataset, pair: PairView): LabelPair {
  return {
    item: dataset.catalog.items[pair.index]!.name,
    index: pair.index,
    rank: pair.rank,
    student: Number(pair.student.toFixed(3)),
    kept: pair.kept,
    teacher: pair.teacher,
    human: pair.human
      ? { score: pair.human.score, reason: pair.human.reason, createdAt: pair.human.createdAt }
      : null,
  };
}

/** The teacher's judgments of one dataset split by context key, then item name (a later file wins). */
async function teacherJudgments(
  files: readonly string[],
  dataset: string,
  split: SplitName,
): Promise<Map<string, Map<string, { score: number; reason: string | null }>>> {
  const byContext = new Map<string, Map<string, { score: number; reason: string | null }>>();
  for (const file of files) {
    for (const { value } of await loadJsonl(file, TeacherJudgmentSchema)) {
      if (value.dataset !== dataset || value.split !== split) continue;
      const key = contextKey(String(value.dialog_id), value.turn_id);
      const judged = byContext.get(key) ?? new Map();
      judged.set(value.item, { score: value.score, reason: value.reason ?? null });
      byContext.set(key, judged);
    }
  }
  return byContext;
}
