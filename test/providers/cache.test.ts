import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ProvidersConfigSchema } from '../../src/config/providers.js';
import { embedMany } from '../../src/providers/embed-many.js';
import { createChatModel, createEmbeddingModel } from '../../src/providers/factory.js';
import type { UsageRow } from '../../src/providers/middleware/usage.js';
import { startChild } from '../util/child-process.js';
import { MockOpenAIServer } from './mock-openai-server.js';

let server: MockOpenAIServer;
before(async () => {
  server = await MockOpenAIServer.start();
});
after(() => server.close());

function reset(script: MockOpenAIServer['script'] = () => undefined) {
  server.requests.length = 0;
  server.script = script;
}

const tempDir = () => mkdtempSync(join(tmpdir(), 'crsaug-providers-'));
const ask = (content: string) => ({ messages: [{ role: 'user' as const, content }], maxTokens: 4 });

test('cache hits never reach the server, across reopened caches; usage books calls, hits, retries and cost', async () => {
  reset((_r, i) => (i === 0 ? { status: 503 } : undefined));
  const cacheDir = tempDir();
  const config = ProvidersConfigSchema.parse({
    chat: { baseUrl: server.url, model: 'mock-llm' },
    prices: { 'mock-llm': { inputPerMillion: 2.5, outputPerMillion: 10 } },
  });
  const first = await createChatModel(config, { cacheDir, stage: 'label' });
  const a = await first.model.doGenerate(ask('first'));
  const [b, c] = await Promise.all([
    first.model.doGenerate(ask('second')),
    first.model.doGenerate(ask('second')),
  ]);
  first.close();
  const succeeded = server.answered('/chat/completions').filter((r) => r.status === 200);
  assert.equal(succeeded.length, 2, 'identical requests in flight share one call');
  assert.deepEqual(b, c);

  const second = await createChatModel(config, { cacheDir, stage: 'label' });
  assert.deepEqual(await second.model.doGenerate(ask('first')), a);
  assert.deepEqual(
    await second.model.doGenerate({ ...ask('first'), abortSignal: new AbortController().signal }),
    a,
  );
  second.close();
  assert.equal(server.requests.length, 3, 'only the 503, its retry and "second" reached the server');

  const [row] = first.usage.summary();
  assert.deepEqual(row, {
    stage: 'label',
    provider: 'openai-compatible',
    modelId: 'mock-llm',
    calls: 2,
    cacheHits: 1,
    retries: 1,
    inputTokens: 40,
    outputTokens: 6,
    callsWithoutUsage: 0,
    costUsd: (40 * 2.5 + 6 * 10) / 1e6,
  });
  assert.equal(second.usage.summary()[0]!.cacheHits, 2);
  assert.equal(second.usage.summary()[0]!.calls, 0);
});

test('a model missing from the price table has an unknown cost, not zero', async () => {
  reset();
  const config = ProvidersConfigSchema.parse({
    chat: { baseUrl: server.url, model: 'unpriced' },
    cache: false,
  });
  const { model, usage } = await createChatModel(config);
  await model.doGenerate(ask('x'));
  assert.equal(usage.summary()[0]!.costUsd, null);
  assert.deepEqual(usage.totalCostUsd(), { usd: 0, complete: false });
  assert.match(usage.format(), /\ndefault\topenai-compatible:unpriced\t1\t0\t0\t20\t3\tunknown$/);
});

test('embeddings are cached per value, so a rerun with other batching only sends new values', async () => {
  reset();
  const cacheDir = tempDir();
  const config = ProvidersConfigSchema.parse({
    embedding: { baseUrl: server.url, model: 'mock-embed', batchSize: 4 },
  });
  const first = await createEmbeddingModel(config, { cacheDir });
  const values = Array.from({ length: 10 }, (_, i) => `item ${i}`);
  const a = await embedMany(first.model, values);
  first.close();
  assert.equal(server.requests.length, 3);

  const second = await createEmbeddingModel(config, { cacheDir });
  const b = await embedMany(second.model, [...values.slice(3), 'new item', 'item 0'], { batchSize: 5 });
  second.close();
  const sent = server.requests.slice(3).flatMap((r) => r.body.input as string[]);
  assert.deepEqual(sent, ['new item']);
  assert.deepEqual(b.embeddings.subarray(0, 7 * 8), a.embeddings.subarray(3 * 8));
  assert.deepEqual(b.embeddings.subarray(8 * 8), a.embeddings.subarray(0, 8));
  assert.equal(second.usage.summary()[0]!.cacheHits, 8);
});

const childScript = join(dirname(fileURLToPath(import.meta.url)), 'resume-child.js');

const runChild = (cacheDir: string, count: number) =>
  startChild(childScript, {
    CRSAUG_TEST_RESUME_URL: server.url,
    CRSAUG_TEST_RESUME_CACHE: cacheDir,
    CRSAUG_TEST_RESUME_COUNT: String(count),
  });

test('a run killed mid-way restarts without paying for any answered call twice', async () => {
  const cacheDir = tempDir();
  const count = 8;
  let killAt: (() => void) | undefined;
  const stallSeen = new Promise<void>((resolve) => {
    killAt = resolve;
  });
  let stalled = false;
  reset((request) => {
    const content = (request.body.messages as Array<{ content: string }>)[0]!.content;
    if (content === 'pair 5' && !stalled) {
      stalled = true;
      killAt!();
      return { stallMs: 10_000 };
    }
    return undefined;
  });
  const first = runChild(cacheDir, count);
  await stallSeen;
  first.child.kill('SIGKILL');
  assert.equal((await first.exited).signal, 'SIGKILL');

  const second = runChild(cacheDir, count);
  const { code, stdout } = await second.exited;
  assert.equal(code, 0);
  const answered = server
    .answered('/chat/completions')
    .map((r) => (r.body.messages as Array<{ content: string }>)[0]!.content);
  assert.deepEqual(
    answered.sort(),
    Array.from({ length: count }, (_, i) => `pair ${i}`),
    'every prompt answered exactly once',
  );
  const [row] = JSON.parse(stdout) as UsageRow[];
  assert.equal(row!.cacheHits, 5);
  assert.equal(row!.calls, 3);
});

test('a call answered at the instant of the kill is asked (and paid) again: the one case docs/providers.md names', async () => {
  const cacheDir = tempDir();
  const count = 8;
  let first: ReturnType<typeof runChild> | undefined;
  let killed = false;
  reset((request) => {
    const content = (request.body.messages as Array<{ content: string }>)[0]!.content;
    // The server answers pair 5 (a provider would bill it), but the client dies before it can commit it.
    if (content === 'pair 5' && !killed) {
      killed = true;
      first!.child.kill('SIGKILL');
    }
    return undefined;
  });
  first = runChild(cacheDir, count);
  assert.equal((await first.exited).signal, 'SIGKILL');

  const second = runChild(cacheDir, count);
  assert.equal((await second.exited).code, 0);
  const answered = server
    .answered('/chat/completions')
    .map((r) => (r.body.messages as Array<{ content: string }>)[0]!.content);
  const pairs = Array.from({ length: count }, (_, i) => `pair ${i}`);
  assert.deepEqual(answered.sort(), [...pairs, 'pair 5'].sort(), 'only the call in flight is answered twice');
});
