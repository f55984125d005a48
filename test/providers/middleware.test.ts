import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiCallError, RetriesExhaustedError } from '../../src/providers/errors.js';
import { estimateTokens, withLimits } from '../../src/providers/middleware/limits.js';
import {
  DEFAULT_RETRY,
  type RetryEvent,
  withRetries,
  withRetry,
} from '../../src/providers/middleware/retry.js';
import { Semaphore } from '../../src/providers/middleware/semaphore.js';
import { TokenBucket } from '../../src/providers/middleware/token-bucket.js';
import { type UsageRow, UsageTracker, usageTotals, withUsage } from '../../src/providers/middleware/usage.js';
import { aroundEveryCall, wrapModel } from '../../src/providers/middleware/wrap.js';
import type {
  ChatModel,
  EmbeddingModel,
  EmbedRequest,
  GenerateRequest,
  GenerateResult,
} from '../../src/providers/types.js';

// In-process models and clocks: these tests pin the middleware's arithmetic and ordering exactly; the HTTP
// behaviour is covered by limits.test.ts, cache.test.ts and openai-compatible.test.ts.

/** A promise the test resolves by hand. */
function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** 'settled' when the promise settles within the current macrotask (no timer wait), else 'pending'. */
async function state(promise: Promise<unknown>): Promise<'settled' | 'pending'> {
  return Promise.race([promise.then(() => 'settled' as const), sleep(0).then(() => 'pending' as const)]);
}

class FakeChat implements ChatModel {
  readonly provider: string = 'fake';
  readonly modelId: string = 'fake-chat';
  calls: GenerateRequest[] = [];
  constructor(private readonly answer: (request: GenerateRequest) => Promise<GenerateResult>) {}
  describe(): string {
    return 'fake chat';
  }
  doGenerate(request: GenerateRequest): Promise<GenerateResult> {
    this.calls.push(request);
    return this.answer(request);
  }
}

class FakeEmbedder implements EmbeddingModel {
  readonly provider = 'fake';
  readonly modelId = 'fake-embed';
  readonly maxEmbeddingsPerCall = 10;
  readonly supportsParallelCalls = true;
  readonly dimensions = 1;
  calls: EmbedRequest[] = [];
  describe(): string {
    return 'fake embedder';
  }
  async doEmbed(request: EmbedRequest) {
    this.calls.push(request);
    return { embeddings: request.values.map((v) => Float32Array.of(v.length)), usage: { inputTokens: 3 } };
  }
}

const ask = (content: string, maxTokens = 4): GenerateRequest => ({
  messages: [{ role: 'user', content }],
  maxTokens,
});
const answer = (text: string, usage?: GenerateResult['usage']): GenerateResult => ({
  text,
  finishReason: 'stop',
  ...(usage ? { usage } : {}),
});

const retryable = (retryAfterMs?: number) =>
  new ApiCallError({ message: 'busy', url: 'http://x', status: 503, retryable: true, retryAfterMs });

test('semaphore: at most `limit` tasks at once, waiters start first come first served, failures free their slot', async () => {
  assert.throws(() => new Semaphore(0), /concurrency limit must be >= 1, got 0/);
  assert.throws(() => new Semaphore(Number.NaN), RangeError);
  const semaphore = new Semaphore(2);
  const gates = Array.from({ length: 5 }, () => deferred());
  const started: number[] = [];
  let running = 0;
  let most = 0;
  const tasks = gates.map((gate, i) =>
    semaphore.run(async () => {
      started.push(i);
      running++;
      most = Math.max(most, running);
      await gate.promise;
      running--;
      if (i === 1) throw new Error('task 1 failed');
      return i;
    }),
  );
  await sleep(0);
  assert.deepEqual(started, [0, 1]);
  gates[1]!.resolve();
  await assert.rejects(tasks[1]!, /task 1 failed/);
  await sleep(0);
  assert.deepEqual(started, [0, 1, 2], 'the failed task’s slot went to the first waiter');
  for (const i of [3, 0, 2, 4]) gates[i]!.resolve();
  assert.deepEqual(await Promise.all([tasks[0], tasks[2], tasks[3], tasks[4]]), [0, 2, 3, 4]);
  assert.deepEqual(started, [0, 1, 2, 3, 4]);
  assert.equal(most, 2);
  // Every slot came back: two new tasks start at once.
  const again = [deferred(), deferred()];
  const both: number[] = [];
  const more = again.map((gate, i) =>
    semaphore.run(async () => {
      both.push(i);
      await gate.promise;
    }),
  );
  await sleep(0);
  assert.deepEqual(both, [0, 1]);
  for (const gate of again) gate.resolve();
  await Promise.all(more);
});

