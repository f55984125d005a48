// What a seed runner (seed-pool.ts) does for one seed: train it, or run the attribute simulator's dialogues
// with its checkpoint. Apart from seed-task.ts, which the results' types import, so that those stay free of
// the simulators.
import type { Config } from '../config/schema.js';
import type { Dataset, SplitName } from '../data/types.js';
import { splitOf } from '../eval/index.js';
import type { SimulationOptions } from '../eval/simulate/run.js';
import { type SeedSimulation, simulateSeed, simulatorOf } from './beyond-labels.js';
import { type SeedOutcome, type SeedTask, trainOneSeed } from './seed-task.js';
import { type SystemSource, systemOf } from './systems.js';

/** One seed of a group through the attribute simulator (the LLM simulator's calls stay on the main thread). */
export interface SimulateTask {
  config: Config;
  split: SplitName;
  system: SystemSource;
  options: SimulationOptions;
}

/** What a seed runner is given to do for one seed. */
export type SeedJob = { kind: 'train'; task: SeedTask } | { kind: 'simulate'; task: SimulateTask };

export function runSeedJob(dataset: Dataset, job: SeedJob): Promise<SeedOutcome | SeedSimulation> {
  if (job.kind === 'train') return trainOneSeed(dataset, job.task);
  const { config, split, system, options } = job.task;
  const simulator = simulatorOf('attribute', config, dataset);
  return simulateSeed(systemOf(system), dataset, splitOf(dataset, split).contexts, simulator, options);
}
