import { z } from 'zod';
import { Comparison } from '../report/schema.js';

/**
 * The HTTP API's contract: request and response bodies as zod schemas. Fastify validates requests with them
 * (unknown fields are errors) and /openapi.json is generated from them, so the two cannot drift apart.
 */

/** A run id is a folder name directly under the runs folder: no separators, no leading dot. */
export const RUN_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
export const RunId = z
  .string()
  .regex(
    RUN_ID_PATTERN,
    'a run id is the name of a folder under the runs folder (letters, digits, ".", "_", "-")',
  )
  .describe('run folder name under the runs folder, e.g. "inspired"');

/** Bounds that keep one request cheap: a long dialogue is 40-60 utterances of a few hundred characters. */
export const LIMITS = { utterances: 200, utteranceChars: 4000, items: 200, k: 100, pageSize: 100 } as const;

const Context = z
  .array(z.string().max(LIMITS.utteranceChars))
  .min(1)
  .max(LIMITS.utterances)
  .describe(
    'utterances, oldest first: even positions (0, 2, …) are the user (seeker), odd ones the recommender',
  );

const ItemName = z.string().min(1).max(300).describe('catalog name, e.g. "John Wick (2014)"');

const ScoreValue = z.number().min(0).max(4);

export const RecommendRequest = z
  .strictObject({
    run: RunId,
    dataset: z.string().min(1).optional().describe("must equal the run's dataset when given"),
    context: Context,
    k: z.number().int().min(1).max(LIMITS.k).default(10),
    model: z
      .string()
      .min(1)
      .optional()
      .describe('backbone, e.g. "kbrd" (default: the first the run trained)'),
    mode: z
      .string()
      .min(1)
      .default('stage2')
      .describe('training mode of the run: baseline, stage1, stage2, stage2-noKL, mixed'),
    seed: z.number().int().optional().describe("which seed's checkpoint (default: the run's first seed)"),
    compare: z.boolean().default(false).describe('also rank with the baseline: lists = [baseline, mode]'),
  })
  .meta({ id: 'RecommendRequest' });
export type RecommendRequest = z.output<typeof RecommendRequest>;

export const LinkedEntity = z.object({
  utterance: z.number().int().describe('position of the utterance in the context'),
  start: z.number().int().describe('character offsets in that utterance'),
  end: z.number().int(),
  text: z.string().describe('the words as written'),
  name: z.string().describe('the knowledge-graph entity they were linked to'),
  type: z.string().describe('movie, person, genre, … (the dataset’s entity type)'),
  item: z.boolean().describe('whether the entity is a recommendable item (then it is not recommended again)'),
});
export type LinkedEntity = z.output<typeof LinkedEntity>;

export const ItemDetails = z.object({
  item: z.string().describe('catalog name, the item’s id in judgments'),
  index: z.number().int().describe('position in the catalog (the index models score)'),
  year: z.number().int().nullable(),
  genres: z.array(z.string()),
  directors: z.array(z.string()),
  stars: z.array(z.string()),
  writers: z.array(z.string()),
  plot: z.string(),
});
export type ItemDetails = z.output<typeof ItemDetails>;

export const RankedItem = ItemDetails.extend({
  rank: z.number().int().positive(),
  score: z.number().describe('the model’s logit'),
  probability: z.number().describe('softmax over the items that could be recommended'),
});

export const RecommendationList = z.object({
  model: z.string(),
  mode: z.string(),
  seed: z.number().int(),
  items: z.array(RankedItem),
});

export const RecommendResponse = z
  .object({
    run: z.string(),
    dataset: z.string(),
    entities: z.array(LinkedEntity),
    lists: z.array(RecommendationList).describe('one list, or [baseline, mode] with compare'),
  })
  .meta({ id: 'RecommendResponse' });
export type RecommendResponse = z.output<typeof RecommendResponse>;

export const ScoreRequest = z
  .strictObject({
    run: RunId,
    dataset: z.string().min(1).optional(),
    context: Context,
    items: z.array(ItemName).min(1).max(LIMITS.items),
  })
  .meta({ id: 'ScoreRequest' });
export type ScoreRequest = z.output<typeof ScoreRequest>;

export const ScoreResponse = z
  .object({
    run: z.string(),
    dataset: z.string(),
    student: z.string().describe('what the student scorer is'),
    teacher: z.string().nullable().describe('the chat model that judged, null when none is configured'),
    entities: z.array(LinkedEntity),
    scores: z.array(
      z.object({
        item: z.string(),
        index: z.number().int(),
        student: ScoreValue,
        teacher: ScoreValue.nullable(),
        reason: z.string().nullable(),
      }),
    ),
  })
  .meta({ id: 'ScoreResponse' });

const TrainedModel = z.object({
  model: z.string().describe('backbone'),
  mode: z.string(),
  seeds: z.array(z.number().int()),
  servable: z.boolean().describe('whether /v1/recommend can rank a typed dialogue with it'),
});

export const RunSummary = z.object({
  id: z.string(),
  name: z.string(),
  dataset: z.string(),
  createdAt: z.string().nullable(),
  models: z.array(TrainedModel),
  reportUrl: z.string().nullable().describe('the run’s HTML report, served by this server'),
});
export type RunSummary = z.output<typeof RunSummary>;

