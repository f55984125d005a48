import { join, resolve } from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { resolveConfig, SERVE_TOKEN_ENV } from '../config/load.js';
import { buildApp, DEFAULT_BODY_LIMIT } from '../serve/app.js';
import { isLoopback } from '../serve/auth.js';
import { CrsaugError } from '../util/errors.js';
import { jsonFlag, positiveInt, threadsOption } from './flags.js';

interface ServeFlags {
  runs?: string;
  host?: string;
  port: number;
  judgments?: string;
  bodyLimit?: number;
  config?: string;
  threads?: number;
  json?: boolean;
}

/** The environment variable holding the bearer token (a flag would show it in the process list). */
const TOKEN_ENV = SERVE_TOKEN_ENV;

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('expected a port, 0-65535');
  return n;
}

/** `crsaug serve`: the HTTP API and web UI over the run folders of `crsaug run`. */
export function register(program: Command): void {
  threadsOption(program.command('serve'))
    .description(
      'HTTP API and web UI over the run folders: chat with the trained models, inspect and correct the synthetic labels',
    )
    .option('--runs <dir>', 'folder holding the run folders (default: runs)')
    .option(
      '--host <address>',
      `address to listen on; anything but loopback needs ${TOKEN_ENV} (default: 127.0.0.1)`,
    )
    .option('--port <n>', 'port (0: any free port)', port, 8080)
    .option('--judgments <dir>', 'folder of the human-judgment files (default: <runs>/judgments)')
    .option('--body-limit <bytes>', `largest request body (default: ${DEFAULT_BODY_LIMIT})`, positiveInt)
    .option(
      '--config <file>',
      'config file whose chat model judges in /v1/score (default: ./crsaug.config.json)',
    )
    .addOption(jsonFlag('print the address, runs and settings as one JSON line once listening'))
    .action(async (flags: ServeFlags) => {
      const host = flags.host ?? '127.0.0.1';
      const token = process.env[TOKEN_ENV] || undefined;
      if (!isLoopback(host) && !token) {
        throw new CrsaugError(`--host ${host} lets other machines in, so every request must carry a token`, {
          hint: `set ${TOKEN_ENV} to a long random secret (e.g. openssl rand -hex 32); clients send Authorization: Bearer <it>`,
        });
      }
      const config = resolveConfig({ configFile: flags.config, flags: { threads: flags.threads } });
      const runsDir = resolve(flags.runs ?? 'runs');
      const judgmentsDir = resolve(flags.judgments ?? join(runsDir, 'judgments'));
      const { app, services } = await buildApp({
        runsDir,
        judgmentsDir,
        token,
        bodyLimit: flags.bodyLimit,
        config,
      });
      const address = await app.listen({ host, port: flags.port });
      const runs = services.registry.ids();
      const teacher = services.teacher?.describe() ?? null;
      process.stdout.write(
        flags.json
          ? `${JSON.stringify({ address, runsDir, runs, judgmentsDir, teacher, token: Boolean(token) })}\n`
          : [
              `crsaug serve: ${address}/ (API under /v1, OpenAPI at /openapi.json)`,
              `runs: ${runsDir} (${runs.length ? runs.join(', ') : 'none yet: run `npm start`'})`,
              `human judgments: ${judgmentsDir}`,
              `teacher for /v1/score: ${teacher ?? 'none (no chat model configured)'}`,
              token
                ? `every API request needs Authorization: Bearer <${TOKEN_ENV}>`
                : 'loopback only, no token',
            ].join('\n') + '\n',
      );
      const stop = async () => {
        await app.close();
        process.exit(0);
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
