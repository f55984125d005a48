import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rankContexts } from '../../src/eval/evaluate.js';
import { judgedMetrics } from '../../src/eval/judged.js';
import { Judgments } from '../../src/eval/judgments.js';
import { e, tinyCatalog, tinyContext } from './tiny-dataset.js';

const catalog = tinyCatalog(8);
const options = {
  ks: [3, 5],
  topK: 100,
  relevantScore: 3,
  unjudgedGoldScore: 3,
  contexts: 'judged' as const,
};

// A: item 7 mentioned; gold item 0, unjudged. Judged: 1 → 4, 2 → 2, 3 → 0, 4 → 3 and 4 (mean 3.5), and the
//    mentioned item 7 → 4 (never rankable, so out of the ideal).
// B: gold item 6 judged 1 ("judged otherwise"), item 2 judged 0; its list is shorter than 5.
// C: gold item 5, no judgment at all: left out under contexts 'judged'.
// D: gold item 3 judged 0 and item 1 judged 0: nothing to find, no nDCG.
// E: judged but no gold pair (its gold is a re-mention): never averaged.
const contexts = [
  tinyContext('A', 1, [e(7)], [e(0)]),
  tinyContext('B', 1, [], [e(6)]),
  tinyContext('C', 1, [], [e(5)]),
  tinyContext('D', 1, [], [e(3)]),
  tinyContext('E', 1, [e(2)], [e(2)]),
];
const judgments = new Judgments('tiny', 'test');
for (const [dialog, item, score] of [
  ['A', 1, 4],
  ['A', 2, 2],
  ['A', 3, 0],
  ['A', 4, 3],
  ['A', 4, 4],
  ['A', 7, 4],
  ['B', 6, 1],
  ['B', 2, 0],
  ['D', 3, 0],
  ['D', 1, 0],
  ['E', 1, 4],
] as const) {
  judgments.add(dialog, 1, item, score);
}
const rankings = [
  Int32Array.of(7, 1, 5, 0, 2, 4, 3, 6),
  Int32Array.of(6, 2, 3),
  Int32Array.of(5, 0, 1),
  Int32Array.of(0, 1, 2, 3),
  Int32Array.of(1, 0),
];

function close(actual: number | undefined, expected: number, key: string): void {
  assert.ok(actual !== undefined && Math.abs(actual - expected) < 1e-12, `${key}: ${actual} ≠ ${expected}`);
}

// Gains 2^s − 1: 4 → 15, 3.5 → 2^3.5 − 1, 3 (the unjudged gold) → 7, 2 → 3, 1 → 1, 0 → 0.
const g35 = 2 ** 3.5 - 1;
// A's filtered list is 1, 5, 0, 2, 4, 3, 6 (7 removed); 5 and 6 are unjudged. Ideal gains: 15, g35, 7, 3, 0.
const idealA3 = 15 + g35 / Math.log2(3) + 7 / 2;
const idealA5 = idealA3 + 3 / Math.log2(5);
const A = {
  ndcg3: (15 + 0 + 7 / 2) / idealA3,
  ndcg5: (15 + 0 + 7 / 2 + 3 / Math.log2(5) + g35 / Math.log2(6)) / idealA5,
  precision3: 2 / 3, // 1 (4) and the gold 0 (3); 5 is unjudged
  precision5: 3 / 5, // + 4 (mean 3.5)
  coverage3: 2 / 3,
  coverage5: 4 / 5,
  // Condensed: 1, 0, 2, 4, 3.
  condensedNdcg3: (15 + 7 / Math.log2(3) + 3 / 2) / idealA3,
  condensedNdcg5: (15 + 7 / Math.log2(3) + 3 / 2 + g35 / Math.log2(5) + 0) / idealA5,
  condensedPrecision3: 2 / 3,
  condensedPrecision5: 3 / 5,
};
// B's list 6, 2, 3: gains 1, 0, unjudged; ideal 1, 0 → nDCG 1. Two empty slots at k = 5 count as known.
const B = {
  ndcg3: 1,
  ndcg5: 1,
  precision3: 0,
  precision5: 0,
  coverage3: 2 / 3,
  coverage5: (2 + 2) / 5,
  condensedNdcg3: 1,
  condensedNdcg5: 1,
  condensedPrecision3: 0,
  condensedPrecision5: 0,
};
// D: everything judged 0; list 0, 1, 2, 3 → 3 is the gold (0), 1 judged 0.
const D = { precision3: 0, precision5: 0, coverage3: 1 / 3, coverage5: (2 + 1) / 5 };

