import type { Dataset } from '../data/types.js';
import { sha256 } from '../util/hash.js';
import { Rng } from '../util/rng.js';
import type { Recommender } from './types.js';

/**
 * Random baseline: uniform scores. Each context draws from its own stream, seeded by the run seed and the
 * context's (dialog_id, turn_id), so scores do not depend on batching or on which contexts are scored.
 */
export function createRandom(dataset: Dataset, options: { seed: number }): Recommender {
  const itemCount = dataset.catalog.items.length;
  return {
    name: `random(seed ${options.seed})`,
    score(contexts) {
      const out = new Float32Array(contexts.length * itemCount);
      contexts.forEach((context, c) => {
        const rng = new Rng(streamSeed(options.seed, context.dialogId, context.turnId));
        for (let i = 0; i < itemCount; i++) out[c * itemCount + i] = rng.next();
      });
      return out;
    },
  };
}

function streamSeed(seed: number, dialogId: string, turnId: number): number {
  return Number.parseInt(sha256(`${seed}\u0000${dialogId}\u0000${turnId}`).slice(0, 8), 16);
}
