import type { Dataset, RecContext, SplitName } from '../data/types.js';
import { BUCKET_RULE, popularityBuckets } from '../eval/long-tail.js';
import { countLabels, labelSplit } from '../models/popularity.js';
import { CrsaugError } from '../util/errors.js';
import { writeJsonl } from '../util/jsonl.js';
import { Progress } from '../util/progress.js';
import { formatTable } from '../util/table.js';
import { type CandidateRecord, pairKey, type ScoreRecord, splitPairKey } from './artifacts.js';
import { contextKey } from './context-text.js';
import { isFeatureName, type PairFeaturizer, type PairRequest } from './features/index.js';
import type { Student } from './student.js';

/** Scores (context, item) pairs on the 0-4 scale; NaN marks a pair the scorer has no score for. */
export interface PairScorer {
  /** One line naming the scorer, printed in summaries. */
  readonly description: string;
  /** Scores of every request's items, flattened in request order. */
  score(requests: readonly PairRequest[]): Promise<Float32Array>;
}

/** The distilled student on the pair features. */
export function studentScorer(student: Student, featurizer: PairFeaturizer): PairScorer {
  const names = student.config.featureNames;
  const unknown = names.filter((n) => !isFeatureName(n));
  if (unknown.length > 0) {
    throw new CrsaugError(
      `the student was trained on features this version does not compute (${unknown.join(', ')})`,
      { hint: 'run `crsaug augment distill` again' },
    );
  }
  return {
    description: `student: ${student.config.description}`,
    score: async (requests) =>
      student.predict(await featurizer.featurize(requests, names.filter(isFeatureName))),
  };
}

/** Teacher scores from an `augment score` file (the expected score when present); unscored pairs get NaN. */
export function teacherScoresScorer(
  scores: ReadonlyMap<string, ScoreRecord>,
  dataset: Dataset,
  source: string,
): PairScorer {
  const models = new Set([...scores.values()].map((s) => s.model));
  return {
    description: `teacher: LLM scores from ${source} (${[...models].join(', ') || 'no scores'})`,
    score: async (requests) =>
      Float32Array.from(
        requests.flatMap(({ context, items }) =>
          items.map((item) => {
            const s = scores.get(
              pairKey(context.dialogId, context.turnId, dataset.catalog.items[item]!.name),
            );
            return s?.valid ? (s.expected ?? s.score ?? Number.NaN) : Number.NaN;
          }),
        ),
      ),
  };
}

/** One line of the synthetic dataset: the processed format plus `scores` aligned with `rec`. */
export interface SyntheticRecord {
  dialog_id: string;
  turn_id: number;
  context: string[];
  entity: string[];
  /** Kept items, best score first. */
  rec: string[];
  scores: number[];
}

export interface SynthesisStats {
  scorer: string;
  threshold: number;
  contexts: number;
  /** Contexts of the split without a candidates line (empty dialogue text), left out of the output. */
  contextsWithoutCandidates: number;
  contextsWithoutLabels: number;
  labels: number;
  labelsPerContext: { mean: number; median: number; histogram: Array<{ bucket: string; contexts: number }> };
  /** Pairs the scorer had no score for (teacher files cover only what was judged). */
  unscoredPairs: number;
  /** With the teacher override: judged pairs whose score is the teacher's, and those added to the candidates. */
  teacher?: { contexts: number; pairs: number; added: number };
  /**
   * How much of what the teacher likes the candidate pool holds: on the judged train contexts, the pairs the
   * teacher scored 4 (≥ 3.5) and how many of them are among the top-K candidates.
   */
  teacherFours?: { judged: number; inCandidates: number };
  longTail: {
    rule: string;
    labelSplit: string;
    shares: Record<'head' | 'torso' | 'tail', number>;
    distinctItems: number;
  };
  gold: {
    /** Gold (context, item) pairs of the written contexts. */
    pairs: number;
    inCandidates: number;
    kept: number;
  };
}

