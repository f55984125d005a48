import type { Artifact } from '../pipeline/artifact-store.js';
import { type UsageTotals, usageTotals } from '../providers/middleware/usage.js';
import type { Experiment, Table } from '../report/index.js';
import { augment, type ExperimentEnv, syntheticOf, trainTwoStage } from './context.js';

const NO_LLM: UsageTotals = { llmCalls: 0, cachedCalls: 0, tokens: 0, costUsd: 0 };

/**
 * LLM calls, tokens, estimated money and wall time of each stage of the method. Wall time is the time the
 * stage took when it was computed (a reused artifact keeps its original time).
 */
export async function costExperiment(env: ExperimentEnv): Promise<Experiment> {
  const { ctx } = env;
  const { retrieved, teacher, distilled, synthesized } = await augment(env);
  const stages: [string, Artifact<unknown>, UsageTotals][] = [
    ['retrieve', retrieved, usageTotals(retrieved.value.usage)],
    ['teacher', teacher, usageTotals(teacher.value.usage)],
    ['distill', distilled, NO_LLM],
    ['synthesize', synthesized, NO_LLM],
  ];
  for (const backbone of env.backbones) {
    const { baseline, stage1, stage2 } = await trainTwoStage(ctx, backbone, syntheticOf(synthesized));
    stages.push(
      [`train ${backbone} baseline`, baseline, NO_LLM],
      [`train ${backbone} stage 1`, stage1, NO_LLM],
      [`train ${backbone} stage 2`, stage2, NO_LLM],
    );
  }
  const rows: Table['rows'] = stages.map(([stage, artifact, usage]) => [
    stage,
    usage.provider ?? '',
    usage.llmCalls,
    usage.cachedCalls,
    usage.tokens,
    usage.costUsd,
    artifact.seconds,
  ]);
  return {
    id: 'cost',
    title: 'Cost per stage',
    description: `LLM calls (answered by the provider; cache hits counted apart), prompt + completion tokens and the estimated USD of each stage; an unknown price or token count is shown as unknown, not as zero. Teacher: ${teacher.value.provider.description}. Embedder: ${retrieved.value.provider.description}. Wall time is the stage's own when it was computed (seeds: ${ctx.config.train.seeds}).`,
    table: {
      columns: [
        { label: 'stage', format: 'text' },
        { label: 'provider', format: 'text' },
        { label: 'LLM calls', format: 'integer' },
        { label: 'cached calls', format: 'integer' },
        { label: 'tokens', format: 'integer' },
        { label: 'cost', format: 'money' },
        { label: 'wall time', format: 'seconds' },
      ],
      rows,
    },
    chart: {
      kind: 'bar',
      xLabel: 'stage',
      yLabel: 'wall time (s)',
      yFormat: 'number',
      categories: stages.map(([stage]) => stage),
      series: [{ name: 'wall time', values: stages.map(([, artifact]) => ({ y: artifact.seconds })) }],
    },
  };
}
