import type { z } from 'zod';
import { ApiCallError } from '../errors.js';
import { joinUrl } from './http.js';

/** Validates a response body at the boundary; a wrong shape means a different API, so retrying cannot help. */
export function parseResponse<S extends z.ZodType>(
  schema: S,
  body: unknown,
  baseUrl: string,
  path: string,
): z.output<S> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw new ApiCallError({
    message: `unexpected response shape at "${issue.path.join('.')}": ${issue.message}`,
    url: joinUrl(baseUrl, path),
    retryable: false,
    body: JSON.stringify(body),
  });
}
