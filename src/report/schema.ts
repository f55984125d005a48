import { z } from 'zod';
import { type ProviderUse, ProviderUseSchema } from '../providers/provider-use.js';

/**
 * The input contract of the run report: everything `crsaug run` knows about a finished run, as plain JSON
 * (results.json). The renderer only formats what is here; it computes nothing that could disagree with the run.
 *
 * Conventions:
 * - Metric names are lower-case `name@k` (`recall@10`, `ndcg@10`, `mrr@50`, `coverage@10`). Rank metrics
 *   (recall, ndcg, mrr, hit, precision, map) are fractions in [0, 1]; the report shows them as percent.
 * - `std` is the sample standard deviation over seeds (n − 1 in the denominator).
 * - `null` means "unknown", never zero.
 */

const nonEmpty = z.string().min(1);
const count = z.number().int().nonnegative();
const finite = z.number().finite();

export const MetricValues = z.record(nonEmpty, finite);
export type MetricValues = z.infer<typeof MetricValues>;

/** The providers a run used: the type every stage returns (src/providers/provider-use.ts). */
export const Provider = ProviderUseSchema;
export type Provider = ProviderUse;

/** A path relative to the report (no scheme, so no `javascript:` or remote URL). */
export const Link = z.object({
  label: nonEmpty,
  href: z.string().regex(/^(?![a-z][a-z0-9+.-]*:)[^\s]+$/i, 'must be a relative path, without a scheme'),
  description: z.string().default(''),
});

export const RunInfo = z.object({
  name: nonEmpty,
  dataset: nonEmpty,
  createdAt: z.iso.datetime({ offset: true }),
  crsaugVersion: nonEmpty,
  wallSeconds: finite.nonnegative(),
  /** The resolved configuration, any JSON; shown verbatim. */
  config: z.unknown(),
  providers: z.array(Provider),
  command: z.string().optional(),
  gitCommit: z.string().optional(),
  /** Caveats the reader must see next to the results (shown as a warning box). */
  notes: z.array(z.string()).default([]),
  /** Files of the run the page links to (e.g. the synthetic dataset), relative to the page. */
  links: z.array(Link).default([]),
});
export type RunInfo = z.infer<typeof RunInfo>;

export const SplitStats = z.object({
  name: nonEmpty,
  dialogues: count,
  /** Recommendation turns (contexts with ≥ 1 gold item). */
  contexts: count,
  /** (context, gold item) pairs after repeated-item removal. */
  pairs: count,
  /** Distinct gold items in the split. */
  items: count.optional(),
});
export type SplitStats = z.infer<typeof SplitStats>;

export const DatasetStats = z.object({
  splits: z.array(SplitStats).min(1),
  catalog: z.object({ items: count, entities: count, kgTriples: count, relations: count.optional() }),
});
export type DatasetStats = z.infer<typeof DatasetStats>;

export const SeedResult = z.object({ seed: z.number().int(), metrics: MetricValues });

const probability = z.number().min(0).max(1);

/** A mode against a reference mode of the same model on one metric. */
export const Comparison = z.object({
  model: nonEmpty,
  mode: nonEmpty,
  /** The reference mode, e.g. "baseline". */
  against: nonEmpty,
  metric: nonEmpty,
  /** mode − against, in the metric's units (a fraction for rate metrics). */
  diff: finite,
  ci95: z.tuple([finite, finite]),
  /** Two-sided p, and adjusted for the family of comparisons (e.g. Holm over the modes against one baseline). */
  p: probability,
  pAdjusted: probability,
  /** The test, in words, e.g. "seed × dialogue variance components, …, Welch–Satterthwaite t, two-sided". */
  method: nonEmpty,
  seeds: z.object({ mode: count, against: count }).optional(),
});
export type Comparison = z.infer<typeof Comparison>;

export const ResultRow = z.object({
  /** The backbone, e.g. "barcor-lite". */
  model: nonEmpty,
  /** baseline | stage1 | stage2 | stage2-noKL | mixed | popularity | …; see MODE_LABELS for display names. */
  mode: nonEmpty,
  /** Overrides the display name of the mode. */
  label: z.string().optional(),
  seeds: z.array(SeedResult).min(1),
  mean: MetricValues,
  std: MetricValues,
});
export type ResultRow = z.infer<typeof ResultRow>;

export const Results = z.object({
  split: nonEmpty.default('test'),
  /** Metric columns in display order; default: every metric in the rows. */
  metrics: z.array(nonEmpty).optional(),
  /** The metric charted in the main-results figure; default recall@10 when present. */
  primaryMetric: nonEmpty.optional(),
  rows: z.array(ResultRow).min(1),
  /** Each mode against a reference row of the same model (usually its baseline); marks and the comparisons table. */
  comparisons: z.array(Comparison).default([]),
});
export type Results = z.infer<typeof Results>;