export const RunsResponse = z.object({ runs: z.array(RunSummary) }).meta({ id: 'RunsResponse' });

const Metrics = z.record(z.string(), z.number());

export const RunDetail = RunSummary.extend({
  command: z.string().nullable(),
  config: z.unknown().describe('config.resolved.json'),
  providers: z.array(
    z.object({ role: z.string(), id: z.string(), description: z.string(), offline: z.boolean() }),
  ),
  notes: z.array(z.string()),
  results: z.object({
    split: z.string(),
    rows: z.array(
      z.object({
        model: z.string(),
        mode: z.string(),
        seeds: z.array(z.number().int()),
        mean: Metrics,
        std: Metrics,
      }),
    ),
    comparisons: z
      .array(Comparison)
      .describe('each augmented mode against its baseline: difference, 95 % interval, p and adjusted p'),
  }),
  synthesis: z
    .object({
      scorer: z.string(),
      threshold: z.number(),
      contexts: z.number().int(),
      contextsWithLabels: z.number().int(),
      labels: z.number().int(),
    })
    .nullable(),
}).meta({ id: 'RunDetail' });
export type RunDetail = z.output<typeof RunDetail>;

export const RunParams = z.strictObject({ id: RunId });

export const LABEL_FILTERS = ['all', 'kept', 'not-kept', 'teacher', 'disagree', 'human'] as const;
export type LabelFilter = (typeof LABEL_FILTERS)[number];
export const LABEL_SORTS = ['student', 'rank', 'gap'] as const;
export type LabelSort = (typeof LABEL_SORTS)[number];

export const LabelsQuery = z.strictObject({
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(LIMITS.pageSize).default(20),
  filter: z
    .enum(LABEL_FILTERS)
    .default('all')
    .describe(
      'pairs shown: all; kept (synthetic labels); not-kept (candidates below the threshold); teacher (judged by the teacher); disagree (teacher and student differ by at least `gap`); human (relabelled here)',
    ),
  gap: z.coerce.number().min(0).max(4).default(1),
  sort: z.enum(LABEL_SORTS).default('student').describe('order of a context’s pairs'),
  q: z.string().max(200).optional().describe('only contexts whose dialogue or pair items contain this text'),
});
export type LabelsQuery = z.output<typeof LabelsQuery>;

const Judgment = z.object({ score: ScoreValue, reason: z.string().nullable() });

export const LabelPair = z.object({
  item: z.string(),
  index: z.number().int(),
  rank: z
    .number()
    .int()
    .nullable()
    .describe('retrieval rank; null for a judged item the retriever did not return'),
  student: ScoreValue,
  kept: z.boolean().describe('a synthetic label of the run'),
  teacher: Judgment.nullable(),
  human: Judgment.extend({ createdAt: z.string() }).nullable(),
});
export type LabelPair = z.output<typeof LabelPair>;

export const LabelsResponse = z
  .object({
    run: z.string(),
    dataset: z.string(),
    split: z.string(),
    threshold: z.number(),
    student: z.string(),
    teacher: z.string().nullable(),
    total: z.object({ contexts: z.number().int(), pairs: z.number().int() }),
    offset: z.number().int(),
    limit: z.number().int(),
    contexts: z.array(
      z.object({
        dialog_id: z.string(),
        turn_id: z.number().int(),
        dialogue: z.array(z.object({ role: z.enum(['User', 'Recommender']), text: z.string() })),
        gold: z.array(z.string()),
        pairs: z.array(LabelPair),
      }),
    ),
  })
  .meta({ id: 'LabelsResponse' });
export type LabelsResponse = z.output<typeof LabelsResponse>;

export const JudgmentRequest = z
  .strictObject({
    dataset: z.string().min(1),
    split: z.enum(['train', 'valid', 'test']),
    dialog_id: z.union([z.string().min(1).max(200), z.number().int()]).transform(String),
    turn_id: z.number().int().min(0),
    item: ItemName,
    score: z.number().int().min(0).max(4).describe('0-4 on the relevance rubric'),
    reason: z.string().trim().min(1).max(2000),
    run: RunId.optional().describe('the run whose labels were being corrected (kept for provenance)'),
  })
  .meta({ id: 'JudgmentRequest' });
export type JudgmentRequest = z.output<typeof JudgmentRequest>;

/** One line of a human-judgments file: the teacher format (`augment distill --teacher` reads it) plus provenance. */
export const HumanJudgment = z.object({
  dataset: z.string(),
  split: z.enum(['train', 'valid', 'test']),
  dialog_id: z.string(),
  turn_id: z.number().int(),
  item: z.string(),
  score: z.number(),
  reason: z.string(),
  source: z.literal('human'),
  run: z.string().optional(),
  createdAt: z.string(),
});
export type HumanJudgment = z.output<typeof HumanJudgment>;

export const JudgmentResponse = z
  .object({
    judgment: HumanJudgment,
    file: z.string().describe('the JSONL file it was appended to, relative to the judgments folder'),
  })
  .meta({ id: 'JudgmentResponse' });

export const HealthResponse = z.object({
  status: z.literal('ok'),
  loaded: z.object({
    datasets: z.number().int(),
    models: z.number().int(),
    students: z.number().int(),
    labelIndexes: z.number().int(),
  }),
});
