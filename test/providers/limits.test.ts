import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { estimateTokens, withLimits } from '../../src/providers/middleware/limits.js';
import { withRetry } from '../../src/providers/middleware/retry.js';
import { wrapModel } from '../../src/providers/middleware/wrap.js';
import { OpenAICompatibleChatModel } from '../../src/providers/openai-compatible/chat.js';
import type { GenerateRequest } from '../../src/providers/types.js';
import { MockOpenAIServer } from './mock-openai-server.js';

let server: MockOpenAIServer;
before(async () => {
  server = await MockOpenAIServer.start();
});
after(() => server.close());

const chat = () => new OpenAICompatibleChatModel({ baseUrl: server.url, model: 'mock-llm', timeoutMs: 5000 });
const ask = (i: number): GenerateRequest => ({
  messages: [{ role: 'user', content: `pair ${i}` }],
  maxTokens: 4,
});

function reset(script: MockOpenAIServer['script']) {
  server.requests.length = 0;
  server.maxInFlight = 0;
  server.script = script;
}

/** Most requests that arrived within any window of `ms`. */
function busiestWindow(times: number[], ms: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i]! - sorted[j]! >= ms) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

test('concurrency never exceeds the cap, including retries of failed calls', async () => {
  reset((_r, i) => (i % 5 === 0 ? { status: 500 } : { stallMs: 25 }));
  const model = withRetry(withLimits(chat(), { concurrency: 3 }), { initialDelayMs: 1 });
  const results = await Promise.all(Array.from({ length: 15 }, (_, i) => model.doGenerate(ask(i))));
  assert.equal(results.length, 15);
  assert.equal(server.maxInFlight, 3);
  assert.ok(server.requests.length > 15, 'some calls were retried');
});

test('requests per minute hold: 1200/min allows a 20-call second, then 20 per second', async () => {
  reset(() => undefined);
  // Times are taken where the limiter lets calls through, so a busy machine delaying the HTTP round trip
  // cannot blur them.
  const released: number[] = [];
  const timed = wrapModel(chat(), {
    generate: (request, next) => {
      released.push(performance.now());
      return next(request);
    },
  });
  const model = withLimits(timed, { requestsPerMinute: 1200, concurrency: 50 });
  await Promise.all(Array.from({ length: 50 }, (_, i) => model.doGenerate(ask(i))));
  // 20 at once, then 30 more at 20/s.
  assert.equal(server.requests.length, 50);
  // Within any second: the 20-call bucket plus 20 refills.
  const busiest = busiestWindow(released, 1000);
  assert.ok(busiest <= 40, `busiest second had ${busiest} requests`);
  const span = released.at(-1)! - released[0]!;
  assert.ok(span >= 1400, `the 50 calls were released over ${span.toFixed(0)} ms`);
});

test('tokens per minute hold, and tokens used beyond the estimate are charged', async () => {
  reset(() => undefined);
  // Each request books ceil(7/4)+4 = 6 tokens; the mock reports 23 used, so 17 more are charged after each.
  assert.equal(estimateTokens(ask(1)), 6);
  const model = withLimits(chat(), { tokensPerMinute: 60 * 100, concurrency: 1 });
  const started = performance.now();
  for (let i = 0; i < 12; i++) await model.doGenerate(ask(i));
  const elapsed = performance.now() - started;
  // 100 tokens/s from a full bucket of 100: before the 12th call may start, 11 calls × 23 tokens + its own 6
  // booked = 259 tokens are spent, so ≥ 1.59 s of refill. Booking only the estimates (72 tokens) would not wait.
  assert.ok(elapsed >= 1500, `took ${elapsed.toFixed(0)} ms`);
});
