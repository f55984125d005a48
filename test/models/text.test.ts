import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { evaluateRecommender, REFERENCE_EVAL_OPTIONS } from '../../src/eval/index.js';
import { asRecommender } from '../../src/models/trainable.js';
import { loadModel } from '../../src/train/checkpoint.js';
import { runTraining } from '../../src/train/run.js';
import { loadInspired, tempDir, tinyConfig, withTrainSubset } from '../train/helpers.js';

const TINY_TEXT = {
  dim: 8,
  bases: 2,
  attentionDim: 8,
  maxEntities: 8,
  maxTokens: 32,
  vocabularySize: 500,
  fallbackBuckets: 64,
};

test('text backbone trains, and its checkpoint (with the learned vocabulary) scores exactly like the trained model', async () => {
  const dataset = withTrainSubset(await loadInspired(), 120);
  const dir = tempDir('text');
  const config = tinyConfig({ model: 'text', epochs: 2, text: TINY_TEXT });
  const { runs } = await runTraining(config, dataset, { outDir: dir, silent: true });
  const run = runs[0]!;
  assert.ok(run.history[1]!.loss < run.history[0]!.loss, 'loss decreases');
  assert.equal(run.test.pairs, 161);
  const model = await loadModel(join(dir, 'seed-42', 'best'), dataset);
  try {
    const vocabulary = model.config.vocabulary as string[];
    assert.equal(vocabulary.length, 500);
    assert.ok(vocabulary.includes('movie'));
    const reloaded = evaluateRecommender(
      asRecommender(model),
      dataset.splits.test!.contexts,
      dataset.catalog,
      {
        ...REFERENCE_EVAL_OPTIONS,
        silent: true,
      },
    );
    assert.deepEqual(reloaded.result.metrics, run.test);
  } finally {
    model.module.free();
  }
});
