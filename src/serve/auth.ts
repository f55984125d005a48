import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { errorBody } from './errors.js';

/** Host names that only this machine reaches. */
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

export function isLoopback(host: string): boolean {
  return LOOPBACK.has(host);
}

export interface AccessOptions {
  /** When set, every request except the UI's static files must carry `Authorization: Bearer <token>`. */
  token?: string;
  /** Paths served without the token: the UI shell, which holds no data and asks for the token itself. */
  publicPaths: (path: string) => boolean;
}

/**
 * Who may talk to the server. With a token, every API request must carry it (compared in constant time).
 * Without one the server listens on loopback only, and requests must name a loopback host: a web page
 * elsewhere cannot reach it through DNS rebinding (its requests would carry its own host name).
 */
export function installAccessControl(app: FastifyInstance, options: AccessOptions): void {
  const expected = options.token ? digest(options.token) : undefined;
  app.addHook('onRequest', async (request, reply) => {
    if (!expected) {
      const host = hostName(request.headers.host ?? '');
      if (!isLoopback(host)) {
        return reply
          .code(421)
          .send(
            errorBody(
              421,
              'host_not_allowed',
              'without a token the server answers loopback host names only',
              'host',
            ),
          );
      }
      return;
    }
    if (options.publicPaths(request.url.split('?')[0]!)) return;
    const header = request.headers.authorization ?? '';
    const match = /^Bearer (.+)$/i.exec(header);
    if (!match || !timingSafeEqual(digest(match[1]!.trim()), expected)) {
      return reply
        .code(401)
        .header('www-authenticate', 'Bearer')
        .send(
          errorBody(
            401,
            'unauthorized',
            'a valid bearer token is required (Authorization: Bearer <token>)',
            'authorization',
          ),
        );
    }
  });
}

/** Equal-length digests, so the comparison's time says nothing about the token's length. */
function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

/** The host name of a Host header: "127.0.0.1:8080" → "127.0.0.1", "[::1]:80" → "[::1]". */
function hostName(host: string): string {
  const lower = host.toLowerCase();
  if (lower.startsWith('[')) return lower.slice(0, lower.indexOf(']') + 1);
  return lower.split(':')[0]!;
}
