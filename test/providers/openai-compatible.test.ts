import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { embedMany } from '../../src/providers/embed-many.js';
import { ApiCallError, RetriesExhaustedError } from '../../src/providers/errors.js';
import { withRetry } from '../../src/providers/middleware/retry.js';
import { OpenAICompatibleChatModel } from '../../src/providers/openai-compatible/chat.js';
import { OpenAICompatibleEmbeddingModel } from '../../src/providers/openai-compatible/embedding.js';
import { parseRetryAfter } from '../../src/providers/openai-compatible/http.js';
import type { GenerateRequest } from '../../src/providers/types.js';
import { chatAnswer, MockOpenAIServer, mockVector } from './mock-openai-server.js';

let server: MockOpenAIServer;
before(async () => {
  server = await MockOpenAIServer.start();
});
after(() => server.close());

function chat(timeoutMs = 5000) {
  return new OpenAICompatibleChatModel({
    baseUrl: server.url,
    model: 'mock-llm',
    apiKey: 'sk-test',
    timeoutMs,
  });
}

const ask: GenerateRequest = { messages: [{ role: 'user', content: 'Rate this movie 0-4.' }], maxTokens: 5 };

/** Runs `body` with a fresh request log and the given script, restoring the default answers after. */
async function scripted<T>(script: MockOpenAIServer['script'], body: () => Promise<T>): Promise<T> {
  server.requests.length = 0;
  server.maxInFlight = 0;
  server.script = script;
  try {
    return await body();
  } finally {
    server.script = () => undefined;
  }
}

test('chat sends the OpenAI request shape and maps text, usage, finish reason and logprobs', async () => {
  const result = await scripted(
    () => undefined,
    () => chat().doGenerate({ ...ask, temperature: 0, logprobs: { topLogprobs: 2 }, seed: 7 }),
  );
  const sent = server.requests[0]!;
  assert.equal(sent.path, '/chat/completions');
  assert.equal(sent.headers.authorization, 'Bearer sk-test');
  assert.deepEqual(sent.body, {
    model: 'mock-llm',
    messages: ask.messages,
    max_tokens: 5,
    temperature: 0,
    seed: 7,
    logprobs: true,
    top_logprobs: 2,
  });
  assert.equal(result.text, 'score: 3');
  assert.equal(result.finishReason, 'stop');
  assert.deepEqual(result.usage, { inputTokens: 20, outputTokens: 3 });
  assert.deepEqual(result.logprobs, [
    {
      token: '3',
      logprob: -0.2,
      top: [
        { token: '3', logprob: -0.2 },
        { token: '4', logprob: -1.9 },
      ],
    },
  ]);
  assert.match(
    chat().describe(),
    /^openai-compatible:mock-llm \(remote chat model at http:\/\/127\.0\.0\.1:\d+\/v1\)$/,
  );
});

test('truncated output reports finishReason "length"; an out-of-range score is passed through as written', async () => {
  const result = await scripted(
    () => ({ status: 200, json: chatAnswer('score: 7 because', { finishReason: 'length' }) }),
    () => chat().doGenerate(ask),
  );
  assert.equal(result.finishReason, 'length');
  assert.equal(result.text, 'score: 7 because');
});

test('500s are retried with backoff and counted; the third attempt succeeds', async () => {
  const retries: number[] = [];
  const model = withRetry(chat(), { initialDelayMs: 5, onRetry: (e) => retries.push(e.error.status!) });
  const result = await scripted(
    (_r, i) => (i < 2 ? { status: 500, raw: 'upstream exploded' } : undefined),
    () => model.doGenerate(ask),
  );
  assert.equal(result.text, 'score: 3');
  assert.deepEqual(retries, [500, 500]);
  assert.equal(server.requests.length, 3);
});

