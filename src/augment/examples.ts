import type { Dataset, RecContext } from '../data/types.js';
import type { ContextExample } from '../report/schema.js';
import { loadJsonl } from '../util/jsonl.js';
import { Rng } from '../util/rng.js';
import { type CandidateRecord, pairKey } from './artifacts.js';
import type { PairScorer } from './synthesize.js';
import { TeacherJudgmentSchema } from './teacher-set.js';

/** Teacher scores of this dataset's judged pairs, by pairKey. */
export async function teacherScoresOf(
  files: readonly string[],
  dataset: string,
): Promise<Map<string, number>> {
  const scores = new Map<string, number>();
  for (const file of files) {
    for (const { value } of await loadJsonl(file, TeacherJudgmentSchema)) {
      if (value.dataset === dataset)
        scores.set(pairKey(String(value.dialog_id), value.turn_id, value.item), value.score);
    }
  }
  return scores;
}

/**
 * A few contexts for the report: the dialogue, the gold items, and every retrieved candidate with its
 * student (and, where judged, teacher) score. Contexts the teacher judged come first, then seeded random
 * ones whose gold item was retrieved.
 */
export async function buildExamples(options: {
  dataset: Dataset;
  contexts: readonly RecContext[];
  candidates: readonly CandidateRecord[];
  scorer: PairScorer;
  threshold: number;
  count: number;
  seed: number;
  teacherScores: Map<string, number>;
}): Promise<ContextExample[]> {
  const { dataset, teacherScores } = options;
  const byKey = new Map(options.contexts.map((c) => [JSON.stringify([c.dialogId, c.turnId]), c]));
  const itemIndex = new Map(dataset.catalog.items.map((item, i) => [item.name, i]));
  const usable = options.candidates.filter((record) => {
    const context = byKey.get(JSON.stringify([record.dialog_id, record.turn_id]));
    return (
      context !== undefined && context.gold.length > 0 && context.utterances.some((u) => u.trim() !== '')
    );
  });
  const judged = (r: CandidateRecord) =>
    r.candidates.some((c) => teacherScores.has(pairKey(r.dialog_id, r.turn_id, c.item)));
  const rng = new Rng(options.seed);
  const ordered = [...rng.shuffle(usable.filter(judged)), ...rng.shuffle(usable.filter((r) => !judged(r)))];
  const chosen = ordered.slice(0, options.count);
  const requests = chosen.map((record) => ({
    context: byKey.get(JSON.stringify([record.dialog_id, record.turn_id]))!,
    items: record.candidates.map((c) => itemIndex.get(c.item)!),
  }));
  const scores = await options.scorer.score(requests);
  let offset = 0;
  return chosen.map((record, r) => {
    const context = requests[r]!.context;
    const candidates = record.candidates.map((c, i) => {
      const studentScore = scores[offset + i]!;
      const teacher = teacherScores.get(pairKey(record.dialog_id, record.turn_id, c.item));
      return {
        item: itemIndex.get(c.item),
        name: c.item,
        retrievalRank: c.rank,
        teacherScore: teacher ?? null,
        studentScore: Number(studentScore.toFixed(3)),
        kept: studentScore >= options.threshold,
      };
    });
    offset += record.candidates.length;
    return {
      id: `${record.dialog_id}#${record.turn_id}`,
      split: 'train',
      dialogue: context.utterances
        .map((text, i) => ({ role: i % 2 === 0 ? ('User' as const) : ('Recommender' as const), text }))
        .filter((u) => u.text.trim() !== ''),
      gold: context.gold.map((item) => ({ item, name: dataset.catalog.items[item]!.name })),
      candidates,
    };
  });
}
