import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { estimateTokens, withLimits } from '../../src/providers/middleware/limits.js';
import { withRetry } from '../../src/providers/middleware/retry.js';
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
  const model = withLimits(chat(), { requestsPerMinute: 1200, concurrency: 50 });
  const started = performance.now();
  await Promise.all(Array.from({ length: 50 }, (_, i) => model.doGenerate(ask(i))));
  const elapsed = performance.now() - started;
  // 20 at once, then 30 more at 20/s.
  assert.ok(elapsed >= 1400 && elapsed < 3000, `took ${elapsed.toFixed(0)} ms`);
  const arrivals = server.requests.map((r) => r.at).sort((a, b) => a - b);
  // Within any second: the 20-call bucket plus 20 refills, with a little timer and network jitter.
  const busiest = busiestWindow(arrivals, 1000);
  assert.ok(busiest <= 44, `busiest second had ${busiest} requests`);
  const steady = busiestWindow(arrivals.slice(20), 1000);
  assert.ok(steady <= 23, `after the burst, the busiest second had ${steady} requests`);
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