test('token bucket: refills continuously at the rate, holds at most one second’s worth, serves takes in order', async () => {
  assert.throws(() => new TokenBucket(0), /rate limit must be > 0 per minute, got 0/);
  assert.throws(() => new TokenBucket(Number.NaN), RangeError);
  let now = 0;
  const bucket = new TokenBucket(600, () => now); // 10 per second, a bucket of 10
  assert.equal(await state(bucket.take(10)), 'settled', 'a fresh bucket is full');
  const waiting = bucket.take(1);
  assert.equal(await state(waiting), 'pending', 'empty');
  now += 100; // one token back; the bucket sleeps ~100 ms of real time, then refills from the clock
  await waiting;
  now += 300;
  assert.equal(await state(bucket.take(3)), 'settled', '300 ms refill 3');
  now += 60_000;
  assert.equal(await state(bucket.take(10)), 'settled');
  const capped = bucket.take(1);
  assert.equal(await state(capped), 'pending', 'a minute of refill is capped at one second’s worth');
  now += 100;
  await capped;
  // Takes are served in order: a large take queued first delays a small one behind it.
  now += 1000;
  const order: string[] = [];
  const big = bucket.take(10).then(() => order.push('big'));
  const small = bucket.take(1).then(() => order.push('small'));
  assert.equal(await state(big), 'settled');
  assert.equal(await state(small), 'pending');
  now += 100;
  await small;
  assert.deepEqual(order, ['big', 'small']);
});

test('token bucket: a take larger than the bucket waits for a full one and leaves a debt; charge adds debt', async () => {
  let now = 0;
  const bucket = new TokenBucket(6000, () => now); // 100 per second, a bucket of 100
  assert.equal(await state(bucket.take(300)), 'settled', 'a full bucket lets a larger take through');
  now += 2000; // level −200 + 200 = 0
  const owed = bucket.take(1);
  assert.equal(await state(owed), 'pending', 'the debt of 200 was repaid first');
  now += 10;
  await owed;
  bucket.charge(150); // level 0 − 150 = −150
  now += 2000; // −150 + 200 = 50
  assert.equal(await state(bucket.take(50)), 'settled');
  const next = bucket.take(1);
  assert.equal(await state(next), 'pending');
  now += 10;
  await next;
});

test('token bucket: a take sleeps just as long as the refill needs, on the real clock', async () => {
  const bucket = new TokenBucket(600_000); // 10 per ms, a bucket of 10,000
  await bucket.take(10_000);
  await sleep(300); // about 3,000 back
  const started = performance.now();
  await bucket.take(9000); // about 6,000 short: 600 ms
  const waited = performance.now() - started;
  assert.ok(waited >= 400 && waited < 1000, `waited ${waited.toFixed(0)} ms for about 600 ms of refill`);
});

test('withRetries: retries retryable API errors with capped exponential backoff and full jitter, then gives up', async () => {
  const events: RetryEvent[] = [];
  let attempts = 0;
  const options = {
    maxRetries: 4,
    initialDelayMs: 2,
    maxDelayMs: 5,
    maxRetryAfterMs: 1000,
    random: () => 0.5,
    onRetry: (event: RetryEvent) => events.push(event),
  };
  const error = retryable();
  await assert.rejects(
    withRetries(async () => {
      attempts++;
      throw error;
    }, options),
    (err: unknown) => {
      assert.ok(err instanceof RetriesExhaustedError);
      assert.equal(err.attempts, 5);
      assert.equal(err.lastError, error);
      return true;
    },
  );
  assert.equal(attempts, 5);
  // Ceilings min(5, 2·2^n) = 2, 4, 5, 5; jitter 0.5 of each.
  assert.deepEqual(
    events.map((e) => [e.attempt, e.delayMs]),
    [
      [1, 1],
      [2, 2],
      [3, 2.5],
      [4, 2.5],
    ],
  );
  assert.ok(events.every((e) => e.error === error));

  let calls = 0;
  const value = await withRetries(
    async () => {
      calls++;
      if (calls < 3) throw retryable(calls === 1 ? 7 : undefined);
      return 'ok';
    },
    { ...options, onRetry: (event) => events.splice(0, events.length, event) },
  );
  assert.equal(value, 'ok');
  assert.equal(calls, 3);
});

