import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  createRecommender,
  getRecommenderSpec,
  recommenderNames,
  registerRecommender,
} from '../../src/models/registry.js';
import { e, tinyContext, tinyDataset } from '../eval/tiny-dataset.js';

test('the baselines are registered by name with their seeding', () => {
  assert.deepEqual(recommenderNames().slice(0, 3), ['popularity', 'repeat', 'random']);
  assert.equal(getRecommenderSpec('random').seeded, true);
  assert.equal(getRecommenderSpec('popularity').seeded, false);
});

test('an unknown name lists the known ones', () => {
  assert.throws(
    () => getRecommenderSpec('nope'),
    (err: Error & { hint?: string }) =>
      /unknown recommender "nope"/.test(err.message) && /popularity/.test(err.hint ?? ''),
  );
});

test('a registered factory is created by name (sync or async) and names cannot be taken twice', async () => {
  registerRecommender({
    name: 'constant-test',
    description: 'test only',
    seeded: false,
    needsTrainingData: false,
    create: async (dataset) => ({
      name: 'constant-test',
      score: (contexts) => new Float32Array(contexts.length * dataset.catalog.items.length).fill(1),
    }),
  });
  const dataset = tinyDataset(3, { test: [tinyContext('a', 1, [], [e(0)])] });
  const model = await createRecommender('constant-test', dataset, { seed: 0 });
  assert.deepEqual([...model.score(dataset.splits.test!.contexts)], [1, 1, 1]);
  assert.throws(() => registerRecommender({ ...getRecommenderSpec('repeat') }), /already registered/);
});