/** How a number is shown; percent expects a fraction in [0, 1]. */
export const NumberFormat = z.enum(['percent', 'number', 'integer', 'seconds', 'money', 'pvalue', 'text']);
export type NumberFormat = z.infer<typeof NumberFormat>;

export const MeanStd = z.object({ mean: finite, std: finite.nonnegative() });
export const TableCell = z.union([finite, z.string(), z.null(), MeanStd]);
export type TableCell = z.infer<typeof TableCell>;

export const Table = z
  .object({
    columns: z.array(z.object({ label: nonEmpty, format: NumberFormat.default('number') })).min(1),
    rows: z.array(z.array(TableCell)),
  })
  .superRefine((table, ctx) => {
    table.rows.forEach((row, i) => {
      if (row.length !== table.columns.length)
        ctx.addIssue({
          code: 'custom',
          path: ['rows', i],
          message: `row has ${row.length} cells but the table has ${table.columns.length} columns`,
        });
    });
  });
export type Table = z.infer<typeof Table>;

const Marker = z.object({ x: finite, label: z.string() });

export const LineChart = z.object({
  kind: z.literal('line'),
  xLabel: nonEmpty,
  yLabel: nonEmpty,
  /** e.g. percent for a data-size curve over fractions 0.1 … 1. */
  xFormat: NumberFormat.default('number'),
  yFormat: NumberFormat.default('number'),
  series: z
    .array(
      z.object({
        name: nonEmpty,
        points: z.array(z.object({ x: finite, y: finite, err: finite.nonnegative().optional() })).min(1),
      }),
    )
    .min(1),
  /** Vertical reference lines, e.g. the chosen threshold 3.5. */
  markers: z.array(Marker).default([]),
});

export const BarChart = z
  .object({
    kind: z.literal('bar'),
    xLabel: z.string().default(''),
    yLabel: nonEmpty,
    yFormat: NumberFormat.default('number'),
    categories: z.array(nonEmpty).min(1),
    series: z
      .array(
        z.object({
          name: nonEmpty,
          /** One entry per category; null leaves a gap (not measured). */
          values: z.array(z.object({ y: finite, err: finite.nonnegative().optional() }).nullable()),
        }),
      )
      .min(1),
  })
  .superRefine((chart, ctx) => {
    chart.series.forEach((s, i) => {
      if (s.values.length !== chart.categories.length)
        ctx.addIssue({
          code: 'custom',
          path: ['series', i, 'values'],
          message: `has ${s.values.length} values for ${chart.categories.length} categories`,
        });
    });
  });

export const HistogramChart = z
  .object({
    kind: z.literal('histogram'),
    xLabel: nonEmpty,
    yLabel: z.string().default('count'),
    /** Bin edges, ascending; bin i is [edges[i], edges[i+1]). */
    binEdges: z.array(finite).min(2),
    /** Several series are stacked (e.g. gold items vs other candidates). */
    series: z.array(z.object({ name: nonEmpty, counts: z.array(count) })).min(1),
    markers: z.array(Marker).default([]),
  })
  .superRefine((chart, ctx) => {
    for (let i = 1; i < chart.binEdges.length; i++)
      if (!(chart.binEdges[i] > chart.binEdges[i - 1]))
        ctx.addIssue({ code: 'custom', path: ['binEdges', i], message: 'bin edges must increase' });
    chart.series.forEach((s, i) => {
      if (s.counts.length !== chart.binEdges.length - 1)
        ctx.addIssue({
          code: 'custom',
          path: ['series', i, 'counts'],
          message: `has ${s.counts.length} counts for ${chart.binEdges.length - 1} bins`,
        });
    });
  });

export const Chart = z.discriminatedUnion('kind', [LineChart, BarChart, HistogramChart]);
export type LineChart = z.infer<typeof LineChart>;
export type BarChart = z.infer<typeof BarChart>;
export type HistogramChart = z.infer<typeof HistogramChart>;
export type Chart = z.infer<typeof Chart>;

export const Experiment = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'must be a lower-case slug (a-z, 0-9, -)'),
  title: nonEmpty,
  description: z.string(),
  table: Table.optional(),
  chart: Chart.optional(),
});
export type Experiment = z.infer<typeof Experiment>;

export const Utterance = z.object({ role: z.enum(['User', 'Recommender']), text: z.string() });

export const NamedItem = z.object({ item: count.optional(), name: nonEmpty });

export const Candidate = NamedItem.extend({
  /** 1-based rank from the semantic retriever. */
  retrievalRank: z.number().int().positive(),
  teacherScore: finite.nullable().optional(),
  studentScore: finite,
  kept: z.boolean(),
});
export type Candidate = z.infer<typeof Candidate>;

export const ContextExample = z.object({
  id: nonEmpty,
  split: z.string().optional(),
  dialogue: z.array(Utterance).min(1),
  gold: z.array(NamedItem).min(1),
  candidates: z.array(Candidate),
});
export type ContextExample = z.infer<typeof ContextExample>;

