import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { type CandidateRecord, pairKey, type ScoreRecord } from '../../src/augment/artifacts.js';
import { FEATURE_NAMES, type PairFeaturizer, type PairRequest } from '../../src/augment/features/index.js';
import { Student } from '../../src/augment/student.js';
import {
  formatSynthesisStats,
  judgedByContext,
  type PairScorer,
  type SynthesisStats,
  type SyntheticRecord,
  studentScorer,
  synthesisStats,
  synthesize,
  teacherScoresScorer,
} from '../../src/augment/synthesize.js';
import type { RecContext } from '../../src/data/types.js';
import { BUCKET_RULE } from '../../src/eval/long-tail.js';
import { e, tinyContext, tinyDataset } from '../eval/tiny-dataset.js';
import { stderrOf } from '../stderr.js';

// Synthesis on a hand-made catalog ("Movie 0" … "Movie 29"), where every count can be worked out by hand.
const ITEMS = 30;
// Train labels: item 0 ×4, items 1 and 2 ×2 each (8 in all): item 0 is the head, item 1 the torso, the rest tail.
const train = [
  tinyContext('t1', 1, [], [e(0), e(1)]),
  tinyContext('t2', 1, [], [e(0), e(2)]),
  tinyContext('t3', 1, [], [e(0), e(1)]),
  tinyContext('t4', 1, [], [e(0), e(2)]),
];
const name = (item: number) => `Movie ${item}`;
const dir = mkdtempSync(join(tmpdir(), 'crsaug-synthesis-stats-'));

function record(context: RecContext, items: number[], scores = items.map(() => 4)): SyntheticRecord {
  return {
    dialog_id: context.dialogId,
    turn_id: context.turnId,
    context: context.utterances,
    entity: [],
    rec: items.map(name),
    scores,
  };
}

test('synthesis statistics: counts, mean and median, histogram buckets, long-tail shares, gold coverage', () => {
  const counts = [0, 1, 2, 3, 6, 11, 21];
  const contexts = counts.map((_, i) => tinyContext(`c${i}`, 1, [], [e(i)]));
  const dataset = tinyDataset(ITEMS, { train, test: contexts });
  // Context i's labels are items 0 … counts[i] − 1 (item 0: head, 1: torso, the rest: tail).
  const records = contexts.map((c, i) =>
    record(
      c,
      Array.from({ length: counts[i]! }, (_, k) => k),
    ),
  );
  // Candidates: the labels plus item 29; gold item i is among them only when i < counts[i] or i = 29.
  const requests: PairRequest[] = contexts.map((context, i) => ({
    context,
    items: [...Array.from({ length: counts[i]! }, (_, k) => k), 29],
  }));
  const stats = synthesisStats(dataset, requests, records, {
    scorer: 'test',
    threshold: 3.5,
    unscored: 2,
    contextsWithoutCandidates: 5,
  });
  assert.deepEqual(stats, {
    scorer: 'test',
    threshold: 3.5,
    contexts: 7,
    contextsWithoutCandidates: 5,
    contextsWithoutLabels: 1,
    labels: 44,
    labelsPerContext: {
      mean: 44 / 7,
      median: 3,
      histogram: [
        { bucket: '0', contexts: 1 },
        { bucket: '1-2', contexts: 2 },
        { bucket: '3-5', contexts: 1 },
        { bucket: '6-10', contexts: 1 },
        { bucket: '11-20', contexts: 1 },
        { bucket: '21+', contexts: 1 },
      ],
    },
    unscoredPairs: 2,
    longTail: {
      rule: BUCKET_RULE,
      labelSplit: 'train',
      // Item 0 is labelled in 6 contexts, item 1 in 5, the other 33 labels are tail items.
      shares: { head: 6 / 44, torso: 5 / 44, tail: 33 / 44 },
      distinctItems: 21,
    },
    // Gold items 0 … 6: among the candidates of contexts 4, 5 and 6 (counts 6, 11, 21 > i), kept there too.
    gold: { pairs: 7, inCandidates: 3, kept: 3 },
  });
  // An even number of contexts: the median is the mean of the middle two.
  const even = synthesisStats(dataset, requests.slice(1), records.slice(1), {
    scorer: 'test',
    threshold: 3.5,
    unscored: 0,
    contextsWithoutCandidates: 0,
  });
  assert.equal(even.labelsPerContext.median, (3 + 6) / 2);
  assert.equal(even.labelsPerContext.mean, 44 / 6);
});

