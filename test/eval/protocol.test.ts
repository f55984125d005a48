import assert from 'node:assert/strict';
import { test } from 'node:test';
import { evaluateRankings } from '../../src/eval/protocol.js';
import { e, tinyCatalog, tinyContext } from './tiny-dataset.js';

const catalog = tinyCatalog(6);
const GENRE = 3; // a non-item entity
const ks = [1, 2, 5];

// A: item 0 and a genre mentioned; gold item 1, item 0 (re-mention) and item 3.
// B: nothing mentioned; gold item 5 and a non-item entity (can never be hit); its list is short.
// C: its only gold is a re-mention, so it has no filtered pair.
const contexts = [
  tinyContext('A', 1, [e(0), GENRE], [e(1), e(0), e(3)]),
  tinyContext('B', 1, [], [e(5), GENRE]),
  tinyContext('C', 3, [e(2)], [e(2)]),
];
const rankings = [Int32Array.of(0, 2, 1, 4, 3, 5), Int32Array.of(5, 0), Int32Array.of(2, 1)];
const result = evaluateRankings(contexts, rankings, catalog, { ks, topK: 100 });

function close(actual: number | undefined, expected: number, key: string): void {
  assert.ok(actual !== undefined && Math.abs(actual - expected) < 1e-12, `${key}: ${actual} ≠ ${expected}`);
}

test('filtered pairs skip re-mentions and rank in the list without context items', () => {
  // A filtered list: items 2,1,4,3,5 → gold 1 at rank 1, gold 3 at rank 3; B: 5 at 0, the genre absent.
  assert.deepEqual([...result.filtered.ranks], [1, 3, 0, -1]);
  assert.deepEqual([...result.filtered.contexts], [0, 0, 1, 1]);
  assert.deepEqual([...result.filtered.goldEntities], [e(1), e(3), e(5), GENRE]);
  const m = result.metrics;
  assert.equal(m.pairs, 4);
  close(m['recall@1'], 1 / 4, 'recall@1');
  close(m['recall@2'], 2 / 4, 'recall@2');
  close(m['recall@5'], 3 / 4, 'recall@5');
  close(m['ndcg@1'], 1 / 4, 'ndcg@1');
  close(m['ndcg@2'], (1 / Math.log2(3) + 1) / 4, 'ndcg@2');
  close(m['ndcg@5'], (1 / Math.log2(3) + 1 / Math.log2(5) + 1) / 4, 'ndcg@5');
  close(m['mrr@1'], 1 / 4, 'mrr@1');
  close(m['mrr@2'], (1 / 2 + 1) / 4, 'mrr@2');
  close(m['mrr@5'], (1 / 2 + 1 / 4 + 1) / 4, 'mrr@5');
});

test('coverage and entropy count each filtered top-k list once per evaluated label', () => {
  const m = result.metrics;
  // k=1: item 2 twice (A), item 5 twice (B); C serves no label.
  assert.equal(m['coverage@1'], 2);
  close(m['entropy@1'], 1, 'entropy@1');
  assert.equal(m['coverage@2'], 4);
  close(m['entropy@2'], 2, 'entropy@2');
  // k=5: A's 2,1,4,3,5 twice each, B's 5,0 twice each: item 5 has 4 of 14, the others 2 of 14.
  assert.equal(m['coverage@5'], 6);
  close(m['entropy@5'], -(5 * (2 / 14) * Math.log2(2 / 14) + (4 / 14) * Math.log2(4 / 14)), 'entropy@5');
});

test('the unfiltered variant ranks the raw list and counts every gold, re-mentions included', () => {
  // A raw list: entities 10,12,11,14,13,15 → gold 1 at 2, gold 0 at 0, gold 3 at 4; B: 0 and -1; C: 0.
  assert.deepEqual([...result.unfiltered.ranks], [2, 0, 4, 0, -1, 0]);
  const m = result.metrics;
  assert.equal(m['unfiltered.pairs'], 6);
  close(m['unfiltered.recall@1'], 3 / 6, 'unfiltered.recall@1');
  close(m['unfiltered.recall@5'], 5 / 6, 'unfiltered.recall@5');
  close(m['unfiltered.mrr@5'], (1 / 3 + 1 + 1 / 5 + 1 + 0 + 1) / 6, 'unfiltered.mrr@5');
  assert.equal(m['unfiltered.coverage@1'], undefined, 'coverage is reported for the filtered variant only');
});

test('lists are cut to topK before context items are removed, so the filtered list gets shorter', () => {
  // top-2 of A is items 0,2; removing item 0 leaves [2]: gold 1 (rank 2 in the full list) is now a miss.
  const cut = evaluateRankings(contexts, rankings, catalog, { ks, topK: 2 });
  assert.deepEqual([...cut.filtered.ranks], [-1, -1, 0, -1]);
  // A keeps [2], B keeps [5, 0].
  assert.equal(cut.metrics['coverage@5'], 3);
});

test('other gold items of the same turn stay in the ranking', () => {
  const both = [tinyContext('D', 1, [], [e(0), e(1)])];
  const r = evaluateRankings(both, [Int32Array.of(0, 1)], catalog, { ks: [1], topK: 100 });
  assert.deepEqual([...r.filtered.ranks], [0, 1]);
  assert.equal(r.metrics['recall@1'], 0.5);
});

test('no pairs gives zero metrics, not NaN', () => {
  const r = evaluateRankings([tinyContext('E', 1, [e(0)], [e(0)])], [Int32Array.of(0)], catalog, {
    ks: [1],
    topK: 10,
  });
  assert.equal(r.metrics.pairs, 0);
  assert.equal(r.metrics['recall@1'], 0);
  assert.equal(r.metrics['entropy@1'], 0);
  assert.equal(r.metrics['coverage@1'], 0);
});

test('a ranking count that does not match the contexts is an error', () => {
  assert.throws(
    () => evaluateRankings(contexts, rankings.slice(1), catalog),
    /2 ranked lists for 3 contexts/,
  );
});

test('without options the reference settings apply: top 100, then k = 1, 5, 10, 25, 50', () => {
  const wide = tinyCatalog(120);
  // Gold items at 0-based positions 20, 99 and 100 of the full 120-item list.
  const order = Int32Array.from({ length: 120 }, (_, i) => i);
  const at = [20, 99, 100];
  const r = evaluateRankings(
    at.map((p, i) => tinyContext(`R${i}`, 1, [], [e(order[p]!)])),
    at.map(() => order),
    wide,
  );
  assert.deepEqual([...r.filtered.ranks], [20, 99, -1], 'the 101st item is cut');
  assert.deepEqual(
    Object.keys(r.metrics).filter((k) => k.startsWith('recall@')),
    ['recall@1', 'recall@5', 'recall@10', 'recall@25', 'recall@50'],
  );
  close(r.metrics['recall@25'], 1 / 3, 'recall@25');
  assert.equal(r.metrics['recall@10'], 0);
  assert.equal(r.metrics['coverage@50'], 50);
});