export interface SynthesizeOptions {
  dataset: Dataset;
  split: SplitName;
  candidates: readonly CandidateRecord[];
  /** Where the candidates came from, for error messages. */
  candidatesSource: string;
  scorer: PairScorer;
  threshold: number;
  /** Only the first topK candidates of each context are scored. */
  topK: number;
  outFile: string;
  /** Contexts scored per batch (embedding calls are batched per batch). */
  batchContexts?: number;
  /** The teacher's train judgments by context key, then item (for teacherFours, and the override). */
  teacher?: ReadonlyMap<string, ReadonlyMap<number, number>>;
  /**
   * On judged contexts the teacher's judgments override the scorer's, and judged items outside the candidates
   * are scored too (the teacher's 4s become labels).
   */
  teacherOverride?: boolean;
  silent?: boolean;
}

/** A teacher score that counts as a 4 (what the 3.5 threshold keeps). */
const TEACHER_FOUR = 3.5;

const HISTOGRAM_BUCKETS: ReadonlyArray<[label: string, low: number, high: number]> = [
  ['0', 0, 0],
  ['1-2', 1, 2],
  ['3-5', 3, 5],
  ['6-10', 6, 10],
  ['11-20', 11, 20],
  ['21+', 21, Number.POSITIVE_INFINITY],
];

/**
 * Scores every context's retrieved candidates, keeps those at or above the threshold and writes one
 * processed-format line per context (kept items by score, best first), ready for stage-1 training.
 */
export async function synthesize(options: SynthesizeOptions): Promise<SynthesisStats> {
  const { dataset, threshold } = options;
  if (options.split !== 'train') {
    throw new CrsaugError(`synthetic labels are made for the train split only, not ${options.split}`, {
      hint: 'labels on valid would steer model selection, labels on test would leak into the evaluation',
    });
  }
  const split = dataset.splits[options.split];
  if (!split) throw new CrsaugError(`split "${options.split}" of ${dataset.name} is not loaded`);
  const byKey = new Map<string, RecContext>(split.contexts.map((c) => [contextKey(c.dialogId, c.turnId), c]));
  const itemIndex = new Map(dataset.catalog.items.map((item, i) => [item.name, i]));
  const teacherUse = { contexts: 0, pairs: 0, added: 0 };
  const teacherFours = { judged: 0, inCandidates: 0 };
  /** How many of each request's items are retrieved candidates (the judged ones added after them are not). */
  const candidateCounts: number[] = [];
  const requests: PairRequest[] = options.candidates.map((record) => {
    const context = byKey.get(contextKey(record.dialog_id, record.turn_id));
    if (!context) {
      throw new CrsaugError(
        `${options.candidatesSource}: context ${record.dialog_id} turn ${record.turn_id} is not in ${dataset.name}/${options.split}`,
      );
    }
    const ranked = [...record.candidates].sort((a, b) => a.rank - b.rank).slice(0, options.topK);
    const items = ranked.map(({ item }) => {
      const index = itemIndex.get(item);
      if (index === undefined)
        throw new CrsaugError(`${options.candidatesSource}: "${item}" is not an item of ${dataset.name}`);
      return index;
    });
    const judged = options.teacher?.get(contextKey(context.dialogId, context.turnId));
    candidateCounts.push(items.length);
    if (judged) {
      for (const [item, score] of judged) {
        if (score < TEACHER_FOUR) continue;
        teacherFours.judged++;
        if (items.includes(item)) teacherFours.inCandidates++;
      }
    }
    if (judged && options.teacherOverride) {
      teacherUse.contexts++;
      teacherUse.pairs += judged.size;
      for (const item of judged.keys()) {
        if (items.includes(item)) continue;
        items.push(item);
        teacherUse.added++;
      }
    }
    return { context, items };
  });

  const batch = options.batchContexts ?? 128;
  const progress = new Progress(`synthesize ${dataset.name}/${options.split}`, requests.length, {
    unit: 'contexts',
    silent: options.silent,
  });
  const records: SyntheticRecord[] = [];
  let unscored = 0;
  for (let start = 0; start < requests.length; start += batch) {
    const chunk = requests.slice(start, start + batch);
    const scores = await options.scorer.score(chunk);
    let offset = 0;
    for (const { context, items } of chunk) {
      const kept: Array<{ item: number; score: number }> = [];
      const judged = options.teacherOverride
        ? options.teacher?.get(contextKey(context.dialogId, context.turnId))
        : undefined;
      items.forEach((item, i) => {
        const score = judged?.get(item) ?? scores[offset + i]!;
        if (Number.isNaN(score)) unscored++;
        else if (score >= threshold) kept.push({ item, score });
      });
      offset += items.length;
      kept.sort((a, b) => b.score - a.score || a.item - b.item);
      records.push({
        dialog_id: context.dialogId,
        turn_id: context.turnId,
        context: context.utterances,
        entity: context.entities.map((e) => dataset.catalog.entityNames[e]!),
        rec: kept.map((k) => dataset.catalog.items[k.item]!.name),
        scores: kept.map((k) => Number(k.score.toFixed(4))),
      });
    }
    progress.tick(chunk.length, `${records.reduce((s, r) => s + r.rec.length, 0)} labels`);
  }
  progress.finish();
  await writeJsonl(options.outFile, records);
  const retrieved = requests.map((r, i) => ({
    context: r.context,
    items: r.items.slice(0, candidateCounts[i]),
  }));
  const stats = synthesisStats(dataset, retrieved, records, {
    scorer: options.scorer.description,
    threshold,
    unscored,
    contextsWithoutCandidates: split.contexts.length - requests.length,
  });
  return {
    ...stats,
    ...(options.teacherOverride ? { teacher: teacherUse } : {}),
    ...(options.teacher ? { teacherFours } : {}),
  };
}

