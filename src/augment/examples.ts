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

/** Contexts scored per example shown, so enough of them with synthetic labels are found to show. */
const POOL_PER_EXAMPLE = 4;

/**
 * A few contexts for the report: the dialogue, the gold items, and every retrieved candidate with its
 * student (and, where judged, teacher) score. Contexts the teacher judged come first, then seeded random
 * ones; among the first contexts scored, at least half of those shown received synthetic labels (when that
 * many did), so the examples show what the method adds and not only contexts it left alone.
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
  const pool = ordered.slice(0, options.count * POOL_PER_EXAMPLE);
  const requests = pool.map((record) => ({
    context: byKey.get(JSON.stringify([record.dialog_id, record.turn_id]))!,
    items: record.candidates.map((c) => itemIndex.get(c.item)!),
  }));
  const scores = await options.scorer.score(requests);
  const scored = pool.map((record, r) => {
    const offset = requests.slice(0, r).reduce((n, q) => n + q.items.length, 0);
    return {
      record,
      context: requests[r]!.context,
      scores: scores.slice(offset, offset + record.candidates.length),
    };
  });
  const labelled = scored.filter((s) => s.scores.some((score) => score >= options.threshold));
  const shownLabelled = labelled.slice(0, Math.ceil(options.count / 2));
  const chosen = [
    ...shownLabelled,
    ...scored.filter((s) => !shownLabelled.includes(s)).slice(0, options.count - shownLabelled.length),
  ];
  return chosen.map(({ record, context, scores: contextScores }) => {
    const candidates = record.candidates.map((c, i) => {
      const studentScore = contextScores[i]!;
      const teacher = teacherScores.get(pairKey(record.dialog_id, record.turn_id, c.item));
      return {
        item: itemIndex.get(c.item),
        name: c.item,
        retrievalRank: c.rank,
        teacherScore: teacher ?? null,
        // unrounded: a score just under the threshold must not round onto it (the report shows the digits that decide)
        studentScore,
        kept: studentScore >= options.threshold,
      };
    });
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