export const Examples = z.object({
  /** Candidates with student score ≥ threshold become synthetic labels. */
  threshold: finite,
  scoreRange: z.tuple([finite, finite]).default([0, 4]),
  contexts: z.array(ContextExample),
});
export type Examples = z.infer<typeof Examples>;

export const StageCost = z.object({
  stage: nonEmpty,
  provider: z.string().optional(),
  llmCalls: count,
  /** Prompt + completion tokens; null when the provider does not report them. */
  tokens: count.nullable(),
  /** Estimated USD for the calls sent to the provider (cache hits are free); null = unknown, not free. */
  costUsd: finite.nonnegative().nullable(),
  wallSeconds: finite.nonnegative(),
  /** Calls answered from the cache instead of the provider. */
  cachedCalls: count.optional(),
});
export type StageCost = z.infer<typeof StageCost>;

/** One model and mode under judged evaluation: each figure mean ± std over seeds, fractions in [0, 1]. */
export const JudgedRow = z.object({
  model: nonEmpty,
  mode: nonEmpty,
  seeds: count,
  ndcg: MeanStd,
  precision: MeanStd,
  /** Share of the top k that has a judgment: how much of ndcg and precision rests on known relevance. */
  coverage: MeanStd,
  /** The same on the condensed list (unjudged items removed before the cut at k). */
  condensedNdcg: MeanStd,
  condensedPrecision: MeanStd,
});
export type JudgedRow = z.infer<typeof JudgedRow>;

/** Judged evaluation against pooled LLM relevance judgments (results.json → judged). */
export const JudgedResults = z.object({
  k: z.number().int().positive(),
  /** What was judged and how unjudged items and the gold count, in words. */
  description: z.string(),
  rows: z.array(JudgedRow).min(1),
});
export type JudgedResults = z.infer<typeof JudgedResults>;

/** One user simulator's success@k by turn per model and mode (results.json → simulation). */
export const SimulationResults = z.object({
  /** The simulator's name, e.g. "attribute" or "llm". */
  simulator: nonEmpty,
  description: z.string(),
  turns: z.number().int().positive(),
  /** The k charted (its success by turn); `successByTurn` holds every simulated k. */
  k: z.number().int().positive(),
  rows: z
    .array(
      z.object({
        model: nonEmpty,
        mode: nonEmpty,
        seeds: count,
        /** By k: mean ± std over seeds of the share of dialogues with a target in the top k by turn 1..T. */
        successByTurn: z.record(nonEmpty, z.array(MeanStd)),
      }),
    )
    .min(1),
  /** Models the simulator could not talk to, and why. */
  excluded: z.array(z.object({ model: nonEmpty, mode: nonEmpty, reason: nonEmpty })).default([]),
});
export type SimulationResults = z.infer<typeof SimulationResults>;

export const ReportInput = z
  .object({
    schemaVersion: z.literal(1),
    run: RunInfo,
    dataset: DatasetStats,
    results: Results,
    experiments: z.array(Experiment).default([]),
    examples: Examples.optional(),
    cost: z.array(StageCost).default([]),
    judged: JudgedResults.optional(),
    simulation: z.array(SimulationResults).default([]),
  })
  .superRefine((input, ctx) => {
    const ids = new Set<string>();
    input.experiments.forEach((e, i) => {
      if (ids.has(e.id))
        ctx.addIssue({ code: 'custom', path: ['experiments', i, 'id'], message: `duplicate id "${e.id}"` });
      ids.add(e.id);
    });
    input.results.rows.forEach((row, i) => {
      checkMeans(row, ['results', 'rows', i], ctx);
    });
  });
export type ReportInput = z.infer<typeof ReportInput>;
/** The JSON shape before defaults are applied: what the pipeline writes. */
export type ReportInputJson = z.input<typeof ReportInput>;

/** The mean must be the mean of the per-seed values: a mismatch means the pipeline aggregated wrongly. */
function checkMeans(row: ResultRow, path: (string | number)[], ctx: z.RefinementCtx): void {
  for (const [metric, mean] of Object.entries(row.mean)) {
    const values = row.seeds.map((s) => s.metrics[metric]);
    if (values.some((v) => v === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: [...path, 'mean', metric],
        message: 'metric missing in some seeds',
      });
      continue;
    }
    const actual = values.reduce((a, b) => a + b, 0) / values.length;
    if (Math.abs(actual - mean) > 1e-6 + 1e-6 * Math.abs(actual))
      ctx.addIssue({
        code: 'custom',
        path: [...path, 'mean', metric],
        message: `is ${short(mean)} but the seeds average ${short(actual)}`,
      });
    if (row.std[metric] === undefined)
      ctx.addIssue({ code: 'custom', path: [...path, 'std', metric], message: 'missing (mean is given)' });
  }
}

/** Eight significant digits: enough to see a disagreement, without float noise like 0.10329999999999999. */
function short(value: number): string {
  return String(Number(value.toPrecision(8)));
}
