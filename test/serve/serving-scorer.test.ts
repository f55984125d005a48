import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildBackbone } from '../../src/models/registry.js';
import { KbrdConfigSchema, TextConfigSchema } from '../../src/models/settings.js';
import { asRecommender } from '../../src/models/trainable.js';
import { servingScorer } from '../../src/serve/serving-scorer.js';
import { loadInspired } from '../train/helpers.js';

/** Largest absolute difference between two score matrices. */
function maxDiff(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

test('the frozen KBRD scorer gives the scores of the full forward pass', async () => {
  const dataset = await loadInspired();
  const contexts = dataset.splits.test!.contexts.slice(0, 16);
  const settings = KbrdConfigSchema.parse({ maxEntities: 8 });
  // Two identically built models: servingScorer freezes its own, the other is scored as evaluation does.
  const reference = await buildBackbone('kbrd', dataset, settings, 7);
  const served = servingScorer(
    await buildBackbone('kbrd', dataset, settings, 7),
    dataset.catalog.items.length,
  );
  try {
    const expected = asRecommender(reference).score(contexts);
    assert.ok(maxDiff(served.score(contexts), expected) < 1e-4);
    // One context at a time (as requests come) and an entity-free context give the same too.
    assert.ok(
      maxDiff(served.score(contexts.slice(3, 4)), asRecommender(reference).score(contexts.slice(3, 4))) <
        1e-4,
    );
    const empty = { ...contexts[0]!, entities: [] };
    assert.ok(maxDiff(served.score([empty]), asRecommender(reference).score([empty])) < 1e-4);
  } finally {
    served.free();
    reference.module.free();
  }
});

test('other backbones are served through the evaluation path', async () => {
  const dataset = await loadInspired();
  const contexts = dataset.splits.test!.contexts.slice(0, 4);
  const settings = TextConfigSchema.parse({ dim: 16, attentionDim: 16, vocabularySize: 500 });
  const model = await buildBackbone('text', dataset, settings, 3);
  const served = servingScorer(model, dataset.catalog.items.length);
  try {
    assert.equal(maxDiff(served.score(contexts), asRecommender(model).score(contexts)), 0);
  } finally {
    served.free();
  }
});
