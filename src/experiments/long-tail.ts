import { pairsOf } from '../data/index.js';
import { longTailOfDataset, splitOf, summarize } from '../eval/index.js';
import type { Artifact } from '../pipeline/artifact-store.js';
import type { PipelineContext } from '../pipeline/context.js';
import type { TrainValue } from '../pipeline/train-stages.js';
import type { Experiment, Table } from '../report/index.js';
import { augment, type ExperimentEnv, syntheticOf, trainTwoStage } from './context.js';

const BUCKETS = ['head', 'torso', 'tail'] as const;
const METRICS = ['recall@10', 'recall@50'] as const;

/** Per-bucket test recall of each seed's model, from the pair ranks the train stage recorded. */
function bucketRecalls(ctx: PipelineContext, trained: Artifact<TrainValue>) {
  const test = splitOf(ctx.dataset, 'test').contexts;
  const pairs = pairsOf(test, ctx.dataset.catalog);
  const goldEntities = Int32Array.from(pairs, (p) => p.entity);
  const contexts = Int32Array.from(pairs, (p) => p.contextIndex);
  return trained.value.runs.map((run) =>
    longTailOfDataset(
      ctx.dataset,
      { contexts, goldEntities, ranks: Int32Array.from(run.pairRanks) },
      ctx.config.eval.ks,
    ),
  );
}

/** Recall by gold-item popularity (head/torso/tail by train label frequency), baseline vs two-stage. */
export async function longTailExperiment(env: ExperimentEnv): Promise<Experiment> {
  const { ctx } = env;
  const synthetic = syntheticOf((await augment(env)).synthesized);
  const rows: Table['rows'] = [];
  const series: { name: string; values: { y: number; err: number }[] }[] = [];
  let rule = '';
  for (const backbone of env.backbones) {
    const { baseline, stage2 } = await trainTwoStage(ctx, backbone, synthetic);
    for (const [mode, trained] of [
      ['baseline', baseline],
      ['stage2', stage2],
    ] as const) {
      const reports = bucketRecalls(ctx, trained);
      rule = reports[0]!.rule;
      const values: { y: number; err: number }[] = [];
      for (const bucket of BUCKETS) {
        const of = reports.map((r) => r.buckets.find((b) => b.name === bucket)!);
        const cells = METRICS.map((m) => {
          const s = summarize(of.map((b) => b.recall[m]!));
          return { mean: s.mean, std: s.std };
        });
        rows.push([backbone, mode, bucket, of[0]!.items, of[0]!.pairs, ...cells]);
        values.push({ y: cells[1]!.mean, err: cells[1]!.std });
      }
      series.push({ name: `${backbone} ${mode}`, values });
    }
  }
  return {
    id: 'long-tail',
    title: 'Recall by item popularity',
    description: `Test recall of pairs whose gold item is in each popularity bucket (${rule}; labels counted on the train split), baseline vs two-stage (stage 2). Mean ± std over seeds.`,
    table: {
      columns: [
        { label: 'backbone', format: 'text' },
        { label: 'mode', format: 'text' },
        { label: 'bucket', format: 'text' },
        { label: 'items', format: 'integer' },
        { label: 'test pairs', format: 'integer' },
        { label: 'R@10', format: 'percent' },
        { label: 'R@50', format: 'percent' },
      ],
      rows,
    },
    chart: {
      kind: 'bar',
      xLabel: 'gold item popularity',
      yLabel: 'test R@50',
      yFormat: 'percent',
      categories: [...BUCKETS],
      series,
    },
  };
}
