import type { LabelMode } from '../config/train.js';
import type { PipelineContext } from '../pipeline/context.js';
import type { Experiment, Table } from '../report/index.js';
import { augment, type ExperimentEnv, syntheticOf, trainStage1, trainStage2 } from './context.js';
import {
  bar,
  chartLabel,
  recallColumns,
  SplitColumns,
  shownSplits,
  splitNote,
  type TrainedModels,
  trainSeconds,
} from './summary.js';

type Models = TrainedModels<'stage1' | 'stage2'>;

const VARIANTS: { name: string; labelMode: LabelMode; scoreWeighted: boolean }[] = [
  { name: 'per-label', labelMode: 'per-label', scoreWeighted: false },
  { name: 'multi-positive', labelMode: 'multi-positive', scoreWeighted: false },
  { name: 'multi-positive, score-weighted', labelMode: 'multi-positive', scoreWeighted: true },
];

/** The variant `crsaug run` trains (train.labelMode) keeps the run's model names, so it is reused. */
function suffixOf(ctx: PipelineContext, variant: (typeof VARIANTS)[number]): string {
  if (variant.labelMode === ctx.config.train.labelMode && !variant.scoreWeighted) return '';
  return `-${variant.labelMode}${variant.scoreWeighted ? '-weighted' : ''}`;
}

/** How stage 1 turns a context's synthetic labels into samples, and what that does to recall and time. */
export async function labelModeExperiment(env: ExperimentEnv): Promise<Experiment> {
  const { ctx } = env;
  const synthetic = syntheticOf((await augment(env)).synthesized);
  const splits = shownSplits(env);
  const recalls = new SplitColumns<Models>(splits, [
    ...recallColumns<Models>(['recall@50'], (m) => m.stage1, 'stage 1'),
    ...recallColumns<Models>(['recall@10', 'recall@50'], (m) => m.stage2, 'stage 2'),
  ]);
  const rows: Table['rows'] = [];
  const series: { name: string; values: { y: number; err: number }[] }[] = [];
  for (const backbone of env.backbones) {
    const values: { y: number; err: number }[] = [];
    for (const variant of VARIANTS) {
      const { name, labelMode, scoreWeighted } = variant;
      const suffix = suffixOf(ctx, variant);
      const stage1 = await trainStage1(ctx, backbone, synthetic, {
        suffix,
        train: { labelMode, scoreWeighted },
      });
      const stage2 = await trainStage2(ctx, backbone, stage1, { suffix });
      rows.push([
        backbone,
        name,
        stage1.value.samples,
        trainSeconds(stage1),
        ...recalls.cells({ stage1, stage2 }),
      ]);
      values.push(bar(stage2, 'recall@50'));
    }
    series.push({ name: `${backbone} stage 2`, values });
  }
  return {
    id: 'label-mode',
    title: 'Stage-1 label mode',
    description: `per-label: one CE sample per synthetic label (the reference); multi-positive (the default, train.labelMode): one sample per context trained towards a uniform distribution over its labels; score-weighted: that distribution proportional to the student scores. Train time is stage 1’s, per seed; stage 2 starts from each stage-1 model. ${splitNote(splits)}`,
    table: {
      columns: [
        { label: 'backbone', format: 'text' },
        { label: 'stage-1 labels', format: 'text' },
        { label: 'stage-1 samples', format: 'integer' },
        { label: 'stage-1 train time', format: 'seconds' },
        ...recalls.header(),
      ],
      rows,
    },
    chart: {
      kind: 'bar',
      xLabel: 'stage-1 labels',
      yLabel: chartLabel('recall@50'),
      yFormat: 'percent',
      categories: VARIANTS.map((v) => v.name),
      series,
    },
  };
}
