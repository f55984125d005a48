import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { z } from 'zod';
import { PROVIDER_ENV_BINDINGS, ProvidersConfigSchema } from '../../src/config/providers.js';
import { createChatModel, createEmbeddingModel } from '../../src/providers/factory.js';
import { MockOpenAIServer } from './mock-openai-server.js';

let server: MockOpenAIServer;
before(async () => {
  server = await MockOpenAIServer.start();
});
after(() => server.close());

test('every CRSAUG_LLM_* / CRSAUG_EMBED_* binding lands on a field of the providers schema', () => {
  const Root = z.object({ providers: ProvidersConfigSchema });
  for (const [name, binding] of Object.entries(PROVIDER_ENV_BINDINGS)) {
    const value = binding.path.at(-1) === 'baseUrl' ? 'http://127.0.0.1:1/v1' : `value-of-${name}`;
    const input: Record<string, unknown> = {};
    let node = input;
    for (const key of binding.path.slice(0, -1)) {
      node[key] = {};
      node = node[key] as Record<string, unknown>;
    }
    node[binding.path.at(-1)!] = value;
    let parsed: unknown = Root.parse(input);
    for (const key of binding.path) parsed = (parsed as Record<string, unknown>)[key];
    assert.equal(parsed, value, name);
  }
});

test('a base URL alone selects openai-compatible; missing settings name the field and variable', async () => {
  const { model, close } = await createChatModel(
    ProvidersConfigSchema.parse({ chat: { baseUrl: server.url, model: 'mock-llm' }, cache: false }),
  );
  close();
  assert.equal(model.provider, 'openai-compatible');
  assert.equal(
    (await model.doGenerate({ messages: [{ role: 'user', content: 'hi' }], maxTokens: 2 })).text,
    'score: 3',
  );
  await assert.rejects(createChatModel(ProvidersConfigSchema.parse({})), /no chat model configured/);
  await assert.rejects(
    createChatModel(ProvidersConfigSchema.parse({ chat: { baseUrl: server.url }, cache: false })),
    (e: Error & { hint?: string }) =>
      /providers\.chat\.model/.test(e.message) && /CRSAUG_LLM_MODEL/.test(e.hint!),
  );
  assert.throws(() => ProvidersConfigSchema.parse({ chat: { baseUrl: 'not a url' } }), /baseUrl/);
});

test('without an embedding server the builtin offline embedder is used; a cached rerun skips its fit', async () => {
  const fitTexts = ['a scary horror film', 'a funny comedy film', 'horror with ghosts', 'romantic comedy'];
  const config = ProvidersConfigSchema.parse({ embedding: { dimensions: 3 } });
  const cacheDir = mkdtempSync(join(tmpdir(), 'crsaug-builtin-'));
  const first = await createEmbeddingModel(config, { fitTexts, cacheDir });
  assert.equal(first.model.provider, 'builtin');
  assert.match(first.model.describe(), /^builtin:tfidf-lsa \(offline lexical embedder, not a neural model/);
  const a = await first.model.doEmbed({ values: ['horror film', 'comedy'] });
  first.close();
  assert.equal(a.embeddings[0]!.length, 3);
  const [firstRow] = first.usage.summary();
  assert.equal(firstRow!.calls, 1);
  assert.equal(firstRow!.costUsd, 0);

  const second = await createEmbeddingModel(config, { fitTexts, cacheDir });
  const b = await second.model.doEmbed({ values: ['comedy', 'horror film'] });
  second.close();
  assert.deepEqual(b.embeddings, [a.embeddings[1], a.embeddings[0]]);
  // No call reached the model, so it was never fitted.
  assert.equal(second.usage.summary()[0]!.calls, 0);
  assert.equal(second.usage.summary()[0]!.cacheHits, 2);
  assert.match(second.model.describe(), /LSA 3-d, fit on 4 texts/);

  const otherTexts = await createEmbeddingModel(config, { fitTexts: [...fitTexts, 'war film'], cacheDir });
  assert.notEqual(otherTexts.model.modelId, second.model.modelId, 'other fit texts, other model id');
  otherTexts.close();
});
