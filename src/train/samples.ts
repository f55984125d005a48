import { z } from 'zod';
import type { LabelMode } from '../config/train.js';
import { ProcessedSampleSchema, toRecContext } from '../data/samples.js';
import type { Catalog, RecContext } from '../data/types.js';
import { InputError } from '../util/errors.js';
import { loadJsonl } from '../util/jsonl.js';

/**
 * One training example: a context and its target items. A per-label sample has one label (plain CE, the
 * reference); a multi-positive sample has several, trained towards the distribution given by `weights`.
 * In per-label mode `weights[0]` is the sample's CE weight (1, or the label's score when score-weighted).
 */
export interface TrainSample {
  context: RecContext;
  labels: Int32Array;
  weights: Float32Array;
}

/** The real (context, gold item) pairs of a split, one sample per gold item (golds the context mentions are already removed). */
export function realSamples(contexts: readonly RecContext[]): TrainSample[] {
  return contexts.flatMap((context) =>
    context.gold.map((item) => ({ context, labels: Int32Array.of(item), weights: Float32Array.of(1) })),
  );
}

/** A synthetic dataset line: the processed format, `rec` = synthetic item names, optional `scores` aligned with `rec`. */
export const SyntheticSampleSchema = ProcessedSampleSchema.extend({
  scores: z.array(z.number().nonnegative()).optional(),
});

export interface SyntheticLabels {
  /** Contexts with at least one usable label, their labels (item indices) and scores (1 when the file has none). */
  contexts: Array<{ context: RecContext; items: number[]; scores: number[] }>;
  /** Synthetic names that are not catalog items, and labels dropped because the context already mentions them. */
  unknownNames: number;
  repeatedDropped: number;
}

/**
 * Reads a synthetic label file. Labels the context already mentions are dropped (the reference passes
 * `--repeated_item_removed` in stage 1 too); names that are not catalog items are counted and skipped.
 */
export async function readSyntheticLabels(file: string, catalog: Catalog): Promise<SyntheticLabels> {
  const records = await loadJsonl(
    file,
    SyntheticSampleSchema,
    'write it with `crsaug augment` (processed JSONL format)',
  );
  const out: SyntheticLabels = { contexts: [], unknownNames: 0, repeatedDropped: 0 };
  const unknown = { recNames: 0, entityNames: 0 };
  for (const { line, value } of records) {
    if (value.scores && value.scores.length !== value.rec.length) {
      throw new InputError(
        { file, line, field: 'scores' },
        `has ${value.scores.length} entries for ${value.rec.length} rec names (must be aligned with rec)`,
      );
    }
    const context = toRecContext(value, catalog, true, unknown);
    const mentioned = new Set(context.entities);
    const items: number[] = [];
    const scores: number[] = [];
    value.rec.forEach((name, i) => {
      const entity = catalog.entityIds.get(name);
      const item = entity === undefined ? -1 : catalog.itemOfEntity[entity]!;
      if (item < 0) out.unknownNames++;
      else if (mentioned.has(entity!)) out.repeatedDropped++;
      else {
        items.push(item);
        scores.push(value.scores?.[i] ?? 1);
      }
    });
    if (items.length > 0) out.contexts.push({ context, items, scores });
  }
  return out;
}

/**
 * Training samples from synthetic labels. per-label: one sample per label (weight = score when
 * scoreWeighted, else 1). multi-positive: one sample per context whose target distribution is uniform
 * over its labels, or proportional to their scores when scoreWeighted. listwise: one sample per context
 * whose target is softmax(score / temperature) over its labels (the scorer's distribution over them).
 */
export function syntheticSamples(
  labels: SyntheticLabels,
  mode: LabelMode,
  scoreWeighted: boolean,
  temperature = 1,
): TrainSample[] {
  if (mode === 'per-label') {
    return labels.contexts.flatMap(({ context, items, scores }) =>
      items.map((item, i) => ({
        context,
        labels: Int32Array.of(item),
        weights: Float32Array.of(scoreWeighted ? scores[i]! : 1),
      })),
    );
  }
  return labels.contexts.flatMap(({ context, items, scores }) => {
    const raw =
      mode === 'listwise' ? softmaxWeights(scores, temperature) : scoreWeighted ? scores : items.map(() => 1);
    const total = raw.reduce((a, b) => a + b, 0);
    if (total <= 0) return [];
    return [{ context, labels: Int32Array.from(items), weights: Float32Array.from(raw, (w) => w / total) }];
  });
}

/** exp((s − max) / τ) per score: a softmax before normalisation, stable for any scale. */
function softmaxWeights(scores: readonly number[], temperature: number): number[] {
  const top = Math.max(...scores);
  return scores.map((s) => Math.exp((s - top) / temperature));
}
