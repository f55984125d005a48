import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { PACKAGE_ROOT } from '../../src/config/paths.js';
import { ProvidersConfigSchema } from '../../src/config/providers.js';
import { createChatModel } from '../../src/providers/factory.js';
import { LlamaCppChatModel } from '../../src/providers/llamacpp/chat.js';
import { LlamaCppEmbeddingModel } from '../../src/providers/llamacpp/embedding.js';
import { MissingFileError } from '../../src/util/errors.js';

/** Made by scripts/make-fixture-models.mjs: one llama block, 64-d, random weights, 350-piece vocabulary. */
const TINY_LLAMA = join(PACKAGE_ROOT, 'test', 'providers', 'fixtures', 'tiny-llama.gguf');

const ask = {
  messages: [
    { role: 'system' as const, content: 'Rate the movie.' },
    { role: 'user' as const, content: 'the horror movie score:' },
  ],
  maxTokens: 5,
};

test('the tiny GGUF generates greedily and deterministically, with logprobs of the chosen and top tokens', async () => {
  const model = await LlamaCppChatModel.load(TINY_LLAMA, { threads: 1 });
  assert.equal(
    model.describe(),
    `llamacpp:tiny-llama.gguf (local GGUF chat model at ${TINY_LLAMA}, CPU via node-llama-cpp)`,
  );
  const result = await model.doGenerate({ ...ask, logprobs: { topLogprobs: 3 } });
  assert.ok(result.usage!.inputTokens > 5, `prompt of ${result.usage!.inputTokens} tokens`);
  assert.ok(result.usage!.outputTokens >= 1 && result.usage!.outputTokens <= 5);
  if (result.finishReason === 'length') assert.equal(result.usage!.outputTokens, 5);
  assert.equal(result.logprobs!.length, result.usage!.outputTokens);
  for (const step of result.logprobs!) {
    assert.equal(step.top.length, 3);
    assert.ok(step.top[0]!.logprob >= step.top[1]!.logprob && step.top[1]!.logprob >= step.top[2]!.logprob);
    // Temperature 0 picks the most probable token.
    assert.equal(step.token, step.top[0]!.token);
    assert.ok(Math.abs(step.logprob - step.top[0]!.logprob) < 1e-4);
    assert.ok(step.logprob <= 0);
  }
  const again = await model.doGenerate(ask);
  assert.equal(again.text, result.text);
  assert.equal(again.logprobs, undefined);
});

test('the tiny GGUF embeds: unit 64-d vectors, equal for equal texts', async () => {
  const model = await LlamaCppEmbeddingModel.load(TINY_LLAMA, { threads: 1 });
  assert.equal(model.dimensions, 64);
  const { embeddings } = await model.doEmbed({ values: ['horror movie', 'good comedy', 'horror movie'] });
  for (const v of embeddings) assert.ok(Math.abs(Math.hypot(...v) - 1) < 1e-5);
  assert.deepEqual(embeddings[0], embeddings[2]);
  assert.notDeepEqual(embeddings[0], embeddings[1]);
});

test('the factory wraps the llamacpp chat model with the cache; a missing file says so', async () => {
  const config = ProvidersConfigSchema.parse({
    chat: { provider: 'llamacpp', modelPath: TINY_LLAMA, threads: 1 },
  });
  const cacheDir = mkdtempSync(join(tmpdir(), 'crsaug-llamacpp-'));
  const { model, usage, close } = await createChatModel(config, { cacheDir, stage: 'label' });
  const first = await model.doGenerate(ask);
  const second = await model.doGenerate(ask);
  close();
  assert.deepEqual(second, first);
  const [row] = usage.summary();
  assert.equal(row!.calls, 1);
  assert.equal(row!.cacheHits, 1);
  assert.equal(row!.costUsd, 0);

  await assert.rejects(
    LlamaCppChatModel.load(join(tmpdir(), 'no-such-model.gguf')),
    (e: unknown) => e instanceof MissingFileError,
  );
});
