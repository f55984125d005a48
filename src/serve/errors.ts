import type { FastifyError, FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { CrsaugError, InputError } from '../util/errors.js';

/** Every error the API answers with: the HTTP status, a stable code, a readable message and the field at fault. */
export const ErrorSchema = z
  .object({
    statusCode: z.number().int(),
    error: z.string().describe('HTTP reason phrase'),
    code: z.string().describe('stable machine-readable code, e.g. invalid_body, unknown_run, unauthorized'),
    message: z.string(),
    field: z
      .string()
      .optional()
      .describe('the request field at fault, as a path into the body or query (e.g. "context[2]", "k")'),
  })
  .meta({ id: 'Error' });
export type ErrorBody = z.output<typeof ErrorSchema>;

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  421: 'Misdirected Request',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** An error the API reports as it is: the handlers throw these for anything the client can fix. */
export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export function errorBody(statusCode: number, code: string, message: string, field?: string): ErrorBody {
  return {
    statusCode,
    error: REASONS[statusCode] ?? 'Error',
    code,
    message,
    ...(field === undefined ? {} : { field }),
  };
}

/** A path into the request as a person writes it: ["context", 2] → "context[2]", ["a", "b"] → "a.b". */
export function fieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, key) => {
    if (typeof key === 'number') return `${out}[${key}]`;
    return out ? `${out}.${String(key)}` : String(key);
  }, '');
}

/** Fastify's own request errors, by code: how each is reported and which field it concerns. */
const FASTIFY_ERRORS: Record<string, { code: string; field: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'body_too_large', field: 'body' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { code: 'unsupported_media_type', field: 'content-type' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { code: 'invalid_content_length', field: 'content-length' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: 'invalid_body', field: 'body' },
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'invalid_json', field: 'body' },
};

/**
 * Turns every failure into the JSON error shape: schema violations name the first bad field, the client's
 * mistakes keep their 4xx status, and anything else is a 500 whose details go to the server's log only.
 */
export function installErrorHandlers(app: FastifyInstance, log: (line: string) => void): void {
  app.setErrorHandler((error: FastifyError | ApiError | Error, request, reply) => {
    if (error instanceof ApiError) {
      return reply
        .code(error.statusCode)
        .send(errorBody(error.statusCode, error.code, error.message, error.field));
    }
    if (hasZodFastifySchemaValidationErrors(error)) {
      const issue = error.validation[0]!;
      const params = issue.params as { keys?: string[] };
      const path = issue.instancePath.split('/').filter(Boolean);
      // An unknown key is reported on the object that holds it; name the key itself.
      const keys = issue.keyword === 'unrecognized_keys' ? (params.keys ?? []) : [];
      const segments = [...path, ...keys.slice(0, 1)].map((s) => (/^\d+$/.test(s) ? Number(s) : s));
      const where = (error as { validationContext?: string }).validationContext ?? 'body';
      const field = fieldPath(segments) || where;
      return reply
        .code(400)
        .send(errorBody(400, `invalid_${where}`, `${where} field "${field}": ${issue.message}`, field));
    }
    if (error instanceof SyntaxError && (error as FastifyError).statusCode === 400) {
      return reply
        .code(400)
        .send(errorBody(400, 'invalid_json', `body is not valid JSON: ${error.message}`, 'body'));
    }
    const fastify = error as FastifyError;
    const known = fastify.code ? FASTIFY_ERRORS[fastify.code] : undefined;
    if (known && fastify.statusCode) {
      return reply
        .code(fastify.statusCode)
        .send(errorBody(fastify.statusCode, known.code, error.message, known.field));
    }
    if (fastify.statusCode && fastify.statusCode >= 400 && fastify.statusCode < 500) {
      return reply
        .code(fastify.statusCode)
        .send(errorBody(fastify.statusCode, fastify.code ?? 'bad_request', error.message));
    }
    if (error instanceof InputError || error instanceof CrsaugError) {
      // A run folder or dataset the server could not read: the client cannot fix it, the operator can.
      log(`${request.method} ${request.url}: ${error.message}`);
      return reply.code(500).send(errorBody(500, 'run_unreadable', error.message));
    }
    log(`${request.method} ${request.url}: ${error.stack ?? error.message}`);
    return reply.code(500).send(errorBody(500, 'internal', 'internal error (see the server log)'));
  });
  app.setNotFoundHandler((request, reply) => {
    reply
      .code(404)
      .send(errorBody(404, 'not_found', `no route ${request.method} ${request.url.split('?')[0]}`));
  });
}
