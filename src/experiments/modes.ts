import { RUN_MODES, type RunMode } from '../config/run.js';
import { pairDialogues, splitOf } from '../eval/index.js';
import type { Artifact } from '../pipeline/artifact-store.js';
import type { PipelineContext } from '../pipeline/context.js';
import { trainRunModes } from '../pipeline/modes.js';
import type { SeedRun } from '../pipeline/seed-task.js';
import { compareWithBaseline, HOLM_FAMILY, type ModeComparison } from '../pipeline/significance.js';
import type { TrainValue } from '../pipeline/train-stages.js';
import type { Experiment, Table } from '../report/index.js';
import { augment, type ExperimentEnv } from './context.js';
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

const TESTED = ['recall@10', 'recall@50'];

/** One mode of one backbone: its models and, beside the baseline, its comparisons with it on each shown split. */
interface ModeRow {
  trained: Artifact<TrainValue>;
  compared?: Map<EvalSplit, ModeComparison[]>;
}

/** "+1.23 [−0.40, +2.86]": a difference and its 95 % interval in points. */
export function differenceText(c: Pick<ModeComparison, 'diff' | 'ci95'>): string {
  const points = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(100 * x).toFixed(2)}`;
  return `${points(c.diff)} [${points(c.ci95[0])}, ${points(c.ci95[1])}]`;
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
  const augmented = await augment(env);
  const modes: readonly RunMode[] = ctx.config.run.modes;
  const splits = shownSplits(env);
  const columns = new SplitColumns<ModeRow>(splits, [
    ...recallColumns<ModeRow>(['recall@1', 'recall@10', 'recall@50'], (row) => row.trained),
    ...TESTED.flatMap((metric) => {
      const of = (row: ModeRow, split: EvalSplit) =>
        row.compared?.get(split)?.find((c) => c.metric === metric);
      return [
        {
          of: 'Δ',
          name: `${shortMetricLabel(metric)} [95 % CI]`,
          format: 'text' as const,
          cell: (row: ModeRow, split: EvalSplit) => {
            const c = of(row, split);
            return c ? differenceText(c) : '';
          },
        },
        {
          of: 'p',
          name: shortMetricLabel(metric),
          format: 'pvalue' as const,
          cell: (row: ModeRow, split: EvalSplit) => of(row, split)?.pAdjusted ?? null,
        },
      ];
    }),
  ]);
  const rows: Table['rows'] = [];
  const series: { name: string; values: { y: number; err: number }[] }[] = [];
  for (const backbone of env.backbones) {
    // The modes `crsaug run` trains (run.modes), so a run's artifacts are reused.
    const trained = (await trainRunModes(ctx, backbone, augmented, modes)) as TrainedModels<RunMode>;
    const baseline = trained.baseline;
    const baselineOn = new Map<EvalSplit, SeedRun[]>();
    for (const split of splits) baselineOn.set(split, await runsOn(ctx, baseline, split));
    const adjusted = new Map<EvalSplit, ModeComparison[]>();
    for (const [split, against] of baselineOn) {
      const runs: Record<string, SeedRun[]> = { baseline: against };
      for (const mode of modes) if (mode !== 'baseline') runs[mode] = await runsOn(ctx, trained[mode], split);
      adjusted.set(split, compareWithBaseline(backbone, runs, TESTED, dialoguesOf(ctx, split)));
    }
    for (const mode of modes) {
      const row: ModeRow = { trained: trained[mode] };
      if (mode !== 'baseline') {
        row.compared = new Map();
        for (const [split, comparisons] of adjusted)
          row.compared.set(
            split,
            comparisons.filter((c) => c.mode === mode),
          );
      }
      rows.push([backbone, mode, trained[mode].value.runs.length, ...columns.cells(row)]);
    }
    series.push({ name: backbone, values: modes.map((mode) => bar(trained[mode], 'recall@50')) });
  }
  return {
    id: 'modes',
    title: 'Training modes per backbone',
    description: `The modes of run.modes: ${modes.map((m) => `${m} (${RUN_MODES[m]})`).join('; ')}. α = ${ctx.config.train.alpha}. Δ: mode − baseline in points with its 95 % interval; p: the seed-aware comparison with the same backbone's baseline on the same split's pairs (seeds and dialogues, docs/evaluation.md), ${HOLM_FAMILY}. ${splitNote(splits)}`,
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
      categories: [...modes],
      series,
    },
  };
}
