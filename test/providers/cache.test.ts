import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, statSync, utimesSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ProvidersConfigSchema } from '../../src/config/providers.js';
import { embedMany } from '../../src/providers/embed-many.js';
import { createChatModel, createEmbeddingModel } from '../../src/providers/factory.js';
import { withCache } from '../../src/providers/middleware/cache.js';
import { DamagedCacheError, ProviderCacheStore } from '../../src/providers/middleware/cache-store.js';
import type { UsageRow } from '../../src/providers/middleware/usage.js';
import type {
  ChatModel,
  EmbeddingModel,
  EmbedRequest,
  GenerateRequest,
  GenerateResult,
} from '../../src/providers/types.js';
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

// The cache middleware and its store in-process, with models that count their calls.

class CountingChat implements ChatModel {
  readonly provider = 'fake';
  readonly modelId = 'fake-chat';
  calls = 0;
  describe(): string {
    return 'fake chat';
  }
  async doGenerate(request: GenerateRequest): Promise<GenerateResult> {
    this.calls++;
    await new Promise((resolve) => setTimeout(resolve, 5));
    return { text: `answer ${this.calls} to ${request.messages[0]!.content}`, finishReason: 'stop' };
  }
}

class CountingEmbedder implements EmbeddingModel {
  readonly provider = 'fake';
  readonly modelId = 'fake-embed';
  readonly maxEmbeddingsPerCall = 10;
  readonly supportsParallelCalls = true;
  sent: string[][] = [];
  describe(): string {
    return 'fake embedder';
  }
  async doEmbed(request: EmbedRequest) {
    this.sent.push([...request.values]);
    return {
      embeddings: request.values.map((v) => Float32Array.of(v.length, 0.5)),
      usage: { inputTokens: request.values.length },
    };
  }
}

test('withCache without events: hits, shared in-flight calls and refreshes need no hit callback', async () => {
  const store = new ProviderCacheStore(join(tempDir(), 'cache.sqlite'));
  const inner = new CountingChat();
  const chat = withCache(inner, store);
  const [first, same] = await Promise.all([chat.doGenerate(ask('a')), chat.doGenerate(ask('a'))]);
  assert.equal(inner.calls, 1, 'identical requests in flight share one call');
  assert.deepEqual(same, first);
  assert.deepEqual(await chat.doGenerate(ask('a')), first, 'served from the store');
  // A refresh asks the model again (nothing left in flight from the first call) and stores the new answer.
  const fresh = await chat.doGenerate({ ...ask('a'), refreshCache: true });
  assert.equal(inner.calls, 2);
  assert.equal(fresh.text, 'answer 2 to a');
  assert.deepEqual(await chat.doGenerate(ask('a')), fresh);

  const embedder = new CountingEmbedder();
  const embed = withCache(embedder, store);
  await embed.doEmbed({ values: ['xx'] });
  const again = await embed.doEmbed({ values: ['xx'] });
  assert.deepEqual(again.embeddings, [Float32Array.of(2, 0.5)]);
  assert.deepEqual(embedder.sent, [['xx']]);
  assert.deepEqual(store.counts(), { calls: 1, vectors: 1 });
  store.close();
});

test('withCache on embeddings: hits reported only when there are some, usage of the values sent passed on', async () => {
  const store = new ProviderCacheStore(join(tempDir(), 'cache.sqlite'));
  const embedder = new CountingEmbedder();
  const hits: number[] = [];
  const embed = withCache(embedder, store, { onHit: (n) => hits.push(n) });
  const first = await embed.doEmbed({ values: ['a', 'bb'] });
  assert.deepEqual(hits, [], 'no hit callback for a call with no hits');
  assert.deepEqual(first.usage, { inputTokens: 2 });
  const mixed = await embed.doEmbed({ values: ['bb', 'ccc', 'a'] });
  assert.deepEqual(hits, [2]);
  assert.deepEqual(mixed.usage, { inputTokens: 1 }, 'only the value sent was paid for');
  assert.deepEqual(mixed.embeddings, [
    Float32Array.of(2, 0.5),
    Float32Array.of(3, 0.5),
    Float32Array.of(1, 0.5),
  ]);
  const cached = await embed.doEmbed({ values: ['ccc'] });
  assert.equal(cached.usage, undefined, 'all from the cache: nothing paid');
  assert.deepEqual(embedder.sent, [['a', 'bb'], ['ccc']]);
  assert.deepEqual(store.counts(), { calls: 0, vectors: 3 });
  store.close();
});

test('the store: errors that are not damage pass through unchanged and leave the file sound', () => {
  const file = join(tempDir(), 'cache.sqlite');
  const store = new ProviderCacheStore(file);
  // A result JSON cannot encode: a TypeError with no SQLite code.
  assert.throws(
    () => store.writeCall('k', 'p', 'm', { n: 1n }),
    (error: unknown) => error instanceof TypeError && !(error instanceof DamagedCacheError),
  );
  // An SQLite error that is not damage: a NOT NULL constraint.
  assert.throws(
    () => store.writeCall('k', null as unknown as string, 'm', {}),
    (error: unknown) =>
      (error as { code?: string }).code === 'SQLITE_CONSTRAINT_NOTNULL' &&
      !(error instanceof DamagedCacheError),
  );
  store.writeCall('k', 'p', 'm', { ok: true });
  assert.deepEqual(store.counts(), { calls: 1, vectors: 0 });
  store.close();
  const reopened = new ProviderCacheStore(file);
  assert.deepEqual(reopened.readCall('k'), { ok: true });
  reopened.close();
});

/** A closed cache file of 200 calls, its modification time set to a whole second (restorable exactly). */
function filledCacheFile(time: number): string {
  const file = join(tempDir(), 'cache.sqlite');
  const store = new ProviderCacheStore(file);
  for (let i = 0; i < 200; i++) store.writeCall(`k${i}`, 'p', 'm', { text: 'x'.repeat(500) });
  store.close();
  utimesSync(file, time, time);
  return file;
}

/** Overwrites a page in the middle of a file, keeping its size. */
function damageMiddlePage(file: string): void {
  const { size } = statSync(file);
  const fd = openSync(file, 'r+');
  writeSync(fd, Buffer.alloc(4096, 0xab), 0, 4096, Math.floor(size / 2 / 4096) * 4096);
  closeSync(fd);
}

test('the store checks a file once while it stays as this process left it, again after anything changed it', () => {
  const time = 1_700_000_000;
  const file = filledCacheFile(time);
  // This store checks the file and leaves it sound.
  new ProviderCacheStore(file).close();
  // Damage a page in the middle, then give the file back its size and modification time: the store takes it
  // for the file it left sound and does not read every page again.
  damageMiddlePage(file);
  utimesSync(file, time, time);
  new ProviderCacheStore(file).close();
  // Any other modification time: checked again, and the damage is found.
  utimesSync(file, time, time + 1);
  assert.throws(() => new ProviderCacheStore(file), DamagedCacheError);
});

test('a file whose write-ahead log another store changed since this process left it sound is checked again', () => {
  const time = 1_700_000_000;
  const file = filledCacheFile(time);
  // Two stores at once: when the first closes, the second keeps the log (…-wal) open, and then writes to it.
  const first = new ProviderCacheStore(file);
  const second = new ProviderCacheStore(file);
  first.close();
  second.writeCall('later', 'p', 'm', { text: 'y' });
  // The main file gets damage in the middle but keeps its size and modification time: only the log changed.
  damageMiddlePage(file);
  utimesSync(file, time, time);
  assert.throws(() => new ProviderCacheStore(file), DamagedCacheError);
  second.close();
});
