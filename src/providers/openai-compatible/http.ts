import http from 'node:http';
import https from 'node:https';
import { ApiCallError } from '../errors.js';

/**
 * Connections are kept open between calls. node:http rather than fetch: fetch's web streams cost about a
 * millisecond of CPU per call (measured in bench 4b's profile), which at hundreds of calls per second is
 * most of the client's overhead.
 */
const AGENTS = {
  'http:': new http.Agent({ keepAlive: true }),
  'https:': new https.Agent({ keepAlive: true }),
};

interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

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

/** The URL of `path` under `baseUrl`; a query in the base URL (e.g. Azure's ?api-version=) is kept. */
export function joinUrl(baseUrl: string, path: string): string {
  const query = baseUrl.indexOf('?');
  const [base, search] = query < 0 ? [baseUrl, ''] : [baseUrl.slice(0, query), baseUrl.slice(query)];
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}${search}`;
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
  let response: RawResponse;
  try {
    response = await post(
      new URL(url),
      {
        'content-type': 'application/json',
        ...(endpoint.apiKey ? { authorization: `Bearer ${endpoint.apiKey}` } : {}),
        ...endpoint.headers,
      },
      JSON.stringify(body),
      endpoint.timeoutMs,
      abortSignal,
    );
  } catch (error) {
    if (abortSignal?.aborted) throw error;
    const timedOut = error instanceof TimeoutError;
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
  const { status, text } = response;
  if (status < 200 || status >= 300) {
    throw new ApiCallError({
      message: 'request failed',
      url,
      status,
      retryable: isRetryableStatus(status),
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
      status,
      retryable: true,
      body: text,
      cause: error,
    });
  }
}

class TimeoutError extends Error {}

/**
 * One POST; rejects on network errors, on `abortSignal`, after `timeoutMs` (a TimeoutError), and when the
 * connection drops mid-answer. The time limit is a plain timer: AbortSignal.timeout/any cost more CPU per
 * call than the rest of the request handling here.
 */
function post(
  url: URL,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
  abortSignal: AbortSignal | undefined,
): Promise<RawResponse> {
  const client = url.protocol === 'https:' ? https : http;
  const agent = AGENTS[url.protocol as keyof typeof AGENTS];
  return new Promise((resolve, reject) => {
    const request = client.request(
      url,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': Buffer.byteLength(body) },
        agent,
        ...(abortSignal ? { signal: abortSignal } : {}),
      },
      (response) => {
        let ended = false;
        const cut = () => reject(new Error('connection closed before the answer was complete'));
        response.on('error', reject);
        // Without it, a connection dropped mid-answer would leave us waiting.
        response.on('close', () => {
          if (!ended) cut();
        });
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          ended = true;
          if (!response.complete) return cut();
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            text: Buffer.concat(chunks).toString('utf8'),
          });
        });
      },
    );
    const timer = setTimeout(
      () => request.destroy(new TimeoutError(`no complete answer after ${timeoutMs} ms`)),
      timeoutMs,
    );
    request.on('close', () => clearTimeout(timer));
    request.on('error', reject);
    request.end(body);
  });
}

function describeCause(error: unknown): string {
  const own = error as { code?: string; cause?: { code?: string; message?: string } };
  return own.code ?? own.cause?.code ?? own.cause?.message ?? (error as Error).message ?? String(error);
}

/**
 * The wait a server asked for: `retry-after-ms` (OpenAI's precise header) or `Retry-After` as seconds or an
 * HTTP date. Undefined when absent or unparsable.
 */
export function parseRetryAfter(headers: http.IncomingHttpHeaders, now = Date.now()): number | undefined {
  const ms = headerValue(headers['retry-after-ms']);
  if (ms !== undefined && ms.trim() !== '' && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const value = headerValue(headers['retry-after']);
  if (value === undefined || value.trim() === '') return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** A header's value as node:http gives it (lower-cased name; repeated headers as a list): the first one. */
function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
