import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { resultRow } from '../../report/result-row.js';
import { ApiError, ErrorSchema } from '../errors.js';
import type { RunState } from '../run-registry.js';
import {
  LabelsQuery,
  LabelsResponse,
  type RunDetail,
  RunDetail as RunDetailSchema,
  RunParams,
  type RunSummary,
  RunsResponse,
} from '../schemas.js';
import { isServable, type ServeServices } from '../services.js';

/** The run report is self-contained HTML without scripts; this policy keeps it so in the browser too. */
const REPORT_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

/** GET /v1/runs, /v1/runs/{id}, /v1/runs/{id}/report and /v1/runs/{id}/labels. */
export async function runRoutes(
  app: FastifyInstance,
  { services }: { services: ServeServices },
): Promise<void> {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const { registry } = services;

  api.get(
    '/v1/runs',
    {
      schema: {
        summary: 'The run folders under the runs folder',
        tags: ['runs'],
        response: { 200: RunsResponse },
      },
    },
    async () => {
      const runs: RunSummary[] = [];
      for (const id of registry.ids()) {
        try {
          runs.push(summaryOf(registry.get(id)));
        } catch (error) {
          // One unreadable folder (a run still starting, a hand-edited file) must not hide the others.
          services.log(`runs: skipping ${id}: ${(error as Error).message}`);
        }
      }
      return { runs };
    },
  );

  api.get(
    '/v1/runs/:id',
    {
      schema: {
        summary: 'A run: its results, resolved config, providers, synthetic labels and report link',
        tags: ['runs'],
        params: RunParams,
        response: { 200: RunDetailSchema, 400: ErrorSchema, 404: ErrorSchema },
      },
    },
    async (request) => detailOf(registry.get(request.params.id)),
  );

  api.get(
    '/v1/runs/:id/report',
    {
      schema: {
        summary: 'The run’s HTML report (report.html)',
        tags: ['runs'],
        params: RunParams,
        produces: ['text/html'],
        response: { 200: z.string(), 400: ErrorSchema, 404: ErrorSchema },
      },
    },
    async (request, reply) => {
      const run = registry.get(request.params.id);
      const html = registry.reportHtml(run);
      if (html === undefined)
        throw new ApiError(404, 'no_report', `run "${run.id}" has no report.html yet`, 'id');
      return reply.type('text/html; charset=utf-8').header('content-security-policy', REPORT_CSP).send(html);
    },
  );

  api.get(
    '/v1/runs/:id/labels',
    {
      schema: {
        summary: 'The synthetic labels pair by pair: candidates, student and teacher scores, kept or not',
        description:
          'Contexts of the synthesis split (train) in dataset order, a page at a time, each with the pairs that pass the filter.',
        tags: ['runs'],
        params: RunParams,
        querystring: LabelsQuery,
        response: { 200: LabelsResponse, 400: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema },
      },
    },
    async (request) => {
      const run = registry.get(request.params.id);
      const index = await services.cache.labels(run);
      const human = await services.judgments.byContext(run.dataset, index.split);
      return {
        run: run.id,
        dataset: run.dataset,
        teacher: run.augmentation.teacherDescription ?? null,
        ...(await index.query(request.query, human)),
      };
    },
  );
}

function summaryOf(run: RunState): RunSummary {
  return {
    id: run.id,
    name: run.report?.run.name ?? run.id,
    dataset: run.dataset,
    createdAt: run.report?.run.createdAt ?? null,
    models: run.trained.map((t) => ({
      model: t.backbone,
      mode: t.mode,
      seeds: t.seeds,
      servable: isServable(t.backbone),
    })),
    reportUrl: run.report ? `/v1/runs/${encodeURIComponent(run.id)}/report` : null,
  };
}

function detailOf(run: RunState): RunDetail {
  const rows = run.report
    ? run.report.results.rows
    : Object.entries(run.results?.results ?? {}).flatMap(([model, modes]) =>
        Object.entries(modes).map(([mode, seeds]) =>
          resultRow(
            model,
            mode,
            Object.entries(seeds).map(([seed, metrics]) => ({ seed: Number(seed), metrics })),
          ),
        ),
      );
  const synthesis = run.augmentation.synthesis;
  return {
    ...summaryOf(run),
    command: run.report?.run.command ?? null,
    config: run.config,
    providers: run.report?.run.providers ?? [],
    notes: run.report?.run.notes ?? [],
    results: {
      split: run.report?.results.split ?? 'test',
      rows: rows.map((row) => ({
        model: row.model,
        mode: row.mode,
        seeds: row.seeds.map((s) => s.seed),
        mean: row.mean,
        std: row.std,
      })),
      comparisons: run.report?.results.comparisons ?? run.results?.comparisons ?? [],
    },
    synthesis: synthesis
      ? {
          scorer: synthesis.scorer,
          threshold: synthesis.threshold,
          contexts: synthesis.contexts,
          contextsWithLabels: synthesis.contexts - synthesis.contextsWithoutLabels,
          labels: synthesis.labels,
        }
      : null,
  };
}
