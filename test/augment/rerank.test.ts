import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fuseList, scoredTopN, studentScoresOf } from '../../src/augment/rerank.js';
import type { PairScorer } from '../../src/augment/synthesize.js';
import type { RecContext } from '../../src/data/types.js';

const context = (turnId: number): RecContext => ({
  dialogId: 'd',
  turnId,
  utterances: ['hi'],
  entities: [],
  gold: [],
  goldEntities: [],
  recNames: [],
});

describe('re-ranking at inference', () => {
  test("scoredTopN keeps each context's best items with their scores, best first", () => {
    const scores = Float32Array.of(0.1, 0.9, 0.5, 0.3, /* context 2 */ 2, 1, 3, 0);
    const recommender = {
      name: 'fixed',
      score: (cs: readonly RecContext[]) =>
        Float32Array.from(cs.flatMap((c) => [...scores.subarray((c.turnId - 1) * 4, c.turnId * 4)])),
    };
    const lists = scoredTopN(recommender, [context(1), context(2)], 4, 3, 1);
    assert.deepEqual([...lists[0]!.items], [1, 2, 3]);
    assert.deepEqual([...lists[0]!.scores], [0.9, 0.5, 0.3].map(Math.fround));
    assert.deepEqual([...lists[1]!.items], [2, 0, 1]);
  });

  test('fuseList: weight 0 keeps the order; a student score moves an item by weight × score against the standardised base', () => {
    const list = { items: Int32Array.of(7, 8, 9), scores: Float32Array.of(3, 2, 1) };
    assert.deepEqual([...fuseList(list, [0, 0, 4], 0)], [7, 8, 9]);
    // z = (+1.22, 0, −1.22): student 4 on the last item lifts it past the second once weight · 4 > 1.22 and
    // past the first once weight · 4 > 2.45.
    assert.deepEqual([...fuseList(list, [0, 0, 4], 0.25)], [7, 8, 9]);
    assert.deepEqual([...fuseList(list, [0, 0, 4], 0.5)], [7, 9, 8]);
    assert.deepEqual([...fuseList(list, [0, 0, 4], 1)], [9, 7, 8]);
    // Equal fused scores keep the base order.
    assert.deepEqual(
      [...fuseList({ items: Int32Array.of(1, 2), scores: Float32Array.of(5, 5) }, [1, 1], 1)],
      [1, 2],
    );
  });

  test("studentScoresOf scores the union of the seeds' lists once per context", async () => {
    const asked: number[][] = [];
    const scorer: PairScorer = {
      description: 'item / 10',
      score: async (requests) => {
        asked.push(...requests.map((r) => [...r.items]));
        return Float32Array.from(requests.flatMap((r) => r.items.map((item) => item / 10)));
      },
    };
    const maps = await studentScoresOf(
      scorer,
      [context(1), context(2)],
      [
        [Int32Array.of(1, 2), Int32Array.of(2, 3)],
        [Int32Array.of(5), Int32Array.of(5)],
      ],
      1,
    );
    assert.deepEqual(asked, [[1, 2, 3], [5]]);
    assert.equal(maps[0]!.get(3), Math.fround(0.3));
    assert.equal(maps[1]!.size, 1);
  });
});
