import type { AnyModel, EmbedRequest, GenerateRequest, GenerateResult } from '../types.js';
import { Semaphore } from './semaphore.js';
import { TokenBucket } from './token-bucket.js';
import { aroundEveryCall, wrapModel } from './wrap.js';

export interface LimitOptions {
  /** Calls in flight at once. */
  concurrency?: number;
  requestsPerMinute?: number;
  tokensPerMinute?: number;
}

/** Rough token count (≈4 characters per token for English) used to book a call against tokensPerMinute. */
export function estimateTokens(request: EmbedRequest | GenerateRequest): number {
  if ('values' in request) return Math.ceil(request.values.reduce((n, v) => n + v.length, 0) / 4);
  const prompt = request.messages.reduce((n, m) => n + m.content.length, 0);
  return Math.ceil(prompt / 4) + request.maxTokens;
}

/**
 * Caps concurrency and keeps requests and tokens per minute under the limits. Each call books its
 * estimated tokens before it is sent; when the response reports more, the difference is charged after.
 * Place it inside the retry wrapper so every attempt counts against the limits.
 */
export function withLimits<M extends AnyModel>(model: M, options: LimitOptions): M {
  const semaphore = options.concurrency ? new Semaphore(options.concurrency) : undefined;
  const requests = options.requestsPerMinute ? new TokenBucket(options.requestsPerMinute) : undefined;
  const tokens = options.tokensPerMinute ? new TokenBucket(options.tokensPerMinute) : undefined;

  async function limited<R>(request: EmbedRequest | GenerateRequest, call: () => Promise<R>): Promise<R> {
    const run = async () => {
      const estimate = estimateTokens(request);
      await Promise.all([requests?.take(1), tokens?.take(estimate)]);
      const result = await call();
      const used = usedTokens(result);
      if (tokens && used > estimate) tokens.charge(used - estimate);
      return result;
    };
    return semaphore ? semaphore.run(run) : run();
  }

  return wrapModel(model, aroundEveryCall(limited));
}

function usedTokens(result: unknown): number {
  const usage = (result as Partial<GenerateResult>).usage as
    | { inputTokens?: number; outputTokens?: number }
    | undefined;
  return (usage?.inputTokens ?? 0) + (usage?.outputTokens ?? 0);
}
