import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { resolveConfig, saveResolvedConfig } from '../../src/config/load.js';
import { ProvidersConfigSchema } from '../../src/config/providers.js';
import { ArtifactStore } from '../../src/pipeline/artifact-store.js';
import { ApiCallError } from '../../src/providers/errors.js';
import { createChatModel } from '../../src/providers/factory.js';
import { OpenAICompatibleChatModel } from '../../src/providers/openai-compatible/chat.js';
import { joinUrl } from '../../src/providers/openai-compatible/http.js';
import { CrsaugError } from '../../src/util/errors.js';
import { redactSecrets, redactUrl, withoutSecrets } from '../../src/util/secrets.js';

const root = mkdtempSync(join(tmpdir(), 'crsaug-secret-units-'));
after(() => rmSync(root, { recursive: true, force: true }));

test('redactUrl hides user info and credential query parameters, and leaves other URLs as written', () => {
  assert.equal(redactUrl('https://u:p@api.example.com/v1'), 'https://***:***@api.example.com/v1');
  assert.equal(
    redactUrl('https://example.com/v1?api-version=2024-06-01&key=AIza123&sig=abc'),
    'https://example.com/v1?api-version=2024-06-01&key=***&sig=***',
  );
  assert.equal(redactUrl('http://127.0.0.1:8000/v1'), 'http://127.0.0.1:8000/v1');
  assert.equal(redactUrl('not a url: key=1'), 'not a url: key=1');
});

test('redactSecrets masks keys, header values and URL credentials at any depth; withoutSecrets leaves them out', () => {
  const config = {
    providers: {
      chat: { apiKey: 'sk-1', baseUrl: 'https://x:y@h/v1', headers: { 'api-key': 'k', 'OpenAI-Beta': 'b' } },
      embedding: { model: 'm', maxTokens: 8, tokensPerMinute: 10 },
    },
    list: [{ api_key: 'sk-2' }],
  };
  assert.deepEqual(redactSecrets(config), {
    providers: {
      chat: {
        apiKey: '***',
        baseUrl: 'https://***:***@h/v1',
        headers: { 'api-key': '***', 'OpenAI-Beta': '***' },
      },
      embedding: { model: 'm', maxTokens: 8, tokensPerMinute: 10 },
    },
    list: [{ api_key: '***' }],
  });
  assert.deepEqual(withoutSecrets(config), {
    providers: {
      chat: { baseUrl: 'https://***:***@h/v1' },
      embedding: { model: 'm', maxTokens: 8, tokensPerMinute: 10 },
    },
    list: [{}],
  });
  assert.equal(config.providers.chat.apiKey, 'sk-1', 'the input is not changed');
});

test('saveResolvedConfig writes "***" for a set key; the artifact key ignores keys; artifact.json holds none', async () => {
  const config = resolveConfig({ cwd: root, env: { CRSAUG_EMBED_API_KEY: 'sk-planted' }, flags: {} });
  const file = await saveResolvedConfig(root, config);
  const text = readFileSync(file, 'utf8');
  assert.doesNotMatch(text, /sk-planted/);
  assert.equal(JSON.parse(text).providers.embedding.apiKey, '***');

  const store = new ArtifactStore(join(root, 'artifacts'));
  const identity = (providers: unknown) => ({ stage: 's', version: 1, settings: { providers }, inputs: [] });
  const withKey = store.keyOf(identity(config.providers));
  const noKey = resolveConfig({ cwd: root, env: {}, flags: {} }).providers;
  assert.equal(withKey, store.keyOf(identity(noKey)), 'setting a key changes no artifact key');
  assert.equal(
    withKey,
    store.keyOf(identity({ ...noKey, embedding: { ...noKey.embedding, apiKey: 'sk-other' } })),
  );
  const artifact = await store.run(identity(config.providers), async () => ({
    described: 'https://a:b@h/v1',
  }));
  const written = readFileSync(join(artifact.dir, 'artifact.json'), 'utf8');
  assert.doesNotMatch(written, /sk-planted|a:b@/);
});

test('a provider never prints its credentials: describe() and call errors redact the URL', () => {
  const model = new OpenAICompatibleChatModel({
    baseUrl: 'https://user:pw@h/v1?key=k1',
    model: 'm',
    apiKey: 'sk',
    timeoutMs: 1000,
  });
  assert.doesNotMatch(model.describe(), /pw|k1/);
  const error = new ApiCallError({
    message: 'failed',
    url: joinUrl('https://user:pw@h/v1?key=k1', 'chat'),
    retryable: false,
  });
  assert.doesNotMatch(error.message, /pw|k1/);
  assert.match(error.message, /https:\/\/\*\*\*:\*\*\*@h\/v1\/chat\?key=\*\*\*/);
});

test('a config read back from config.resolved.json does not send "***" as a key: it asks for the real one', async () => {
  const providers = ProvidersConfigSchema.parse({
    chat: { baseUrl: 'http://127.0.0.1:9/v1', model: 'm', apiKey: '***' },
    cache: false,
  });
  await assert.rejects(createChatModel(providers), (error: unknown) => {
    assert.ok(error instanceof CrsaugError);
    assert.match(error.message, /providers\.chat\.apiKey holds "\*\*\*"/);
    assert.match(error.hint ?? '', /CRSAUG_LLM_API_KEY/);
    return true;
  });
});
