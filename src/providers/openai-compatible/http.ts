import { ApiCallError } from '../errors.js';

export interface HttpEndpoint {
  /** e.g. http://127.0.0.1:8000/v1 (no trailing slash needed). */
  baseUrl: string;
  apiKey?: string;
  /** Per-request timeout; the request is aborted and reported as a retryable timeout after it. */
  timeoutMs: number;
  /** Extra headers (e.g. an organisation or a proxy token). */
  headers?: Record<string, string>;
}

/** Statuses worth trying again: rate limited, request timeout, conflict/lock, and server-side failures. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

export function joinUrl(baseUrl: string, path: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}

/**
 * POSTs JSON and returns the parsed JSON body. Every failure becomes an ApiCallError that says whether a
 * retry can help: HTTP 429/5xx, timeouts, network errors and unparsable bodies are retryable; other 4xx are not.
 */
export async function postJson(
  endpoint: HttpEndpoint,
  path: string,
  body: unknown,
  abortSignal?: AbortSignal,
): Promise<unknown> {
  const url = joinUrl(endpoint.baseUrl, path);
  const timeout = AbortSignal.timeout(endpoint.timeoutMs);
  const signal = abortSignal ? AbortSignal.any([abortSignal, timeout]) : timeout;
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(endpoint.apiKey ? { authorization: `Bearer ${endpoint.apiKey}` } : {}),
        ...endpoint.headers,
      },
      body: JSON.stringify(body),
      signal,
    });
    text = await response.text();
  } catch (error) {
    if (abortSignal?.aborted) throw error;
    const timedOut = timeout.aborted;
    throw new ApiCallError({
      message: timedOut
        ? `request timed out after ${endpoint.timeoutMs} ms`
        : `network error: ${describeCause(error)}`,
      url,
      retryable: true,
      isTimeout: timedOut,
      cause: error,
    });
  }
  if (!response.ok) {
    throw new ApiCallError({
      message: 'request failed',
      url,
      status: response.status,
      retryable: isRetryableStatus(response.status),
      body: text,
      retryAfterMs: parseRetryAfter(response.headers),
    });
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ApiCallError({
      message: 'malformed JSON in response',
      url,
      status: response.status,
      retryable: true,
      body: text,
      cause: error,
    });
  }
}

function describeCause(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message ?? String(error);
}

/**
 * The wait a server asked for: `retry-after-ms` (OpenAI's precise header) or `Retry-After` as seconds or an
 * HTTP date. Undefined when absent or unparsable.
 */
export function parseRetryAfter(headers: Headers, now = Date.now()): number | undefined {
  const ms = headers.get('retry-after-ms');
  if (ms !== null && ms.trim() !== '' && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const value = headers.get('retry-after');
  if (value === null || value.trim() === '') return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