/** Train-split teacher judgments of a dataset by context key, then item index (for SynthesizeOptions.teacher). */
export function judgedByContext(
  judgments: ReadonlyMap<string, number>,
  dataset: Dataset,
): Map<string, Map<number, number>> {
  const train = new Set((dataset.splits.train?.contexts ?? []).map((c) => contextKey(c.dialogId, c.turnId)));
  const itemIndex = new Map(dataset.catalog.items.map((item, i) => [item.name, i]));
  const out = new Map<string, Map<number, number>>();
  for (const [key, score] of judgments) {
    const { dialogId, turnId, item } = splitPairKey(key);
    const context = contextKey(dialogId, turnId);
    const index = itemIndex.get(item);
    if (!train.has(context) || index === undefined) continue;
    const scores = out.get(context) ?? new Map<number, number>();
    scores.set(index, score);
    out.set(context, scores);
  }
  return out;
}

/** Statistics of a synthetic dataset against the candidates it came from. */
export function synthesisStats(
  dataset: Dataset,
  requests: readonly PairRequest[],
  records: readonly SyntheticRecord[],
  info: { scorer: string; threshold: number; unscored: number; contextsWithoutCandidates: number },
): SynthesisStats {
  const counts = records.map((r) => r.rec.length);
  const labels = counts.reduce((s, n) => s + n, 0);
  const sorted = [...counts].sort((a, b) => a - b);
  const median =
    sorted.length === 0
      ? 0
      : sorted.length % 2
        ? sorted[(sorted.length - 1) / 2]!
        : (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2;
  const labelsFrom = labelSplit(dataset);
  const buckets = popularityBuckets(countLabels(labelsFrom.contexts, dataset.catalog.items.length));
  const itemIndex = new Map(dataset.catalog.items.map((item, i) => [item.name, i]));
  const perBucket = [0, 0, 0];
  const distinct = new Set<number>();
  for (const r of records) {
    for (const name of r.rec) {
      const item = itemIndex.get(name)!;
      perBucket[buckets[item]!]!++;
      distinct.add(item);
    }
  }
  const gold = { pairs: 0, inCandidates: 0, kept: 0 };
  requests.forEach(({ context, items }, i) => {
    const candidates = new Set(items);
    const kept = new Set(records[i]!.rec.map((n) => itemIndex.get(n)!));
    for (const g of context.gold) {
      gold.pairs++;
      if (candidates.has(g)) gold.inCandidates++;
      if (kept.has(g)) gold.kept++;
    }
  });
  const share = (n: number) => (labels > 0 ? n / labels : 0);
  return {
    scorer: info.scorer,
    threshold: info.threshold,
    contexts: records.length,
    contextsWithoutCandidates: info.contextsWithoutCandidates,
    contextsWithoutLabels: counts.filter((n) => n === 0).length,
    labels,
    labelsPerContext: {
      mean: records.length > 0 ? labels / records.length : 0,
      median,
      histogram: HISTOGRAM_BUCKETS.map(([bucket, low, high]) => ({
        bucket,
        contexts: counts.filter((n) => n >= low && n <= high).length,
      })),
    },
    unscoredPairs: info.unscored,
    longTail: {
      rule: BUCKET_RULE,
      labelSplit: labelsFrom.name,
      shares: { head: share(perBucket[0]!), torso: share(perBucket[1]!), tail: share(perBucket[2]!) },
      distinctItems: distinct.size,
    },
    gold,
  };
}

const pct = (n: number, of: number) => (of > 0 ? `${((100 * n) / of).toFixed(1)} %` : '—');

/** The synthesis summary as printed by `augment synthesize` (Markdown). */
export function formatSynthesisStats(s: SynthesisStats): string {
  const lines = [`scorer: ${s.scorer}`, `threshold: score ≥ ${s.threshold}`];
  const statistics = [
    ['contexts written', String(s.contexts)],
    ['contexts with no candidates line (left out)', String(s.contextsWithoutCandidates)],
    ['synthetic labels', String(s.labels)],
    [
      'labels per context: mean / median',
      `${s.labelsPerContext.mean.toFixed(2)} / ${s.labelsPerContext.median}`,
    ],
    ['contexts with zero labels', `${s.contextsWithoutLabels} (${pct(s.contextsWithoutLabels, s.contexts)})`],
    ['distinct items labelled', String(s.longTail.distinctItems)],
    [
      'labels on head / torso / tail items',
      `${pct(s.longTail.shares.head, 1)} / ${pct(s.longTail.shares.torso, 1)} / ${pct(s.longTail.shares.tail, 1)}`,
    ],
    [
      'gold pairs among candidates',
      `${s.gold.inCandidates} of ${s.gold.pairs} (${pct(s.gold.inCandidates, s.gold.pairs)})`,
    ],
    [
      'gold pairs kept as labels (of those among candidates)',
      `${s.gold.kept} of ${s.gold.inCandidates} (${pct(s.gold.kept, s.gold.inCandidates)})`,
    ],
  ];
  if (s.teacherFours)
    statistics.push([
      "teacher's 4s on judged contexts among the candidates",
      `${s.teacherFours.inCandidates} of ${s.teacherFours.judged} (${pct(s.teacherFours.inCandidates, s.teacherFours.judged)})`,
    ]);
  if (s.teacher)
    statistics.push([
      'teacher override: judged contexts / pairs (added to the candidates)',
      `${s.teacher.contexts} / ${s.teacher.pairs} (${s.teacher.added})`,
    ]);
  if (s.unscoredPairs > 0)
    statistics.push(['candidate pairs without a score (not kept)', String(s.unscoredPairs)]);
  lines.push(
    '',
    formatTable(['statistic', 'value'], statistics),
    '',
    formatTable(
      ['labels per context', 'contexts'],
      s.labelsPerContext.histogram.map((h) => [h.bucket, String(h.contexts)]),
    ),
    '',
    `long-tail buckets: ${s.longTail.rule} (labels of ${s.longTail.labelSplit})`,
  );
  return lines.join('\n');
}
