import { protocolSettings } from '../config/evaluation.js';
import type { Artifact } from '../pipeline/artifact-store.js';
import type { PipelineContext } from '../pipeline/context.js';
import { pairRanksOn } from '../pipeline/seed-task.js';
import { bestCheckpointOf, type TrainValue } from '../pipeline/train-stages.js';
import type { EvalSplit } from './summary.js';

/**
 * Each seed's filtered rank of every (context, gold) pair of a split (-1 = miss), under the seed's selected
 * model, in seed order. The train stage records the test ranks; the valid ranks are evaluated here once per
 * trained stage and kept as an artifact keyed by it.
 */
export async function seedPairRanks(
  ctx: PipelineContext,
  trained: Artifact<TrainValue>,
  split: EvalSplit,
): Promise<number[][]> {
  if (split === 'test') return trained.value.runs.map((run) => run.pairRanks);
  const { runs } = trained.value;
  if (runs.every((run) => run.validPairRanks)) return runs.map((run) => run.validPairRanks!);
  const artifact = await ctx.store.run(
    {
      stage: `pair-ranks-${split}`,
      version: 1,
      settings: { split, eval: protocolSettings(ctx.config.eval) },
      inputs: [trained.key],
    },
    async () => {
      const ranks: number[][] = [];
      for (const run of trained.value.runs)
        ranks.push(await pairRanksOn(ctx, bestCheckpointOf(trained, run.seed), split));
      return ranks;
    },
    ctx.log,
  );
  return artifact.value;
}