test('synthesis statistics of nothing: zeros, never NaN', () => {
  const dataset = tinyDataset(ITEMS, { train, test: [] });
  const stats = synthesisStats(dataset, [], [], {
    scorer: 'test',
    threshold: 3.5,
    unscored: 0,
    contextsWithoutCandidates: 0,
  });
  assert.deepEqual(stats.labelsPerContext.mean, 0);
  assert.deepEqual(stats.labelsPerContext.median, 0);
  assert.deepEqual(stats.longTail.shares, { head: 0, torso: 0, tail: 0 });
  const empty = contextOnly();
  const noLabels = synthesisStats(dataset, [{ context: empty, items: [1] }], [record(empty, [])], {
    scorer: 'test',
    threshold: 3.5,
    unscored: 0,
    contextsWithoutCandidates: 0,
  });
  assert.deepEqual(noLabels.longTail.shares, { head: 0, torso: 0, tail: 0 });
  assert.deepEqual(noLabels.gold, { pairs: 1, inCandidates: 0, kept: 0 });
});

function contextOnly(): RecContext {
  return tinyContext('x', 1, [], [e(5)]);
}

const STATS: SynthesisStats = {
  scorer: 'teacher: LLM scores from s.jsonl (m)',
  threshold: 3.5,
  contexts: 8,
  contextsWithoutCandidates: 2,
  contextsWithoutLabels: 3,
  labels: 10,
  labelsPerContext: {
    mean: 1.25,
    median: 1,
    histogram: [
      { bucket: '0', contexts: 3 },
      { bucket: '1-2', contexts: 5 },
    ],
  },
  unscoredPairs: 4,
  longTail: {
    rule: 'R',
    labelSplit: 'train',
    shares: { head: 0.5, torso: 0.25, tail: 0.25 },
    distinctItems: 7,
  },
  gold: { pairs: 6, inCandidates: 3, kept: 1 },
};

test('the printed summary: a Markdown table of the statistics, the histogram and the bucket rule', () => {
  assert.equal(
    formatSynthesisStats(STATS),
    [
      'scorer: teacher: LLM scores from s.jsonl (m)',
      'threshold: score ≥ 3.5',
      '',
      '| statistic                                             |                    value |',
      '| :---------------------------------------------------- | -----------------------: |',
      '| contexts written                                      |                        8 |',
      '| contexts with no candidates line (left out)           |                        2 |',
      '| synthetic labels                                      |                       10 |',
      '| labels per context: mean / median                     |                 1.25 / 1 |',
      '| contexts with zero labels                             |               3 (37.5 %) |',
      '| distinct items labelled                               |                        7 |',
      '| labels on head / torso / tail items                   | 50.0 % / 25.0 % / 25.0 % |',
      '| gold pairs among candidates                           |          3 of 6 (50.0 %) |',
      '| gold pairs kept as labels (of those among candidates) |          1 of 3 (33.3 %) |',
      '| candidate pairs without a score (not kept)            |                        4 |',
      '',
      '| labels per context | contexts |',
      '| :----------------- | -------: |',
      '| 0                  |        3 |',
      '| 1-2                |        5 |',
      '',
      'long-tail buckets: R (labels of train)',
    ].join('\n'),
  );
  const none = formatSynthesisStats({
    ...STATS,
    contexts: 0,
    contextsWithoutLabels: 0,
    unscoredPairs: 0,
    gold: { pairs: 0, inCandidates: 0, kept: 0 },
  });
  assert.match(none, /^\| contexts with zero labels +\| +0 \(—\) \|$/m);
  assert.match(none, /^\| gold pairs among candidates +\| +0 of 0 \(—\) \|$/m);
  assert.doesNotMatch(none, /without a score/);
});

