import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { PACKAGE_VERSION } from '../../src/cli/version.js';
import { resolveConfig } from '../../src/config/load.js';
import { PACKAGE_ROOT } from '../../src/config/paths.js';
import type { Config } from '../../src/config/schema.js';
import { reportInputOf } from '../../src/pipeline/report-input.js';
import { type PipelineOutcome, runPipeline } from '../../src/pipeline/run.js';
import { writeReport } from '../../src/report/write.js';
import { buildApp, type ServeOptions } from '../../src/serve/app.js';
import type { ServeServices } from '../../src/serve/services.js';

/**
 * Where the builtin embedder's fit is kept between test runs (gitignored): fitting it takes 10-30 s, loading
 * it a moment, and it depends only on INSPIRED's texts. Provider call caching stays off.
 */
const FITTED_EMBEDDER_CACHE = join(PACKAGE_ROOT, 'test-artifacts', 'serve-cache');

export interface SmallRun {
  root: string;
  runsDir: string;
  id: string;
  dir: string;
  config: Config;
  outcome: PipelineOutcome;
}

/**
 * A complete `crsaug run` folder made by the library, as small as it gets: INSPIRED, offline defaults,
 * 20 candidates per context, a 32-d KBRD, one seed, one epoch per stage, with its report. The caller
 * removes `root`.
 */
export async function buildSmallRun(id = 'small'): Promise<SmallRun> {
  const root = mkdtempSync(join(tmpdir(), 'crsaug-serve-'));
  const config = resolveConfig({
    cwd: root,
    env: {},
    flags: {
      dataset: 'inspired',
      cacheDir: FITTED_EMBEDDER_CACHE,
      providers: { cache: false },
      augment: { retrieve: { topK: 20 }, synthesize: { topK: 20 } },
      train: { epochs: 1, seeds: 1, kbrd: { dim: 32, attentionDim: 32 } },
      run: { stage1Epochs: 1, examples: 2 },
    },
  });
  const runsDir = join(root, 'runs');
  const dir = join(runsDir, id);
  const outcome = await runPipeline(config, dir, () => {});
  await writeReport(
    dir,
    reportInputOf(outcome, config, {
      name: `${id} run`,
      version: PACKAGE_VERSION,
      command: 'test/serve/fixture.ts',
    }),
  );
  return { root, runsDir, id, dir, config, outcome };
}

export interface Server {
  url: string;
  app: FastifyInstance;
  services: ServeServices;
  /** What the server logged (errors it did not show the client). */
  logged: string[];
  close(): Promise<void>;
}

/** The serve app listening on 127.0.0.1 at a free port. */
export async function startServer(options: ServeOptions): Promise<Server> {
  const logged: string[] = [];
  const { app, services } = await buildApp({ env: {}, log: (line) => logged.push(line), ...options });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, app, services, logged, close: () => app.close() };
}

export function removeLater(dir: string): void {
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
}

/** A JSON request; the answer's status and parsed body. */
export async function call(
  url: string,
  method: string,
  body?: unknown,
  headers: Record<string, string> = {},
  // biome-ignore lint/suspicious/noExplicitAny: tests read the JSON they assert on field by field
): Promise<{ status: number; body: any; headers: Headers }> {
  const response = await fetch(url, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Not JSON (the report, the UI): the text itself.
  }
  return { status: response.status, body: parsed, headers: response.headers };
}

/**
 * A GET sent exactly as written: fetch normalises "/a/../b" and replaces the Host header, which is what an
 * attacker's client does not do.
 */
export function rawGet(
  url: string,
  path: string,
  headers: Record<string, string> = {},
  // biome-ignore lint/suspicious/noExplicitAny: tests read the JSON they assert on field by field
): Promise<{ status: number; body: any }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, path, method: 'GET', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // Not JSON.
        }
        resolve({ status: res.statusCode ?? 0, body });
      });
    });
    req.on('error', reject);
    req.end();
  });
}
