import { setTimeout as sleep } from 'node:timers/promises';
import { ApiCallError, RetriesExhaustedError } from '../errors.js';
import type { AnyModel } from '../types.js';
import { aroundEveryCall, wrapModel } from './wrap.js';

export interface RetryOptions {
  /** Attempts after the first one. */
  maxRetries: number;
  /** Backoff ceiling of the first retry; doubles each retry up to maxDelayMs. */
  initialDelayMs: number;
  maxDelayMs: number;
  /** A server asking to wait longer than this (e.g. a daily quota) fails the call instead of stalling the run. */
  maxRetryAfterMs: number;
  onRetry?: (event: RetryEvent) => void;
  /** Source of jitter in [0, 1); injectable so tests can pin it. */
  random?: () => number;
}

export interface RetryEvent {
  /** 1 for the first retry. */
  attempt: number;
  delayMs: number;
  error: ApiCallError;
}

export const DEFAULT_RETRY: RetryOptions = {
  maxRetries: 5,
  initialDelayMs: 500,
  maxDelayMs: 30_000,
  maxRetryAfterMs: 120_000,
};

/**
 * Runs `call`, retrying retryable ApiCallErrors (429, 5xx, timeouts, network errors, unparsable bodies) with
 * exponential backoff and full jitter (a uniform wait in [0, min(max, initial·2^n)), so many clients that
 * failed together do not retry together), or exactly the wait the server asked for in Retry-After.
 */
export async function withRetries<R>(
  call: () => Promise<R>,
  options: RetryOptions,
  abortSignal?: AbortSignal,
): Promise<R> {
  const random = options.random ?? Math.random;
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (!(error instanceof ApiCallError) || !error.retryable || abortSignal?.aborted) throw error;
      if (error.retryAfterMs !== undefined && error.retryAfterMs > options.maxRetryAfterMs) throw error;
      if (attempt >= options.maxRetries) throw new RetriesExhaustedError(attempt + 1, error);
      const ceiling = Math.min(options.maxDelayMs, options.initialDelayMs * 2 ** attempt);
      const delayMs = error.retryAfterMs ?? random() * ceiling;
      options.onRetry?.({ attempt: attempt + 1, delayMs, error });
      await sleep(delayMs, undefined, abortSignal ? { signal: abortSignal } : undefined);
    }
  }
}

export function withRetry<M extends AnyModel>(model: M, options: Partial<RetryOptions> = {}): M {
  const settings = { ...DEFAULT_RETRY, ...options };
  return wrapModel(
    model,
    aroundEveryCall((request, call) => withRetries(call, settings, request.abortSignal)),
  );
}