test('scorers describe themselves; the student scorer predicts from the featurizer’s rows and refuses other features', async () => {
  const width = FEATURE_NAMES.length;
  const rows = 6;
  const features = Float32Array.from({ length: rows * width }, (_, i) => Math.sin(i));
  const targets = Float32Array.from({ length: rows }, (_, i) => i % 5);
  const options = {
    featureNames: FEATURE_NAMES,
    hidden: [4],
    epochs: 2,
    batchSize: 4,
    lr: 0.01,
    weightDecay: 0,
    seed: 3,
    description: 'tiny student',
    embedder: 'none',
    calibration: 'none' as const,
    silent: true,
  };
  const { student } = Student.train(features, targets, options);
  const seen: PairRequest[][] = [];
  // The student scorer only calls featurize(); a stand-in that returns the rows above is enough.
  const featurizer = {
    featurize: async (requests: readonly PairRequest[]) => {
      seen.push([...requests]);
      return features;
    },
  } as unknown as PairFeaturizer;
  const scorer = studentScorer(student, featurizer);
  assert.equal(scorer.description, 'student: tiny student');
  const requests = [{ context: contextOnly(), items: [0, 1, 2, 3, 4, 5] }];
  assert.deepEqual(await scorer.score(requests), student.predict(features));
  assert.deepEqual(seen, [requests]);
  const other = Student.train(features, targets, {
    ...options,
    featureNames: ['x', 'y', ...FEATURE_NAMES.slice(2)],
  });
  assert.throws(
    () => studentScorer(other.student, featurizer),
    (err: unknown) =>
      err instanceof Error &&
      err.message === 'the student was trained on features this version does not compute (x, y)' &&
      (err as { hint?: string }).hint === 'run `crsaug augment distill` again',
  );

  const dataset = tinyDataset(ITEMS, { test: [] });
  const judged = (item: number, model: string): [string, ScoreRecord] => [
    `x#1#${name(item)}`,
    {
      dialog_id: 'x',
      turn_id: 1,
      item: name(item),
      score: 3,
      expected: null,
      valid: true,
      model,
      attempts: 1,
    } as unknown as ScoreRecord,
  ];
  const teacher = teacherScoresScorer(
    new Map([judged(0, 'a:1'), judged(1, 'b:2'), judged(2, 'a:1')]),
    dataset,
    's.jsonl',
  );
  assert.equal(teacher.description, 'teacher: LLM scores from s.jsonl (a:1, b:2)');
  assert.equal(
    teacherScoresScorer(new Map(), dataset, 'none.jsonl').description,
    'teacher: LLM scores from none.jsonl (no scores)',
  );
});

/** A scorer that gives each item its own fixed score and records the batches it was asked for. */
function fixedScorer(scores: Record<number, number>, calls: number[][]): PairScorer {
  return {
    description: 'fixed',
    score: async (requests) => {
      calls.push(requests.map((r) => r.items.length));
      return Float32Array.from(requests.flatMap((r) => r.items.map((item) => scores[item] ?? Number.NaN)));
    },
  };
}

const candidates = (context: RecContext, ranked: Array<[item: number, rank: number]>): CandidateRecord => ({
  dialog_id: context.dialogId,
  turn_id: context.turnId,
  candidates: ranked.map(([item, rank]) => ({ item: name(item), rank, sim: 1 / rank })),
});

