/** Shared setup of the scoring tests: the real INSPIRED test split and a few pairs of it. */

import type { ScorePair } from '../../src/augment/score-request.js';
import { ScoreConfigSchema } from '../../src/config/augment.js';
import { resolveDataDir } from '../../src/config/paths.js';
import { loadDataset } from '../../src/data/index.js';
import type { Dataset } from '../../src/data/types.js';

export async function loadInspiredTest(): Promise<Dataset> {
  return loadDataset('inspired', { dataDir: resolveDataDir(undefined).dir, splits: ['test'] });
}

/** `contexts` contexts of the test split with some dialogue, each paired with catalog items 0..perContext-1. */
export function fixturePairs(dataset: Dataset, contexts: number, perContext: number): ScorePair[] {
  const chosen = dataset.splits.test!.contexts.filter((c) => c.utterances.length >= 2).slice(0, contexts);
  return chosen.flatMap((c) =>
    Array.from({ length: perContext }, (_, i) => ({
      dialogId: c.dialogId,
      turnId: c.turnId,
      item: dataset.catalog.items[i]!.name,
      rank: i + 1,
    })),
  );
}

export const testScoreConfig = (overrides: Record<string, unknown> = {}) =>
  ScoreConfigSchema.parse(overrides);
