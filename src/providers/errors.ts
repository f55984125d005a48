import { CrsaugError } from '../util/errors.js';
import { redactUrl } from '../util/secrets.js';

const BODY_EXCERPT_CHARS = 500;

/**
 * A failed call to a provider: HTTP status (undefined for network errors and timeouts), the URL (its
 * credentials redacted), whether trying again can help, and the start of the response body so the user sees
 * what the server said.
 */
export class ApiCallError extends CrsaugError {
  readonly url: string;
  readonly status?: number;
  readonly retryable: boolean;
  readonly bodyExcerpt?: string;
  /** Milliseconds the server asked us to wait (Retry-After / retry-after-ms), when it said so. */
  readonly retryAfterMs?: number;
  readonly isTimeout: boolean;

  constructor(options: {
    message: string;
    url: string;
    status?: number;
    retryable: boolean;
    body?: string;
    retryAfterMs?: number;
    isTimeout?: boolean;
    cause?: unknown;
  }) {
    const excerpt = options.body === undefined ? undefined : options.body.slice(0, BODY_EXCERPT_CHARS);
    const statusPart = options.status === undefined ? '' : ` (HTTP ${options.status})`;
    const bodyPart = excerpt ? `: ${excerpt}` : '';
    const url = redactUrl(options.url);
    super(`${options.message}${statusPart} from ${url}${bodyPart}`, {
      cause: options.cause,
      hint: hintFor(options.status),
    });
    this.name = 'ApiCallError';
    this.url = url;
    this.status = options.status;
    this.retryable = options.retryable;
    this.bodyExcerpt = excerpt;
    this.retryAfterMs = options.retryAfterMs;
    this.isTimeout = options.isTimeout ?? false;
  }
}

function hintFor(status: number | undefined): string | undefined {
  if (status === 401 || status === 403)
    return 'check the API key (CRSAUG_LLM_API_KEY / CRSAUG_EMBED_API_KEY)';
  if (status === 404) return 'check the base URL (it usually ends in /v1) and the model name';
  if (status === undefined) return 'check that the server is running and reachable at the base URL';
  return undefined;
}

/** Every attempt failed; `attempts` counts them and `cause` is the last error. */
export class RetriesExhaustedError extends CrsaugError {
  readonly attempts: number;
  readonly lastError: unknown;
  constructor(attempts: number, lastError: unknown) {
    super(`gave up after ${attempts} attempts: ${(lastError as Error)?.message ?? String(lastError)}`, {
      cause: lastError,
    });
    this.name = 'RetriesExhaustedError';
    this.attempts = attempts;
    this.lastError = lastError;
  }
}

/** A `doEmbed` call got more values than the model accepts in one call. */
export class TooManyEmbeddingValuesError extends CrsaugError {
  constructor(modelId: string, count: number, max: number) {
    super(`model ${modelId} accepts at most ${max} values per call, got ${count}`);
    this.name = 'TooManyEmbeddingValuesError';
  }
}
