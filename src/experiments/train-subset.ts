import { join } from 'node:path';
import type { Dataset, RecContext } from '../data/types.js';
import { contextKey, splitOf } from '../eval/index.js';
import type { Artifact, ArtifactStore } from '../pipeline/artifact-store.js';
import type { SynthesizeValue } from '../pipeline/augment-stages.js';
import { SyntheticSampleSchema } from '../train/samples.js';
import { loadJsonl, writeJsonl } from '../util/jsonl.js';
import { Rng } from '../util/rng.js';
import type { SyntheticFile } from './context.js';

/**
 * A seeded subset of the train split's contexts (every rec turn), `round(fraction × contexts)` of them, in
 * their original order. The same seed and fraction give the same subset for every model trained on it.
 */
export function trainSubset(dataset: Dataset, fraction: number, seed: number): Dataset {
  const train = splitOf(dataset, 'train');
  const size = Math.round(fraction * train.contexts.length);
  const indices = new Rng(seed)
    .shuffle(train.contexts.map((_, i) => i))
    .slice(0, size)
    .sort((a, b) => a - b);
  const contexts = indices.map((i) => train.contexts[i]!);
  return {
    ...dataset,
    splits: {
      ...dataset.splits,
      train: { ...train, contexts, dialogues: new Set(contexts.map((c) => c.dialogId)).size },
    },
  };
}

/** The synthetic label file restricted to the given contexts (an artifact keyed by the full file and the subset). */
export async function restrictSynthetic(
  store: ArtifactStore,
  synthesized: Artifact<SynthesizeValue>,
  contexts: readonly RecContext[],
  subset: { fraction: number; seed: number },
  log: (line: string) => void,
): Promise<SyntheticFile> {
  const artifact = await store.run(
    { stage: 'synthetic-subset', version: 1, settings: subset, inputs: [synthesized.key] },
    async (dir) => {
      const keep = new Set(contexts.map((c) => contextKey(c.dialogId, c.turnId)));
      const records = await loadJsonl(synthesized.value.file, SyntheticSampleSchema);
      const kept = records.map((r) => r.value).filter((r) => keep.has(contextKey(r.dialog_id, r.turn_id)));
      const file = join(dir, 'train.synthetic.jsonl');
      await writeJsonl(file, kept);
      return { file, contexts: kept.length, labels: kept.reduce((n, r) => n + r.rec.length, 0) };
    },
    log,
  );
  return { key: artifact.key, file: artifact.value.file };
}