test('malformed JSON is a retryable ApiCallError carrying a body excerpt', async () => {
  const error = await scripted(
    () => ({ status: 200, raw: '{"choices": [ {"message": ' }),
    () =>
      chat()
        .doGenerate(ask)
        .then(
          () => undefined,
          (e: unknown) => e,
        ),
  );
  assert.ok(error instanceof ApiCallError);
  assert.equal(error.retryable, true);
  assert.equal(error.status, 200);
  assert.equal(error.bodyExcerpt, '{"choices": [ {"message": ');
  assert.match(error.url, /\/v1\/chat\/completions$/);

  const retried = await scripted(
    (_r, i) => (i === 0 ? { status: 200, raw: 'not json' } : undefined),
    () => withRetry(chat(), { initialDelayMs: 1 }).doGenerate(ask),
  );
  assert.equal(retried.text, 'score: 3');
});

test('429 with Retry-After: 1 waits about a second before the retry', async () => {
  const model = withRetry(chat(), { initialDelayMs: 1 });
  await scripted(
    (_r, i) => (i === 0 ? { status: 429, headers: { 'retry-after': '1' } } : undefined),
    () => model.doGenerate(ask),
  );
  const gap = server.requests[1]!.at - server.requests[0]!.at;
  assert.ok(gap >= 990 && gap < 1500, `retry came after ${gap.toFixed(0)} ms`);
});

test('retry-after-ms is honoured precisely; a Retry-After beyond the cap fails at once', async () => {
  const model = withRetry(chat(), { initialDelayMs: 1, maxRetryAfterMs: 1000 });
  await scripted(
    (_r, i) => (i === 0 ? { status: 429, headers: { 'retry-after-ms': '150' } } : undefined),
    () => model.doGenerate(ask),
  );
  const gap = server.requests[1]!.at - server.requests[0]!.at;
  assert.ok(gap >= 145 && gap < 600, `retry came after ${gap.toFixed(0)} ms`);

  const error = await scripted(
    () => ({ status: 429, headers: { 'retry-after': '3600' } }),
    () =>
      model.doGenerate(ask).then(
        () => undefined,
        (e: unknown) => e,
      ),
  );
  assert.ok(error instanceof ApiCallError && error.retryAfterMs === 3_600_000);
  assert.equal(server.requests.length, 1);
});

test('parseRetryAfter reads seconds, HTTP dates and retry-after-ms', () => {
  const now = Date.parse('Fri, 27 Nov 2026 03:00:00 GMT');
  assert.equal(parseRetryAfter({ 'retry-after': '2' }, now), 2000);
  assert.equal(parseRetryAfter({ 'retry-after': 'Fri, 27 Nov 2026 03:00:05 GMT' }, now), 5000);
  assert.equal(parseRetryAfter({ 'retry-after': 'Fri, 27 Nov 2026 02:00:00 GMT' }, now), 0);
  assert.equal(parseRetryAfter({ 'retry-after-ms': '25', 'retry-after': '9' }, now), 25);
  assert.equal(parseRetryAfter({ 'retry-after': 'soon' }, now), undefined);
  assert.equal(parseRetryAfter({}, now), undefined);
});

test('a stall past the timeout aborts the request as a retryable timeout, and the retry succeeds', async () => {
  const error = await scripted(
    () => ({ stallMs: 400 }),
    () =>
      chat(80)
        .doGenerate(ask)
        .then(
          () => undefined,
          (e: unknown) => e,
        ),
  );
  assert.ok(error instanceof ApiCallError && error.isTimeout && error.retryable, String(error));
  assert.match(error.message, /timed out after 80 ms/);

  const started = performance.now();
  const result = await scripted(
    (_r, i) => (i === 0 ? { stallMs: 400 } : undefined),
    () => withRetry(chat(80), { initialDelayMs: 1 }).doGenerate(ask),
  );
  assert.equal(result.text, 'score: 3');
  assert.equal(server.requests.length, 2);
  assert.ok(performance.now() - started < 390, 'the client did not wait for the stalled answer');
});

