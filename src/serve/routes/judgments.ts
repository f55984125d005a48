import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { ApiError, ErrorSchema } from '../errors.js';
import type { RunState } from '../run-registry.js';
import { type HumanJudgment, JudgmentRequest, JudgmentResponse } from '../schemas.js';
import type { ServeServices } from '../services.js';

/** POST /v1/judgments: a person's relevance judgment of a pair, appended to the human-judgments file. */
export async function judgmentRoutes(
  app: FastifyInstance,
  { services }: { services: ServeServices },
): Promise<void> {
  const api = app.withTypeProvider<ZodTypeProvider>();

  api.post(
    '/v1/judgments',
    {
      schema: {
        summary: 'Record a human relevance judgment (0-4 with a reason) of a (context, item) pair',
        description:
          'Appended to <judgments folder>/<dataset>_<split>.human.jsonl in the teacher format: `crsaug augment distill --teacher FILE` reads it. The context and item must exist in the dataset of a run under the runs folder.',
        tags: ['judgments'],
        body: JudgmentRequest,
        response: { 201: JudgmentResponse, 400: ErrorSchema, 404: ErrorSchema },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const run = runOfDataset(services, body.dataset, body.run);
      const lookup = await services.cache.dataset(run);
      if (!lookup.dataset.splits[body.split]) {
        throw new ApiError(
          400,
          'unknown_split',
          `${body.dataset} has no ${body.split} split loaded`,
          'split',
        );
      }
      if (!lookup.context(body.split, body.dialog_id, body.turn_id)) {
        throw new ApiError(
          400,
          'unknown_context',
          `${body.dataset}/${body.split} has no context dialog_id ${body.dialog_id} turn_id ${body.turn_id}`,
          'dialog_id',
        );
      }
      if (!lookup.items.has(body.item)) {
        throw new ApiError(400, 'unknown_item', `"${body.item}" is not an item of ${body.dataset}`, 'item');
      }
      const judgment: HumanJudgment = {
        dataset: body.dataset,
        split: body.split,
        dialog_id: body.dialog_id,
        turn_id: body.turn_id,
        item: body.item,
        score: body.score,
        reason: body.reason,
        source: 'human',
        ...(body.run ? { run: body.run } : {}),
        createdAt: new Date().toISOString(),
      };
      const file = await services.judgments.append(judgment);
      return reply.code(201).send({ judgment, file });
    },
  );
}

/** The run whose dataset checks the judgment: the one named, else any run of that dataset. */
function runOfDataset(services: ServeServices, dataset: string, runId: string | undefined): RunState {
  if (runId !== undefined) {
    const run = services.registry.get(runId, 'run');
    if (run.dataset !== dataset) {
      throw new ApiError(
        400,
        'dataset_mismatch',
        `run "${run.id}" is on ${run.dataset}, not ${dataset}`,
        'dataset',
      );
    }
    return run;
  }
  for (const id of services.registry.ids()) {
    try {
      const run = services.registry.get(id);
      if (run.dataset === dataset) return run;
    } catch {
      // An unreadable run folder cannot vouch for a dataset; another may.
    }
  }
  throw new ApiError(
    400,
    'unknown_dataset',
    `no run under the runs folder is on dataset "${dataset}"`,
    'dataset',
  );
}