test('synthesize: candidates by rank up to topK, kept by score then item index, contexts in batches', async () => {
  const contexts = [0, 1, 2].map((i) => tinyContext(`s${i}`, 2, [], [e(i)]));
  const dataset = tinyDataset(ITEMS, { train: [...train, ...contexts] });
  // Listed out of rank order: ranks 1, 2 and 3 are items 7, 3 and 5; item 9 is rank 4, beyond topK = 3.
  const lines = contexts.map((c) =>
    candidates(c, [
      [9, 4],
      [5, 3],
      [7, 1],
      [3, 2],
    ]),
  );
  const calls: number[][] = [];
  const out = join(dir, 'batches.jsonl');
  const stats = await synthesize({
    dataset,
    split: 'train',
    candidates: lines,
    candidatesSource: 'c.jsonl',
    scorer: fixedScorer({ 3: 4, 5: 4, 7: 2, 9: 4 }, calls),
    threshold: 3.5,
    topK: 3,
    outFile: out,
    batchContexts: 2,
    silent: true,
  });
  assert.deepEqual(calls, [[3, 3], [3]], 'two batches of contexts, three candidates each');
  const written = readFileSync(out, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  // Items 3 and 5 tie at 4: the lower index first; item 9 was never scored.
  assert.deepEqual(
    written.map((w) => w.rec),
    contexts.map(() => [name(3), name(5)]),
  );
  assert.equal(stats.labels, 6);
  // The long-tail train contexts have no candidates line.
  assert.equal(stats.contextsWithoutCandidates, train.length);
});

test('synthesize reports progress unless silent, and names a missing split or an unknown context', async () => {
  const contexts = [tinyContext('p', 1, [], [e(1)])];
  const dataset = tinyDataset(ITEMS, { train: [...train, ...contexts] });
  const options = {
    dataset,
    split: 'train' as const,
    candidates: [
      candidates(contexts[0]!, [
        [1, 1],
        [2, 2],
      ]),
    ],
    candidatesSource: 'c.jsonl',
    scorer: fixedScorer({ 1: 4, 2: 4 }, []),
    threshold: 3.5,
    topK: 50,
    outFile: join(dir, 'progress.jsonl'),
  };
  const loud = await stderrOf(() => synthesize(options));
  assert.match(loud.text, /^synthesize tiny\/train: 1\/1 \(100\.0%\) .* contexts\/s ETA .* 2 labels$/m);
  assert.match(loud.text, /^synthesize tiny\/train: 1\/1 contexts in .* 2 labels$/m);
  assert.equal((await stderrOf(() => synthesize({ ...options, silent: true }))).text, '');
  await assert.rejects(
    synthesize({ ...options, split: 'valid' }),
    (err: unknown) =>
      err instanceof Error &&
      String(err) === 'CrsaugError: synthetic labels are made for the train split only, not valid' &&
      (err as { hint?: string }).hint ===
        'labels on valid would steer model selection, labels on test would leak into the evaluation',
  );
  await assert.rejects(
    synthesize({ ...options, dataset: tinyDataset(ITEMS, { test: contexts }) }),
    /^CrsaugError: split "train" of tiny is not loaded$/,
  );
  const stranger = candidates(tinyContext('q', 9, [], []), [[1, 1]]);
  await assert.rejects(
    synthesize({ ...options, candidates: [stranger], silent: true }),
    /^CrsaugError: c\.jsonl: context q turn 9 is not in tiny\/train$/,
  );
});

test('the summary prints the teacher lines when there are teacher judgments, before the unscored pairs', () => {
  const text = formatSynthesisStats({
    ...STATS,
    teacherFours: { judged: 4, inCandidates: 1 },
    teacher: { contexts: 2, pairs: 9, added: 3 },
  });
  const fours = text.search(
    /^\| teacher's 4s on judged contexts among the candidates +\| +1 of 4 \(25\.0 %\) \|$/m,
  );
  const override = text.search(
    /^\| teacher override: judged contexts \/ pairs \(added to the candidates\) +\| +2 \/ 9 \(3\) \|$/m,
  );
  const unscored = text.search(/^\| candidate pairs without a score \(not kept\) +\| +4 \|$/m);
  assert.ok(fours > 0 && override > fours && unscored > override, text);
  assert.doesNotMatch(formatSynthesisStats(STATS), /teacher's 4s|teacher override/);
});

test('teacher judgments: a 3.5 counts as a 4, in the candidates or not; the override scores the judged items, gold statistics count the retrieved ones', async () => {
  const context = tinyContext('j', 2, [], [e(6)]);
  const dataset = tinyDataset(ITEMS, { train: [...train, context] });
  // Retrieved: 7, 5, 3 (gold item 6 is not among them); the teacher judged 3 (3.5), 6 (4) and 7 (2).
  const teacher = new Map([
    [
      'j#2',
      new Map([
        [3, 3.5],
        [6, 4],
        [7, 2],
      ]),
    ],
  ]);
  const calls: number[][] = [];
  const options = {
    dataset,
    split: 'train' as const,
    candidates: [
      candidates(context, [
        [7, 1],
        [5, 2],
        [3, 3],
      ]),
    ],
    candidatesSource: 'c.jsonl',
    scorer: fixedScorer({ 3: 4, 5: 4, 7: 1 }, calls),
    threshold: 3.5,
    topK: 50,
    batchContexts: 1,
    silent: true,
  };
  const read = (file: string) => JSON.parse(readFileSync(file, 'utf8').trim());
  const plain = await synthesize({ ...options, teacher, outFile: join(dir, 'judged-plain.jsonl') });
  // One batch of one context: a batch size that divides the contexts asks for no empty batch after them.
  assert.deepEqual(calls, [[3]]);
  assert.deepEqual(plain.teacherFours, { judged: 2, inCandidates: 1 });
  assert.equal(plain.teacher, undefined);
  // The scorer's 4s for items 5 and 3 tie: the lower item index first, though 5 was retrieved first.
  assert.deepEqual(read(join(dir, 'judged-plain.jsonl')).rec, [name(3), name(5)]);
  assert.deepEqual(plain.gold, { pairs: 1, inCandidates: 0, kept: 0 });

  const overridden = await synthesize({
    ...options,
    teacher,
    teacherOverride: true,
    outFile: join(dir, 'judged-override.jsonl'),
  });
  assert.deepEqual(overridden.teacher, { contexts: 1, pairs: 3, added: 1 });
  const line = read(join(dir, 'judged-override.jsonl'));
  // 5 keeps the scorer's 4; the teacher's 4 for 6 and 3.5 for 3 replace or add; 7's 2 is dropped.
  assert.deepEqual(line.rec, [name(5), name(6), name(3)]);
  assert.deepEqual(line.scores, [4, 4, 3.5]);
  // The gold was added by the teacher, not retrieved: kept as a label, still not among the candidates.
  assert.deepEqual(overridden.gold, { pairs: 1, inCandidates: 0, kept: 1 });

  // The override without judgments is the plain synthesis.
  const none = await synthesize({
    ...options,
    teacherOverride: true,
    outFile: join(dir, 'judged-none.jsonl'),
  });
  assert.deepEqual(none.teacher, { contexts: 0, pairs: 0, added: 0 });
  assert.equal(none.teacherFours, undefined);
  assert.deepEqual(read(join(dir, 'judged-none.jsonl')).rec, [name(3), name(5)]);
});

test('judgments by context: train contexts only, items of the catalog only; no train split, none', () => {
  const context = tinyContext('j', 2, [], [e(6)]);
  const dataset = tinyDataset(ITEMS, { train: [context], test: [tinyContext('t', 1, [], [e(1)])] });
  const judgments = new Map([
    [pairKey('j', 2, name(3)), 4],
    [pairKey('j', 2, 'No Such Movie (1900)'), 3],
    [pairKey('t', 1, name(1)), 4],
  ]);
  assert.deepEqual(judgedByContext(judgments, dataset), new Map([['j#2', new Map([[3, 4]])]]));
  assert.deepEqual(judgedByContext(judgments, tinyDataset(ITEMS, { test: [context] })), new Map());
});
