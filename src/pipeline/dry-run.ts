import { estimateAugmentCalls, type StageCallEstimate } from '../augment/stages/index.js';
import type { Config } from '../config/schema.js';
import { loadConfiguredDataset } from '../data/index.js';
import { runPlan } from './run.js';

export interface DryRun {
  dataset: string;
  /** Every stage of the run, with the provider calls it would make (0 for the local ones). */
  stages: StageCallEstimate[];
  totals: { calls: number; inputTokens: number; maxOutputTokens: number; costUsd: number | null };
}

/**
 * What `crsaug run` would call and spend, stage by stage, without calling anything or writing a file: the
 * retrieve and teacher stages call the configured providers; distillation, synthesis and training are local.
 */
export async function dryRun(config: Config): Promise<DryRun> {
  const dataset = await loadConfiguredDataset(config);
  const local = (stage: string, provider: string, note: string): StageCallEstimate => ({
    stage,
    provider,
    calls: 0,
    inputTokens: 0,
    maxOutputTokens: 0,
    costUsd: 0,
    note,
  });
  // Only the training stages are read here, so the run folder (for judgments a judge wrote there) matters not.
  const training = runPlan(config, config.out ?? '.').filter((p) => p.kind === 'train');
  const stages = [
    ...(await estimateAugmentCalls(config, dataset)),
    local('distill', 'crsaug student (local)', 'feature MLP trained on the teacher judgments'),
    local('synthesize', 'crsaug student (local)', 'the student scores every retrieved candidate'),
    local(
      'train',
      'crsaug engine (local)',
      `${training.length} training stages × ${config.train.seeds} seeds (${training.map((t) => t.stage.replace(/^train-/, '')).join(', ')})`,
    ),
  ];
  const sum = (f: (s: StageCallEstimate) => number) => stages.reduce((n, s) => n + f(s), 0);
  const costs = stages.map((s) => s.costUsd);
  return {
    dataset: dataset.name,
    stages,
    totals: {
      calls: sum((s) => s.calls),
      inputTokens: sum((s) => s.inputTokens),
      maxOutputTokens: sum((s) => s.maxOutputTokens),
      costUsd: costs.some((c) => c === null) ? null : costs.reduce<number>((a, c) => a + (c ?? 0), 0),
    },
  };
}
