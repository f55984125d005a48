import { pairsOf } from '../data/index.js';
import {
  type BucketReport,
  type LongTailReport,
  longTailOfDataset,
  splitOf,
  summarize,
} from '../eval/index.js';
import type { Artifact } from '../pipeline/artifact-store.js';
import type { PipelineContext } from '../pipeline/context.js';
import type { TrainValue } from '../pipeline/train-stages.js';
import type { Experiment, Table } from '../report/index.js';
import { augment, type ExperimentEnv, syntheticOf, trainTwoStage } from './context.js';
import { seedPairRanks } from './pair-ranks.js';
import {
  CHART_SPLIT,
  chartLabel,
  type EvalSplit,
  type SplitColumn,
  SplitColumns,
  shortMetricLabel,
  shownSplits,
  splitNote,
} from './summary.js';

const BUCKETS = ['head', 'torso', 'tail'] as const;
const METRICS = ['recall@10', 'recall@50'] as const;

/** Per-bucket recall on a split of each seed's selected model, from its pair ranks on that split. */
async function bucketRecalls(
  ctx: PipelineContext,
  trained: Artifact<TrainValue>,
  split: EvalSplit,
): Promise<LongTailReport[]> {
  const pairs = pairsOf(splitOf(ctx.dataset, split).contexts, ctx.dataset.catalog);
  const goldEntities = Int32Array.from(pairs, (p) => p.entity);
  const contexts = Int32Array.from(pairs, (p) => p.contextIndex);
  return (await seedPairRanks(ctx, trained, split)).map((ranks) =>
    longTailOfDataset(
      ctx.dataset,
      { contexts, goldEntities, ranks: Int32Array.from(ranks) },
      ctx.config.eval.ks,
    ),
  );
}

/** One bucket of one model: its report of every seed on each shown split. */
type BucketRow = Map<EvalSplit, BucketReport[]>;

/** Mean ± std over seeds of a bucket's recall. */
function bucketRecall(seeds: readonly BucketReport[], metric: string): { mean: number; std: number } {
  const s = summarize(seeds.map((b) => b.recall[metric]!));
  return { mean: s.mean, std: s.std };
}

const COLUMNS: SplitColumn<BucketRow>[] = [
  { name: 'pairs', format: 'integer', cell: (row, split) => row.get(split)![0]!.pairs },
  ...METRICS.map(
    (metric): SplitColumn<BucketRow> => ({
      name: shortMetricLabel(metric),
      format: 'percent',
      cell: (row, split) => bucketRecall(row.get(split)!, metric),
    }),
  ),
];

/** Recall by gold-item popularity (head/torso/tail by train label frequency), baseline vs two-stage. */
export async function longTailExperiment(env: ExperimentEnv): Promise<Experiment> {
  const { ctx } = env;
  const synthetic = syntheticOf((await augment(env)).synthesized);
  const splits = shownSplits(env);
  const columns = new SplitColumns(splits, COLUMNS);
  const rows: Table['rows'] = [];
  const series: { name: string; values: { y: number; err: number }[] }[] = [];
  let rule = '';
  for (const backbone of env.backbones) {
    const { baseline, stage2 } = await trainTwoStage(ctx, backbone, synthetic);
    for (const [mode, trained] of [
      ['baseline', baseline],
      ['stage2', stage2],
    ] as const) {
      const reports = new Map<EvalSplit, LongTailReport[]>();
      for (const split of splits) reports.set(split, await bucketRecalls(ctx, trained, split));
      rule = reports.get(CHART_SPLIT)![0]!.rule;
      const values: { y: number; err: number }[] = [];
      for (const bucket of BUCKETS) {
        const row: BucketRow = new Map();
        for (const [split, seeds] of reports)
          row.set(
            split,
            seeds.map((r) => r.buckets.find((b) => b.name === bucket)!),
          );
        // Items per bucket come from the train labels, the same on every split.
        const items = row.get(CHART_SPLIT)![0]!.items;
        rows.push([backbone, mode, bucket, items, ...columns.cells(row)]);
        const chart = bucketRecall(row.get(CHART_SPLIT)!, 'recall@50');
        values.push({ y: chart.mean, err: chart.std });
      }
      series.push({ name: `${backbone} ${mode}`, values });
    }
  }
  return {
    id: 'long-tail',
    title: 'Recall by item popularity',
    description: `Recall of the pairs whose gold item is in each popularity bucket (${rule}; labels counted on the train split), baseline vs two-stage (stage 2); pairs: the split's (context, gold) pairs in the bucket. ${splitNote(splits)}`,
    table: {
      columns: [
        { label: 'backbone', format: 'text' },
        { label: 'mode', format: 'text' },
        { label: 'bucket', format: 'text' },
        { label: 'items', format: 'integer' },
        ...columns.header(),
      ],
      rows,
    },
    chart: {
      kind: 'bar',
      xLabel: 'gold item popularity',
      yLabel: chartLabel('recall@50'),
      yFormat: 'percent',
      categories: [...BUCKETS],
      series,
    },
  };
}
