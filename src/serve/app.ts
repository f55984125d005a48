import { join } from 'node:path';
import fastifySwagger from '@fastify/swagger';
import Fastify, { type FastifyInstance } from 'fastify';
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Config } from '../config/schema.js';
import { useConfiguredThreads } from '../train/threads.js';
import { installAccessControl } from './auth.js';
import { installErrorHandlers } from './errors.js';
import { JudgmentStore } from './judgments.js';
import { ModelCache } from './model-cache.js';
import { judgmentRoutes } from './routes/judgments.js';
import { recommendRoutes } from './routes/recommend.js';
import { runRoutes } from './routes/runs.js';
import { RunRegistry } from './run-registry.js';
import { HealthResponse } from './schemas.js';
import type { ServeServices } from './services.js';
import { isUiPath, registerStaticUi } from './static-ui.js';
import { OnlineTeacher } from './teacher.js';

export interface ServeOptions {
  /** The folder holding the run folders (`crsaug run` writes runs/<name>/). */
  runsDir: string;
  /** Where human judgments are appended (default: <runsDir>/judgments). */
  judgmentsDir?: string;
  /** Required on every API request when set (Authorization: Bearer <token>). */
  token?: string;
  /** Largest request body in bytes. */
  bodyLimit?: number;
  /** The server's own config: its chat provider becomes the teacher of /v1/score; its threads are used. */
  config?: Config;
  /** Where provider API keys come from (default: process.env). */
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
}

/** A judgment or a typed dialogue is a few KiB; nothing the API takes needs more. */
export const DEFAULT_BODY_LIMIT = 64 * 1024;

export const API_VERSION = '1.0.0';

/**
 * The `crsaug serve` application: the JSON API under /v1, its OpenAPI description at /openapi.json and the
 * web UI at /, in one Fastify instance. Not listening yet: the caller picks the address (tests use port 0).
 */
export async function buildApp(
  options: ServeOptions,
): Promise<{ app: FastifyInstance; services: ServeServices }> {
  const log = options.log ?? ((line: string) => process.stderr.write(`crsaug serve: ${line}\n`));
  if (options.config) useConfiguredThreads(options.config);
  const services: ServeServices = {
    registry: new RunRegistry(options.runsDir),
    cache: new ModelCache(options.env),
    judgments: new JudgmentStore(options.judgmentsDir ?? join(options.runsDir, 'judgments')),
    teacher: options.config ? await OnlineTeacher.open(options.config) : undefined,
    log,
  };
  const app = Fastify({
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    logger: false,
    // JSON bodies are parsed with prototype-poisoning protection (Fastify's default, kept on purpose).
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
  }).withTypeProvider<ZodTypeProvider>();
  // JSON only: a text/plain POST is what a cross-site form or script can send without a preflight.
  app.removeContentTypeParser('text/plain');
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandlers(app, log);
  installAccessControl(app, { token: options.token, publicPaths: isUiPath });
  app.addHook('onSend', async (_request, reply) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
  });
  app.addHook('onClose', async () => {
    await services.judgments.close();
    await services.cache.close();
    services.teacher?.close();
  });

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'crsaug serve',
        description:
          'Trained conversational recommenders and their LLM-augmented labels, served from the run folders of `crsaug run`.',
        version: API_VERSION,
      },
      ...(options.token
        ? {
            components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
            security: [{ bearer: [] }],
          }
        : {}),
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  app.get(
    '/v1/health',
    {
      schema: {
        summary: 'Liveness, and what is loaded',
        tags: ['server'],
        response: { 200: HealthResponse },
      },
    },
    async () => ({ status: 'ok' as const, loaded: services.cache.stats() }),
  );
  await app.register(runRoutes, { services });
  await app.register(recommendRoutes, { services });
  await app.register(judgmentRoutes, { services });
  registerStaticUi(app);
  return { app, services };
}
