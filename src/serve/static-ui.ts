import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { errorBody } from './errors.js';
import { INDEX_HTML, UI_STYLES } from './ui-page.js';

/** The browser modules, compiled from src/serve/ui by its own tsconfig (DOM types) next to this file. */
const UI_DIR = fileURLToPath(new URL('./ui/', import.meta.url));

/**
 * Scripts from this origin only and no inline script; the inline styles are the run report's, shown in a
 * sandboxed frame (a srcdoc frame inherits this policy).
 */
const UI_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "frame-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Whether a path is part of the UI shell: static files without data, served without a token. */
export function isUiPath(path: string): boolean {
  return path === '/' || path.startsWith('/ui/') || path === '/favicon.ico';
}

/**
 * The web UI: one page, its stylesheet and its ES modules, all from this process (no CDN, works offline).
 * The files are read once; only names found in the UI folder are served, so a request names no path.
 */
export function registerStaticUi(app: FastifyInstance): void {
  const files = new Map<string, { type: string; body: string }>([
    ['styles.css', { type: 'text/css; charset=utf-8', body: UI_STYLES }],
  ]);
  if (existsSync(UI_DIR)) {
    for (const name of readdirSync(UI_DIR).filter((n) => n.endsWith('.js'))) {
      files.set(name, {
        type: 'text/javascript; charset=utf-8',
        body: readFileSync(join(UI_DIR, name), 'utf8'),
      });
    }
  }
  const page = (reply: import('fastify').FastifyReply) =>
    reply.type('text/html; charset=utf-8').header('content-security-policy', UI_CSP).send(INDEX_HTML);
  app.get('/', { schema: { hide: true } }, async (_request, reply) => {
    if (!files.has('app.js')) {
      return reply
        .code(503)
        .send(
          errorBody(
            503,
            'ui_not_built',
            `the web UI is not built (${UI_DIR} has no app.js): run npm run build`,
          ),
        );
    }
    return page(reply);
  });
  app.get('/ui/:file', { schema: { hide: true } }, async (request, reply) => {
    const file = files.get((request.params as { file: string }).file);
    if (!file) return reply.code(404).send(errorBody(404, 'not_found', 'no such UI file'));
    return reply.type(file.type).header('cache-control', 'no-cache').send(file.body);
  });
  app.get('/favicon.ico', { schema: { hide: true } }, async (_request, reply) => reply.code(204).send());
}
