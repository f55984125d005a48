import type { Experiment } from '../report/index.js';
import { UsageError } from '../util/errors.js';
import { alphaExperiment, DEFAULT_ALPHAS } from './alpha.js';
import type { ExperimentEnv } from './context.js';
import { costExperiment } from './cost.js';
import { DEFAULT_DATA_PERCENTS, dataSizeExperiment } from './data-size.js';
import { labelModeExperiment } from './label-mode.js';
import { longTailExperiment } from './long-tail.js';
import { modesExperiment } from './modes.js';
import { DEFAULT_THRESHOLDS, thresholdExperiment } from './threshold.js';

export interface ExperimentDefinition {
  summary: string;
  /** Default sweep points (`--values` replaces them) and their allowed range; absent when nothing is swept. */
  values?: { meaning: string; defaults: number[]; min: number; max: number; minExclusive?: boolean };
  run(env: ExperimentEnv): Promise<Experiment>;
}

/** Every experiment by id, in the order `crsaug experiment all` runs them. */
export const EXPERIMENTS = {
  modes: {
    summary:
      'baseline vs stage 2 vs stage2-prior vs stage 2 without KL vs stage 1 vs mixed, per backbone, with p-values',
    run: modesExperiment,
  },
  threshold: {
    summary: 'synthetic-label threshold sweep: labels kept, stage-2 recall, LLM cost',
    values: { meaning: 'thresholds', defaults: DEFAULT_THRESHOLDS, min: 0, max: 4 },
    run: thresholdExperiment,
  },
  alpha: {
    summary: 'stage-2 KL weight α sweep',
    values: { meaning: 'α values', defaults: DEFAULT_ALPHAS, min: 0, max: Number.POSITIVE_INFINITY },
    run: alphaExperiment,
  },
  'label-mode': {
    summary: 'per-label vs multi-positive (and score-weighted) stage 1: recall and training time',
    run: labelModeExperiment,
  },
  'long-tail': {
    summary: 'recall by gold-item popularity bucket, baseline vs stage 2',
    run: longTailExperiment,
  },
  'data-size': {
    summary: 'share of train contexts (percent), baseline vs stage 2',
    values: {
      meaning: 'percent of train contexts',
      defaults: DEFAULT_DATA_PERCENTS,
      min: 0,
      max: 100,
      minExclusive: true,
    },
    run: dataSizeExperiment,
  },
  cost: {
    summary: 'LLM calls, tokens, estimated money and wall time per stage',
    run: costExperiment,
  },
} satisfies Record<string, ExperimentDefinition>;

export type ExperimentId = keyof typeof EXPERIMENTS;
export const EXPERIMENT_IDS = Object.keys(EXPERIMENTS) as ExperimentId[];

/** Rejects sweep points an experiment cannot take (e.g. a threshold of 5 on the 0-4 scale) before any work. */
export function checkValues(id: ExperimentId, values: readonly number[]): void {
  const definition: ExperimentDefinition = EXPERIMENTS[id];
  const range = definition.values;
  if (!range) throw new UsageError(`experiment ${id} sweeps nothing, so --values does not apply to it`);
  for (const v of values) {
    const low = range.minExclusive ? v <= range.min : v < range.min;
    if (low || v > range.max)
      throw new UsageError(
        `${id}: ${v} is not one of the ${range.meaning} it takes (${range.minExclusive ? '>' : '≥'} ${range.min}${Number.isFinite(range.max) ? ` and ≤ ${range.max}` : ''})`,
      );
  }
}
