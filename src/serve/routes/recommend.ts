import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Dataset } from '../../data/types.js';
import { topKOfRow } from '../../eval/topk.js';
import { ApiError, ErrorSchema } from '../errors.js';
import { RecommendRequest, RecommendResponse, ScoreRequest, ScoreResponse } from '../schemas.js';
import { checkDataset, itemDetails, type ServeServices, trainedModel } from '../services.js';

const errors = { 400: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema };

/** POST /v1/recommend and POST /v1/score: a trained recommender and the student on a typed dialogue. */
export async function recommendRoutes(
  app: FastifyInstance,
  { services }: { services: ServeServices },
): Promise<void> {
  const api = app.withTypeProvider<ZodTypeProvider>();

  api.post(
    '/v1/recommend',
    {
      schema: {
        summary: 'Top-k items for a dialogue from a trained model of a run',
        description:
          'Links the context to the knowledge graph, scores every item with the model and returns the k best, leaving out items the context mentions. With compare: true, the baseline ranks too.',
        tags: ['recommend'],
        body: RecommendRequest,
        response: { 200: RecommendResponse, ...errors },
      },
    },
    async (request) => {
      const body = request.body;
      const run = services.registry.get(body.run, 'run');
      checkDataset(run, body.dataset);
      const modes = body.compare ? [...new Set(['baseline', body.mode])] : [body.mode];
      const models = modes.map((mode) => trainedModel(run, body.model, mode, body.seed));
      const { dataset, linker } = await services.cache.dataset(run);
      const linked = linker.link(body.context);
      const lists = [];
      for (const { model, seed } of models) {
        const scorer = await services.cache.recommender(run, model, seed);
        const scores = scorer.score([linked.context]);
        lists.push({
          model: model.backbone,
          mode: model.mode,
          seed,
          items: ranked(dataset, scores, linked.mentioned, body.k),
        });
      }
      return { run: run.id, dataset: run.dataset, entities: linked.entities, lists };
    },
  );

  api.post(
    '/v1/score',
    {
      schema: {
        summary: 'Relevance of items to a dialogue, 0-4: the run’s student, and the teacher when configured',
        tags: ['recommend'],
        body: ScoreRequest,
        response: { 200: ScoreResponse, ...errors },
      },
    },
    async (request) => {
      const body = request.body;
      const run = services.registry.get(body.run, 'run');
      checkDataset(run, body.dataset);
      const lookup = await services.cache.dataset(run);
      const indices = body.items.map((name, i) => {
        const index = lookup.items.get(name);
        if (index === undefined) {
          throw new ApiError(
            400,
            'unknown_item',
            `"${name}" is not an item of ${run.dataset}`,
            `items[${i}]`,
          );
        }
        return index;
      });
      const linked = lookup.linker.link(body.context);
      const student = await services.cache.student(run);
      const scores = await student.scorer.score([{ context: linked.context, items: indices }]);
      const teacher = await services.teacher?.judge(lookup.dataset, linked.context, body.items);
      return {
        run: run.id,
        dataset: run.dataset,
        student: student.description,
        teacher: services.teacher?.describe() ?? null,
        entities: linked.entities,
        scores: indices.map((index, i) => ({
          item: body.items[i]!,
          index,
          student: Number(scores[i]!.toFixed(4)),
          teacher: teacher?.[i]?.score ?? null,
          reason: teacher?.[i]?.reason ?? null,
        })),
      };
    },
  );
}

/**
 * The k best items of a score row, mentioned items left out (the evaluation protocol's rule), with the
 * softmax probability over the items that could be recommended.
 */
function ranked(dataset: Dataset, scores: Float32Array, mentioned: ReadonlySet<number>, k: number) {
  for (const item of mentioned) scores[item] = Number.NEGATIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < scores.length; i++) if (scores[i]! > max) max = scores[i]!;
  let sum = 0;
  for (let i = 0; i < scores.length; i++) sum += Math.exp(scores[i]! - max);
  return [...topKOfRow(scores, k)].map((index, i) => ({
    ...itemDetails(dataset, index),
    rank: i + 1,
    score: Number(scores[index]!.toFixed(4)),
    probability: Math.exp(scores[index]! - max) / sum,
  }));
}
