import { join } from 'node:path';
import type { Artifact, ArtifactStore } from '../pipeline/artifact-store.js';
import type { SynthesizeValue } from '../pipeline/augment-stages.js';
import { SyntheticSampleSchema } from '../train/samples.js';
import { CrsaugError } from '../util/errors.js';
import { loadJsonl, writeJsonl } from '../util/jsonl.js';

export interface ThresholdedLabels {
  key: string;
  file: string;
  threshold: number;
  /** Contexts in the file (every train context with candidates), those with ≥ 1 label, and the labels. */
  contexts: number;
  contextsWithLabels: number;
  labels: number;
}

/**
 * The labels of a synthesis at a higher threshold: the file keeps every candidate scoring at or above its
 * own threshold with its score (4 decimals), so a higher threshold is a filter on it and needs no scoring.
 * At the synthesis's own threshold the synthesis is returned as it is.
 */
export async function rethreshold(
  store: ArtifactStore,
  base: Artifact<SynthesizeValue>,
  threshold: number,
  log: (line: string) => void,
): Promise<ThresholdedLabels> {
  if (threshold < base.value.threshold)
    throw new CrsaugError(`threshold ${threshold} is below the synthesis threshold ${base.value.threshold}`);
  const s = base.value;
  // The synthesis itself, so models trained on it are the ones `crsaug run` trains at that threshold.
  if (threshold === s.threshold)
    return {
      key: base.key,
      file: s.file,
      threshold,
      contexts: s.contexts,
      contextsWithLabels: s.contexts - s.contextsWithoutLabels,
      labels: s.labels,
    };
  const artifact = await store.run(
    { stage: 'synthetic-threshold', version: 1, settings: { threshold }, inputs: [base.key] },
    async (dir) => {
      const records = (await loadJsonl(base.value.file, SyntheticSampleSchema)).map(({ line, value }) => {
        if (!value.scores)
          throw new CrsaugError(`${base.value.file}:${line}: no scores field to apply a threshold to`);
        const keep = value.scores.map((s) => s >= threshold);
        return {
          ...value,
          rec: value.rec.filter((_, i) => keep[i]),
          scores: value.scores.filter((_, i) => keep[i]),
        };
      });
      const file = join(dir, 'train.synthetic.jsonl');
      await writeJsonl(file, records);
      return {
        file,
        threshold,
        contexts: records.length,
        contextsWithLabels: records.filter((r) => r.rec.length > 0).length,
        labels: records.reduce((n, r) => n + r.rec.length, 0),
      };
    },
    log,
  );
  return { key: artifact.key, ...artifact.value };
}
