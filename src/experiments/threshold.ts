import { usageTotals } from '../providers/middleware/usage.js';
import type { Experiment, Table } from '../report/index.js';
import { augment, type ExperimentEnv, trainTwoStage, withSettings } from './context.js';
import { rethreshold } from './rethreshold.js';
import {
  recallColumns,
  SplitColumns,
  SweepLines,
  shownSplits,
  splitNote,
  type TrainedModels,
} from './summary.js';

type Models = TrainedModels<'baseline' | 'stage2'>;

export const DEFAULT_THRESHOLDS = [2, 2.5, 3, 3.5, 4];
/** The threshold of the paper. */
const PAPER_THRESHOLD = 3.5;

/**
 * The synthetic-label threshold swept: labels kept and the stage-2 recall at each point. The student scores
 * the candidates once, at the lowest threshold; every higher point filters those scored labels (except the
 * configured threshold, which uses the synthesis `crsaug run` makes).
 */
export async function thresholdExperiment(env: ExperimentEnv): Promise<Experiment> {
  const thresholds = [...(env.values ?? DEFAULT_THRESHOLDS)].sort((a, b) => a - b);
  const ctx = withSettings(env.ctx, { augment: { synthesize: { threshold: thresholds[0] } } });
  const { teacher, synthesized } = await augment(env, ctx);
  // The teacher's calls are shared by every threshold: the sweep itself costs no LLM call.
  const usage = usageTotals(teacher.value.usage);
  const splits = shownSplits(env);
  const recalls = new SplitColumns<Models>(splits, [
    ...recallColumns<Models>(['recall@10', 'recall@50'], (m) => m.stage2, 'stage 2'),
    ...recallColumns<Models>(['recall@50'], (m) => m.baseline, 'baseline'),
  ]);
  const rows: Table['rows'] = [];
  const lines = new SweepLines('recall@50');
  for (const threshold of thresholds) {
    // At the configured threshold the run's own synthesis is used, so its trained models are reused too.
    const own = threshold === env.ctx.config.augment.synthesize.threshold ? await augment(env) : undefined;
    const labels = await rethreshold(ctx.store, own?.synthesized ?? synthesized, threshold, ctx.log);
    for (const backbone of env.backbones) {
      const { baseline, stage2 } = await trainTwoStage(ctx, backbone, labels);
      rows.push([
        threshold,
        backbone,
        labels.labels,
        labels.contextsWithLabels,
        labels.contexts > 0 ? labels.labels / labels.contexts : 0,
        usage.llmCalls,
        usage.tokens,
        ...recalls.cells({ baseline, stage2 }),
      ]);
      lines.add(`${backbone} stage 2`, threshold, stage2);
      lines.add(`${backbone} baseline`, threshold, baseline);
    }
  }
  return {
    id: 'threshold',
    title: 'Synthetic-label threshold',
    description: `Candidates whose student score is at or above the threshold become synthetic labels; stage 1 trains on them and stage 2 on the real labels. Labels are counted over all train contexts with candidates; the student scores them once, at the lowest threshold, and higher thresholds filter those scores (kept with 4 decimals), except the configured threshold, which uses the synthesis \`crsaug run\` makes. LLM calls and tokens are the teacher stage’s (0 with the shipped offline judgments), shared by every threshold. ${splitNote(splits)}`,
    table: {
      columns: [
        { label: 'threshold', format: 'number' },
        { label: 'backbone', format: 'text' },
        { label: 'labels', format: 'integer' },
        { label: 'contexts with labels', format: 'integer' },
        { label: 'labels / context', format: 'number' },
        { label: 'LLM calls', format: 'integer' },
        { label: 'tokens', format: 'integer' },
        ...recalls.header(),
      ],
      rows,
    },
    chart: lines.chart('threshold', 'number', [{ x: PAPER_THRESHOLD, label: `paper: ${PAPER_THRESHOLD}` }]),
  };
}
