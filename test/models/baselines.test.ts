import assert from 'node:assert/strict';
import { test } from 'node:test';
import { evaluateRecommender, rankContexts } from '../../src/eval/evaluate.js';
import { countLabels, createPopularity } from '../../src/models/popularity.js';
import { createRandom } from '../../src/models/random.js';
import { createRepeat } from '../../src/models/repeat.js';
import { e, tinyContext, tinyDataset } from '../eval/tiny-dataset.js';

// Train labels after removal: item 2 ×2, item 1 ×1; the re-mentioned item 0 does not count.
const train = [tinyContext('t1', 1, [e(0)], [e(2), e(0)]), tinyContext('t2', 1, [], [e(2), e(1)])];
const test_ = [tinyContext('x', 1, [e(3), e(1), e(3)], [e(2), e(1)]), tinyContext('y', 3, [], [e(0)])];

test('popularity scores train label counts after removal; ties fall to the lower index', () => {
  const dataset = tinyDataset(5, { train, test: test_ });
  assert.deepEqual([...countLabels(train, 5)], [0, 1, 2, 0, 0]);
  const popularity = createPopularity(dataset);
  assert.equal(popularity.name, 'popularity');
  const rankings = rankContexts(popularity, test_, 5, { topK: 3, silent: true });
  assert.deepEqual(
    rankings.map((r) => [...r]),
    [
      [2, 1, 0],
      [2, 1, 0],
    ],
  );
});

test('popularity falls back to valid labels and says so when there is no train split', () => {
  const popularity = createPopularity(tinyDataset(5, { valid: train, test: test_ }));
  assert.equal(popularity.name, 'popularity(valid labels)');
  assert.throws(() => createPopularity(tinyDataset(5, { test: test_ })), /neither a train nor a valid split/);
});

test('repeat ranks only context items, most recent mention first, and scores 0 when they are removed', () => {
  const dataset = tinyDataset(5, { train, test: test_ });
  const repeat = createRepeat(dataset);
  const rankings = rankContexts(repeat, test_, 5, { topK: 100, silent: true });
  // x mentions 3, 1, 3: item 3 was mentioned last.
  assert.deepEqual(
    rankings.map((r) => [...r]),
    [[3, 1], []],
  );
  const { result } = evaluateRecommender(repeat, test_, dataset.catalog, {
    ks: [1, 10],
    topK: 100,
    silent: true,
  });
  assert.equal(result.metrics['recall@10'], 0);
  assert.equal(result.metrics.pairs, 2);
  // Unfiltered, the re-mentioned gold item 1 is found at rank 1.
  assert.equal(result.metrics['unfiltered.recall@10'], 1 / 3);
});

test('random is reproducible per seed and independent of batching and of which contexts are scored', () => {
  const dataset = tinyDataset(50, { test: test_ });
  const a = createRandom(dataset, { seed: 5 }).score(test_);
  const b = createRandom(dataset, { seed: 5 }).score(test_.slice(1));
  assert.deepEqual([...a.subarray(50)], [...b]);
  const c = createRandom(dataset, { seed: 6 }).score(test_);
  assert.notDeepEqual([...a], [...c]);
  assert.ok(a.every((v) => v >= 0 && v < 1));
});