test('withRetries: the Retry-After wait is used as asked, and a too-long one fails at once', async () => {
  const delays: number[] = [];
  let calls = 0;
  await withRetries(
    async () => {
      if (calls++ === 0) throw retryable(30);
      return 'ok';
    },
    { ...DEFAULT_RETRY, random: () => 0.99, onRetry: (e) => delays.push(e.delayMs) },
  );
  assert.deepEqual(delays, [30]);
  let tries = 0;
  const tooLong = retryable(121_000);
  await assert.rejects(
    withRetries(async () => {
      tries++;
      throw tooLong;
    }, DEFAULT_RETRY),
    (err) => err === tooLong,
  );
  assert.equal(tries, 1);
  // Exactly the maximum is still waited for (here with a tiny maximum).
  let waited = 0;
  await withRetries(
    async () => {
      if (waited++ === 0) throw retryable(3);
      return 'ok';
    },
    { ...DEFAULT_RETRY, maxRetryAfterMs: 3 },
  );
  assert.equal(waited, 2);
});

test('withRetries: other errors, non-retryable ones and aborted calls are not retried', async () => {
  const once = async (error: unknown, signal?: AbortSignal) => {
    let tries = 0;
    await assert.rejects(
      withRetries(
        async () => {
          tries++;
          throw error;
        },
        { ...DEFAULT_RETRY, initialDelayMs: 1 },
        signal,
      ),
      (err) => err === error,
    );
    return tries;
  };
  assert.equal(await once(new Error('plain')), 1);
  assert.equal(
    await once(new ApiCallError({ message: 'bad', url: 'http://x', status: 400, retryable: false })),
    1,
  );
  const aborted = new AbortController();
  aborted.abort();
  assert.equal(await once(retryable(), aborted.signal), 1);
  let tries = 0;
  await assert.rejects(
    withRetries(
      async () => {
        tries++;
        throw retryable();
      },
      { ...DEFAULT_RETRY, initialDelayMs: 1 },
      new AbortController().signal,
    ),
    RetriesExhaustedError,
  );
  assert.equal(tries, 6, 'a live signal does not stop the five default retries');
});

test('withRetries: aborting during a backoff wait ends it at once', async () => {
  const stop = new AbortController();
  setTimeout(() => stop.abort(), 20);
  const started = performance.now();
  await assert.rejects(
    withRetries(
      async () => {
        throw retryable(5000);
      },
      DEFAULT_RETRY,
      stop.signal,
    ),
    { name: 'AbortError' },
  );
  const waited = performance.now() - started;
  assert.ok(waited < 2500, `waited ${waited.toFixed(0)} ms of a 5 s backoff`);
});

test('withRetry wraps a model: defaults from DEFAULT_RETRY, overrides merged, the request’s abort signal honoured', async () => {
  assert.deepEqual(DEFAULT_RETRY, {
    maxRetries: 5,
    initialDelayMs: 500,
    maxDelayMs: 30_000,
    maxRetryAfterMs: 120_000,
  });
  let fails = 2;
  const chat = new FakeChat(async () => {
    if (fails-- > 0) throw retryable();
    return answer('fine');
  });
  const retries: number[] = [];
  const model = withRetry(chat, { initialDelayMs: 1, onRetry: (e) => retries.push(e.attempt) });
  assert.equal((await model.doGenerate(ask('x'))).text, 'fine');
  assert.deepEqual(retries, [1, 2]);
  assert.equal(model.describe(), 'fake chat');
  const stop = new AbortController();
  stop.abort();
  fails = 1;
  await assert.rejects(model.doGenerate({ ...ask('y'), abortSignal: stop.signal }), /busy/);
  const limited = withRetry(
    new FakeChat(async () => {
      throw retryable();
    }),
    { maxRetries: 1, initialDelayMs: 1 },
  );
  await assert.rejects(limited.doGenerate(ask('z')), /gave up after 2 attempts/);
});

test('estimateTokens: about four characters a token, plus the answer’s budget for chat', () => {
  assert.equal(estimateTokens({ values: ['abcd', 'efghi'] }), 3);
  assert.equal(estimateTokens({ values: [] }), 0);
  assert.equal(
    estimateTokens({
      messages: [
        { role: 'system', content: 'abcdef' },
        { role: 'user', content: 'ghi' },
      ],
      maxTokens: 10,
    }),
    13,
  );
});

