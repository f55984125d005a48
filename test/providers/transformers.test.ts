import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { PACKAGE_ROOT } from '../../src/config/paths.js';
import { ProvidersConfigSchema } from '../../src/config/providers.js';
import { embedMany } from '../../src/providers/embed-many.js';
import { createEmbeddingModel } from '../../src/providers/factory.js';
import { TransformersEmbeddingModel } from '../../src/providers/transformers/embedding.js';
import { MissingFileError } from '../../src/util/errors.js';

/** Made by scripts/make-fixture-models.mjs: a random-weight one-layer encoder, 16-d, WordPiece vocab of 119. */
const TINY_BERT = join(PACKAGE_ROOT, 'test', 'providers', 'fixtures', 'tiny-bert');

test('the tiny ONNX encoder loads offline and gives unit vectors that padding does not change', async () => {
  const model = await TransformersEmbeddingModel.load(TINY_BERT, { batchSize: 4 });
  assert.equal(
    model.describe(),
    `transformers:tiny-bert (local ONNX encoder at ${TINY_BERT}, mean pooling + L2 normalisation)`,
  );
  assert.equal(model.dimensions, 16);
  const texts = ['I love scary horror movies', 'comedy', 'a classic space war film for kids'];
  const { embeddings } = await model.doEmbed({ values: texts });
  assert.equal(embeddings.length, 3);
  for (const v of embeddings) {
    assert.equal(v.length, 16);
    assert.ok(Math.abs(Math.hypot(...v) - 1) < 1e-5);
  }
  assert.notDeepEqual(embeddings[0], embeddings[1]);
  // "comedy" was padded to the longest text in the batch; the attention mask must make that invisible.
  const [alone] = (await model.doEmbed({ values: ['comedy'] })).embeddings;
  for (let k = 0; k < 16; k++) assert.ok(Math.abs(alone![k]! - embeddings[1]![k]!) < 1e-5);

  const many = await embedMany(model, [...texts, ...texts]);
  assert.equal(many.rows, 6);
  assert.deepEqual(many.embeddings.subarray(3 * 16, 4 * 16), embeddings[0]);
});

test('a folder without onnx/model.onnx is a MissingFileError naming the file', async () => {
  const missing = join(dirname(fileURLToPath(import.meta.url)), 'no-such-model');
  await assert.rejects(
    TransformersEmbeddingModel.load(missing),
    (e: unknown) => e instanceof MissingFileError && e.file === join(missing, 'onnx', 'model.onnx'),
  );
});

test('the factory builds the transformers embedder from config', async () => {
  const config = ProvidersConfigSchema.parse({
    embedding: { provider: 'transformers', modelPath: TINY_BERT },
    cache: false,
  });
  const { model, usage } = await createEmbeddingModel(config);
  assert.equal(model.provider, 'transformers');
  const { embeddings } = await model.doEmbed({ values: ['horror'] });
  assert.equal(embeddings[0]!.length, 16);
  assert.equal(usage.summary()[0]!.calls, 1);
  assert.equal(usage.summary()[0]!.costUsd, 0);
});
