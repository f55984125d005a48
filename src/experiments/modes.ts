import { type Metrics, pairDialogues, splitOf } from '../eval/index.js';
import type { Artifact } from '../pipeline/artifact-store.js';
import type { PipelineContext } from '../pipeline/context.js';
import { compareWithBaseline, HOLM_FAMILY, type ModeComparison } from '../pipeline/significance.js';
import type { SeedRun, TrainValue } from '../pipeline/train-stages.js';
import type { Experiment, Table } from '../report/index.js';
import {
  augment,
  type ExperimentEnv,
  syntheticOf,
  trainBaseline,
  trainMixed,
  trainStage1,
  trainStage2,
} from './context.js';
import { seedPairRanks } from './pair-ranks.js';
import {
  bar,
  chartLabel,
  type EvalSplit,
  recallColumns,
  SplitColumns,
  shortMetricLabel,
  shownSplits,
  splitNote,
  type TrainedModels,
} from './summary.js';

const MODES = ['baseline', 'stage2', 'stage2-prior', 'stage2-noKL', 'stage1', 'mixed'] as const;
type Mode = (typeof MODES)[number];
const TESTED = ['recall@10', 'recall@50'];

/** One mode of one backbone: its models and, beside the baseline, p-values against it on each shown split. */
interface ModeRow {
  trained: Artifact<TrainValue>;
  p?: Map<EvalSplit, Metrics>;
}

/** The seed runs with the pair ranks of `split`, as the significance test reads them. */
async function runsOn(
  ctx: PipelineContext,
  trained: Artifact<TrainValue>,
  split: EvalSplit,
): Promise<SeedRun[]> {
  const ranks = await seedPairRanks(ctx, trained, split);
  return trained.value.runs.map((run, i) => ({ ...run, pairRanks: ranks[i]! }));
}

/** The dialogue of each evaluated pair of `split`, in pair-rank order: the clusters of the comparison. */
function dialoguesOf(ctx: PipelineContext, split: EvalSplit): string[] {
  return pairDialogues(splitOf(ctx.dataset, split).contexts, ctx.dataset.catalog);
}

/** Baseline vs two-stage vs its variants, per backbone, with p-values against the backbone's baseline. */
export async function modesExperiment(env: ExperimentEnv): Promise<Experiment> {
  const { ctx } = env;
  const synthetic = syntheticOf((await augment(env)).synthesized);
  const splits = shownSplits(env);
  const columns = new SplitColumns<ModeRow>(splits, [
    ...recallColumns<ModeRow>(['recall@1', 'recall@10', 'recall@50'], (row) => row.trained),
    ...TESTED.map((metric) => ({
      of: 'p',
      name: shortMetricLabel(metric),
      format: 'pvalue' as const,
      cell: (row: ModeRow, split: EvalSplit) => row.p?.get(split)?.[metric] ?? null,
    })),
  ]);
  const rows: Table['rows'] = [];
  const series: { name: string; values: { y: number; err: number }[] }[] = [];
  for (const backbone of env.backbones) {
    // Trained in `crsaug run`'s order, so a run's artifacts are found in the same sequence.
    const baseline = await trainBaseline(ctx, backbone);
    const stage1 = await trainStage1(ctx, backbone, synthetic);
    const trained: TrainedModels<Mode> = {
      baseline,
      stage2: await trainStage2(ctx, backbone, stage1),
      'stage2-prior': await trainStage2(ctx, backbone, stage1, { realItemPrior: true }),
      'stage2-noKL': await trainStage2(ctx, backbone, stage1, { alpha: 0 }),
      stage1,
      mixed: await trainMixed(ctx, backbone, synthetic),
    };
    const baselineOn = new Map<EvalSplit, SeedRun[]>();
    for (const split of splits) baselineOn.set(split, await runsOn(ctx, baseline, split));
    const adjusted = new Map<EvalSplit, ModeComparison[]>();
    for (const [split, against] of baselineOn) {
      const runs: Record<string, SeedRun[]> = { baseline: against };
      for (const mode of MODES) if (mode !== 'baseline') runs[mode] = await runsOn(ctx, trained[mode], split);
      adjusted.set(split, compareWithBaseline(backbone, runs, TESTED, dialoguesOf(ctx, split)));
    }
    for (const mode of MODES) {
      const row: ModeRow = { trained: trained[mode] };
      if (mode !== 'baseline') {
        row.p = new Map();
        for (const [split, comparisons] of adjusted) {
          const ofMode = comparisons.filter((c) => c.mode === mode);
          row.p.set(split, Object.fromEntries(ofMode.map((c) => [c.metric, c.pAdjusted])));
        }
      }
      rows.push([backbone, mode, trained[mode].value.runs.length, ...columns.cells(row)]);
    }
    series.push({ name: backbone, values: MODES.map((mode) => bar(trained[mode], 'recall@50')) });
  }
  return {
    id: 'modes',
    title: 'Training modes per backbone',
    description: `The baseline; two-stage training (stage2, the paper's: stage 2 with α = ${ctx.config.train.alpha}, starting from the stage-1 model as trained, which is also its frozen KL reference); stage2-prior (stage 2 from the stage-1 model with its item bias replaced by the real train labels' log prior, start and reference); stage 2 without the KL term (stage2-noKL, α = 0); stage 1 alone; and mixed (synthetic + real in one stage). p: the seed-aware comparison with the same backbone's baseline on the same split's pairs (seeds and dialogues, docs/evaluation.md), ${HOLM_FAMILY}. ${splitNote(splits)}`,
    table: {
      columns: [
        { label: 'backbone', format: 'text' },
        { label: 'mode', format: 'text' },
        { label: 'seeds', format: 'integer' },
        ...columns.header(),
      ],
      rows,
    },
    chart: {
      kind: 'bar',
      xLabel: 'mode',
      yLabel: chartLabel('recall@50'),
      yFormat: 'percent',
      categories: [...MODES],
      series,
    },
  };
}