test('graded nDCG, precision, coverage and condensed lists match a hand computation', () => {
  const { metrics, contextIndices, perContext } = judgedMetrics(
    contexts,
    rankings,
    catalog,
    judgments,
    options,
  );
  assert.deepEqual([...contextIndices], [0, 1, 3]);
  assert.equal(metrics['judged.contexts'], 3);
  assert.equal(metrics['judged.ndcgContexts'], 2);
  assert.equal(metrics['judged.evaluatedContexts'], 4);
  assert.equal(metrics['judged.unjudgedGold'], 1);
  close(metrics['judged.ndcg@3'], (A.ndcg3 + B.ndcg3) / 2, 'ndcg@3');
  close(metrics['judged.ndcg@5'], (A.ndcg5 + B.ndcg5) / 2, 'ndcg@5');
  close(metrics['judged.precision@3'], (A.precision3 + B.precision3 + D.precision3) / 3, 'precision@3');
  close(metrics['judged.precision@5'], (A.precision5 + B.precision5 + D.precision5) / 3, 'precision@5');
  close(metrics['judged.coverage@3'], (A.coverage3 + B.coverage3 + D.coverage3) / 3, 'coverage@3');
  close(metrics['judged.coverage@5'], (A.coverage5 + B.coverage5 + D.coverage5) / 3, 'coverage@5');
  close(metrics['judged.condensed.ndcg@3'], (A.condensedNdcg3 + B.condensedNdcg3) / 2, 'condensed.ndcg@3');
  close(metrics['judged.condensed.ndcg@5'], (A.condensedNdcg5 + B.condensedNdcg5) / 2, 'condensed.ndcg@5');
  close(
    metrics['judged.condensed.precision@5'],
    (A.condensedPrecision5 + 0 + 0) / 3,
    'condensed.precision@5',
  );
  // Per context, for paired tests; D has no nDCG.
  const ndcg3 = perContext['judged.ndcg@3']!;
  close(ndcg3[0], A.ndcg3, 'A ndcg@3');
  close(ndcg3[1], B.ndcg3, 'B ndcg@3');
  assert.ok(Number.isNaN(ndcg3[2]!));
  close(perContext['judged.condensed.precision@3']![0], A.condensedPrecision3, 'A condensed precision@3');
});

test('every evaluated context: an unjudged gold counts as judged with score 3', () => {
  const { metrics, contextIndices, perContext } = judgedMetrics(contexts, rankings, catalog, judgments, {
    ...options,
    contexts: 'evaluated',
  });
  assert.deepEqual([...contextIndices], [0, 1, 2, 3]);
  assert.equal(metrics['judged.unjudgedGold'], 2);
  // C's list 5, 0, 1: only the gold 5 is known (gain 7), and it is first → nDCG 1, precision 1/3, coverage 1/3.
  close(perContext['judged.ndcg@3']![2], 1, 'C ndcg@3');
  close(perContext['judged.precision@3']![2], 1 / 3, 'C precision@3');
  close(perContext['judged.coverage@3']![2], 1 / 3, 'C coverage@3');
  // Scoring the unjudged gold 4 instead raises nothing but the ideal and its own gain.
  const four = judgedMetrics(contexts, rankings, catalog, judgments, { ...options, unjudgedGoldScore: 4 });
  const idealA3Four = 15 + 15 / Math.log2(3) + g35 / 2;
  close(four.perContext['judged.ndcg@3']![0], (15 + 0 + 15 / 2) / idealA3Four, 'A ndcg@3 with gold 4');
});

test('ties: equal gains in any order give the same nDCG; equal recommender scores rank the lower item first', () => {
  const single = [tinyContext('A', 1, [e(7)], [e(0)])];
  const swapped = (list: number[]) =>
    judgedMetrics(single, [Int32Array.from(list)], catalog, judgments, options).metrics['judged.ndcg@5']!;
  // Items 5 and 6 are both unjudged (gain 0): swapping them changes nothing; swapping 1 (15) and 4 (g35) does.
  close(swapped([1, 6, 0, 2, 4, 3, 5]), swapped([1, 5, 0, 2, 4, 3, 6]), 'swap of equal gains');
  assert.notEqual(swapped([4, 5, 0, 2, 1]), swapped([1, 5, 0, 2, 4]));
  // A recommender that scores every item the same: the ranking is 0, 1, …, 6 (7 filtered out).
  const flat = { name: 'flat', score: (cs: readonly unknown[]) => new Float32Array(cs.length * 8) };
  const ranked = rankContexts(flat, single, 8, { topK: 100, silent: true });
  assert.deepEqual([...ranked[0]!], [0, 1, 2, 3, 4, 5, 6, 7]);
  const viaRecommender = judgedMetrics(single, ranked, catalog, judgments, options).metrics['judged.ndcg@3']!;
  close(viaRecommender, (7 + 15 / Math.log2(3) + 3 / 2) / idealA3, 'ndcg@3 of 0, 1, 2');
});

test('a pair judged several times gets the mean of its scores', () => {
  assert.deepEqual(judgments.get('A', 1, 4), { score: 3.5, count: 2 });
  assert.equal(judgments.pairs, 10);
  assert.equal(judgments.lines, 11);
  assert.equal(judgments.contexts, 4);
});

test('ranked lists must match the contexts', () => {
  assert.throws(
    () => judgedMetrics(contexts, rankings.slice(1), catalog, judgments, options),
    /4 ranked lists for 5/,
  );
});