test('401 is not retried; retries give up after maxRetries with the last error', async () => {
  const model = withRetry(chat(), { initialDelayMs: 1, maxRetries: 2 });
  const unauthorised = await scripted(
    () => ({ status: 401, json: { error: { message: 'bad key' } } }),
    () =>
      model.doGenerate(ask).then(
        () => undefined,
        (e: unknown) => e,
      ),
  );
  assert.ok(unauthorised instanceof ApiCallError && !unauthorised.retryable);
  assert.equal(unauthorised.hint, 'check the API key (CRSAUG_LLM_API_KEY / CRSAUG_EMBED_API_KEY)');
  assert.equal(server.requests.length, 1);

  const exhausted = await scripted(
    () => ({ status: 503 }),
    () =>
      model.doGenerate(ask).then(
        () => undefined,
        (e: unknown) => e,
      ),
  );
  assert.ok(exhausted instanceof RetriesExhaustedError);
  assert.equal(exhausted.attempts, 3);
  assert.equal((exhausted.lastError as ApiCallError).status, 503);
  assert.equal(server.requests.length, 3);
});

test('a response of the wrong shape is a non-retryable error naming the field', async () => {
  const error = await scripted(
    () => ({ status: 200, json: { choices: [] } }),
    () =>
      chat()
        .doGenerate(ask)
        .then(
          () => undefined,
          (e: unknown) => e,
        ),
  );
  assert.ok(error instanceof ApiCallError && !error.retryable);
  assert.match(error.message, /unexpected response shape at "choices"/);
});

test('network errors are retryable ApiCallErrors', async () => {
  const closed = await MockOpenAIServer.start();
  const baseUrl = closed.url;
  await closed.close();
  const dead = new OpenAICompatibleChatModel({ baseUrl, model: 'x', timeoutMs: 2000 });
  const error = await dead.doGenerate(ask).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(error instanceof ApiCallError && error.retryable && error.status === undefined);
  assert.match(error.message, /network error: ECONNREFUSED/);
});

test('embedMany chunks by the model limit, keeps order, caps parallel calls and reports progress', async () => {
  const model = new OpenAICompatibleEmbeddingModel({
    api: 'openai',
    baseUrl: server.url,
    model: 'mock-embed',
    timeoutMs: 5000,
    maxEmbeddingsPerCall: 3,
  });
  const values = Array.from({ length: 10 }, (_, i) => `item ${i}`);
  const progress: number[] = [];
  const result = await scripted(
    () => ({ stallMs: 20 }),
    () => embedMany(model, values, { maxParallelCalls: 2, onProgress: (done) => progress.push(done) }),
  );
  assert.equal(server.requests.length, 4);
  assert.deepEqual(server.requests.map((r) => (r.body.input as string[]).length).sort(), [1, 3, 3, 3]);
  assert.equal(server.maxInFlight, 2);
  assert.equal(result.rows, 10);
  assert.equal(result.dimensions, 8);
  assert.equal(result.inputTokens, 50);
  for (let i = 0; i < 10; i++) {
    assert.deepEqual(
      Array.from(result.embeddings.subarray(i * 8, i * 8 + 8)),
      Array.from(Float32Array.from(mockVector(`item ${i}`))),
    );
  }
  assert.equal(progress.at(-1), 10);
  assert.equal(progress.length, 4);
});

test("TEI's native /embed route works and reports no token usage", async () => {
  const model = new OpenAICompatibleEmbeddingModel({
    api: 'tei',
    baseUrl: server.url,
    model: 'bge',
    timeoutMs: 5000,
  });
  assert.equal(model.maxEmbeddingsPerCall, 32);
  const result = await scripted(
    () => undefined,
    () => model.doEmbed({ values: ['a', 'b'] }),
  );
  assert.equal(server.requests[0]!.path, '/embed');
  assert.deepEqual(server.requests[0]!.body, { inputs: ['a', 'b'], truncate: true });
  assert.deepEqual(Array.from(result.embeddings[1]!), Array.from(Float32Array.from(mockVector('b'))));
  assert.equal(result.usage, undefined);
  assert.equal(model.describe(), `tei:bge (remote embedding model at ${server.url})`);
});
