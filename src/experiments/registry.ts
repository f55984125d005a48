import type { Experiment } from '../report/index.js';
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
  /** Default sweep points (`--values` replaces them); absent when the experiment sweeps nothing. */
  values?: { meaning: string; defaults: number[] };
  run(env: ExperimentEnv): Promise<Experiment>;
}

/** Every experiment by id, in the order `crsaug experiment all` runs them. */
export const EXPERIMENTS = {
  modes: {
    summary: 'baseline vs stage 2 vs stage 2 without KL vs stage 1 vs mixed, per backbone, with p-values',
    run: modesExperiment,
  },
  threshold: {
    summary: 'synthetic-label threshold sweep: labels kept, stage-2 recall, LLM cost',
    values: { meaning: 'thresholds', defaults: DEFAULT_THRESHOLDS },
    run: thresholdExperiment,
  },
  alpha: {
    summary: 'stage-2 KL weight α sweep',
    values: { meaning: 'α values', defaults: DEFAULT_ALPHAS },
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
    values: { meaning: 'percent of train contexts', defaults: DEFAULT_DATA_PERCENTS },
    run: dataSizeExperiment,
  },
  cost: {
    summary: 'LLM calls, tokens, estimated money and wall time per stage',
    run: costExperiment,
  },
} satisfies Record<string, ExperimentDefinition>;

export type ExperimentId = keyof typeof EXPERIMENTS;
export const EXPERIMENT_IDS = Object.keys(EXPERIMENTS) as ExperimentId[];