test('withLimits: caps calls in flight for chat and embeddings alike', async () => {
  let inFlight = 0;
  let most = 0;
  const chat = new FakeChat(async (request) => {
    inFlight++;
    most = Math.max(most, inFlight);
    await sleep(5);
    inFlight--;
    return answer(request.messages[0]!.content);
  });
  const limited = withLimits(chat, { concurrency: 2 });
  const texts = await Promise.all(Array.from({ length: 6 }, (_, i) => limited.doGenerate(ask(`q${i}`))));
  assert.deepEqual(
    texts.map((t) => t.text),
    ['q0', 'q1', 'q2', 'q3', 'q4', 'q5'],
  );
  assert.equal(most, 2);
  const embedder = new FakeEmbedder();
  const embeddings = await withLimits(embedder, { concurrency: 1, requestsPerMinute: 6000 }).doEmbed({
    values: ['ab', 'cde'],
  });
  assert.deepEqual(
    embeddings.embeddings.map((v) => [...v]),
    [[2], [3]],
  );
  const unlimited = withLimits(chat, {});
  assert.equal((await unlimited.doGenerate(ask('free'))).text, 'free');
});

test('withLimits: tokens a response used beyond its estimate are charged to the bucket, and none are refunded', async () => {
  // 60,000 tokens/min = 1 per ms, a bucket of 1,000. Each call books ceil(4/4) + 900 = 901 tokens.
  const call = (used: number) =>
    withLimits(new FakeChat(async () => answer('x', { inputTokens: used, outputTokens: 0 })), {
      tokensPerMinute: 60_000,
    });
  const timeSecond = async (model: ChatModel) => {
    await model.doGenerate(ask('abcd', 900));
    const started = performance.now();
    await model.doGenerate(ask('abcd', 900));
    return performance.now() - started;
  };
  // Used 950: 49 more are charged, leaving 1,000 − 901 − 49 = 50, so the next 901 wait about 851 ms.
  const charged = await timeSecond(call(950));
  assert.ok(charged >= 700 && charged < 1700, `waited ${charged.toFixed(0)} ms for about 851 ms`);
  // Used 1: nothing comes back, leaving 99, so the next 901 wait about 802 ms.
  const unrefunded = await timeSecond(call(1));
  assert.ok(unrefunded >= 650, `waited ${unrefunded.toFixed(0)} ms for about 802 ms`);
});

test('usage tracker: calls, tokens, hits and retries per (stage, model); cost from prices, unknown when it cannot be known', () => {
  const tracker = new UsageTracker({ priced: { inputPerMillion: 2, outputPerMillion: 10 } });
  const priced = { provider: 'openai-compatible', modelId: 'priced', describe: () => '' };
  const unpriced = { provider: 'openai-compatible', modelId: 'unpriced', describe: () => '' };
  const local = { provider: 'llamacpp', modelId: 'priced', describe: () => '' };
  tracker.recordCall('label', priced, { inputTokens: 1000, outputTokens: 200 });
  tracker.recordCall('label', priced, { inputTokens: 500 });
  tracker.recordCacheHits('label', priced, 3);
  tracker.recordRetry('label', priced);
  tracker.recordCall('embed', priced, { inputTokens: 10, outputTokens: 0 });
  tracker.recordCall('embed', priced, undefined);
  tracker.recordCall('label', unpriced, { inputTokens: 1, outputTokens: 1 });
  tracker.recordCall('label', local, undefined);
  const rows = tracker.summary();
  assert.deepEqual(rows[0], {
    stage: 'label',
    provider: 'openai-compatible',
    modelId: 'priced',
    calls: 2,
    cacheHits: 3,
    retries: 1,
    inputTokens: 1500,
    outputTokens: 200,
    callsWithoutUsage: 0,
    costUsd: (1500 * 2 + 200 * 10) / 1e6,
  });
  assert.deepEqual(
    rows.slice(1).map((r) => [r.stage, r.modelId, r.calls, r.callsWithoutUsage, r.costUsd]),
    [
      ['embed', 'priced', 2, 1, null],
      ['label', 'unpriced', 1, 0, null],
      ['label', 'priced', 1, 1, 0],
    ],
  );
  assert.deepEqual(tracker.totalCostUsd(), { usd: 0.005, complete: false });
  const known = new UsageTracker({ priced: { inputPerMillion: 1, outputPerMillion: 1 } });
  known.recordCall('s', priced, { inputTokens: 2e6, outputTokens: 1e6 });
  known.recordCall('s', local, undefined);
  assert.deepEqual(known.totalCostUsd(), { usd: 3, complete: true });
  assert.equal(
    known.format(),
    [
      'stage\tprovider:model\tcalls\tcache hits\tretries\tinput tok\toutput tok\tcost USD',
      's\topenai-compatible:priced\t1\t0\t0\t2000000\t1000000\t3.0000',
      's\tllamacpp:priced\t1\t0\t0\t0\t0\t0.0000',
    ].join('\n'),
  );
  assert.match(tracker.format(), /\tunknown$/m);
  assert.ok(
    ['builtin', 'transformers', 'llamacpp'].every((provider) => {
      const t = new UsageTracker();
      t.recordCall('s', { provider, modelId: 'm', describe: () => '' }, undefined);
      return t.summary()[0]!.costUsd === 0;
    }),
    'local providers cost nothing',
  );
});

test('usage totals: summed over a stage’s models; tokens and cost unknown when any part is', () => {
  const row = (over: Partial<UsageRow>): UsageRow => ({
    stage: 's',
    provider: 'p',
    modelId: 'm',
    calls: 2,
    cacheHits: 1,
    retries: 0,
    inputTokens: 10,
    outputTokens: 5,
    callsWithoutUsage: 0,
    costUsd: 0.5,
    ...over,
  });
  assert.deepEqual(usageTotals([row({}), row({ modelId: 'n', calls: 3, cacheHits: 4, costUsd: 0.25 })]), {
    provider: 'p:m, p:n',
    llmCalls: 5,
    cachedCalls: 5,
    tokens: 30,
    costUsd: 0.75,
  });
  assert.deepEqual(usageTotals([row({ callsWithoutUsage: 1 }), row({ costUsd: null })]), {
    provider: 'p:m, p:m',
    llmCalls: 4,
    cachedCalls: 2,
    tokens: null,
    costUsd: null,
  });
  assert.deepEqual(usageTotals([]), {
    provider: undefined,
    llmCalls: 0,
    cachedCalls: 0,
    tokens: 0,
    costUsd: 0,
  });
});

test('withUsage records each successful call of either kind under its stage, and no failed one', async () => {
  const tracker = new UsageTracker();
  let fail = false;
  const chat = withUsage(
    new FakeChat(async () => {
      if (fail) throw new Error('down');
      return answer('a', { inputTokens: 7, outputTokens: 2 });
    }),
    tracker,
    'label',
  );
  await chat.doGenerate(ask('x'));
  fail = true;
  await assert.rejects(chat.doGenerate(ask('y')), /down/);
  const embedder = withUsage(new FakeEmbedder(), tracker, 'embed');
  await embedder.doEmbed({ values: ['a', 'b'] });
  assert.deepEqual(
    tracker.summary().map((r) => [r.stage, r.modelId, r.calls, r.inputTokens, r.outputTokens]),
    [
      ['label', 'fake-chat', 1, 7, 2],
      ['embed', 'fake-embed', 1, 3, 0],
    ],
  );
});

test('wrapModel keeps the identity, hooks only the calls it is given, and composes outside-in', async () => {
  const trail: string[] = [];
  const chat = new FakeChat(async (request) => answer(request.messages[0]!.content));
  const hook =
    (name: string) =>
    async (request: GenerateRequest, next: (r: GenerateRequest) => Promise<GenerateResult>) => {
      trail.push(`${name} in`);
      const result = await next({
        ...request,
        messages: [{ role: 'user', content: `${request.messages[0]!.content}+${name}` }],
      });
      trail.push(`${name} out`);
      return result;
    };
  const wrapped = wrapModel(wrapModel(chat, { generate: hook('a') }), { generate: hook('b') });
  assert.equal(wrapped.provider, 'fake');
  assert.equal(wrapped.modelId, 'fake-chat');
  assert.equal(wrapped.describe(), 'fake chat');
  assert.equal((await wrapped.doGenerate(ask('q'))).text, 'q+b+a');
  assert.deepEqual(trail, ['b in', 'a in', 'a out', 'b out']);
  // A chat-only middleware leaves an embedding model's calls alone, and the other way round.
  const embedder = new FakeEmbedder();
  const untouched = wrapModel(embedder, { generate: hook('c') });
  assert.equal(untouched.doEmbed, embedder.doEmbed);
  assert.equal(wrapModel(chat, { embed: async (r, next) => next(r) }).doGenerate, chat.doGenerate);
  const seen: string[] = [];
  const both = aroundEveryCall(async (request, call) => {
    seen.push('values' in request ? `embed ${request.values.length}` : `chat ${request.maxTokens}`);
    return call();
  });
  const e = wrapModel(embedder, both);
  assert.equal(e.maxEmbeddingsPerCall, 10);
  assert.deepEqual(
    (await e.doEmbed({ values: ['abc'] })).embeddings.map((v) => [...v]),
    [[3]],
  );
  assert.equal((await wrapModel(chat, both).doGenerate(ask('w', 9))).text, 'w');
  assert.deepEqual(seen, ['embed 1', 'chat 9']);
  assert.equal(embedder.calls.length, 1);
});
