import type { Catalog, Dataset } from '../data/types.js';
import { countLabels, labelSplit } from '../models/popularity.js';
import { pairValue } from './metrics.js';
import type { PairRanks } from './protocol.js';

/**
 * Recall by how popular the gold item is. Items are sorted by train label frequency (most frequent first, ties
 * by lower item index); walking that order, an item is `head` while the labels before it are under 1/3 of all
 * train labels, `torso` while under 2/3, `tail` after (so head = the fewest most-frequent items covering a third
 * of the labels, and every never-labelled item is tail). Gold entities that are not items form `non-item`.
 */
export const BUCKET_RULE =
  'head/torso/tail = most frequent items covering the first/second/last third of train labels';

export type BucketName = 'head' | 'torso' | 'tail' | 'non-item';
const ITEM_BUCKETS: readonly BucketName[] = ['head', 'torso', 'tail'];

export interface BucketReport {
  name: BucketName;
  /** Catalog items in the bucket. */
  items: number;
  /** Train labels on those items. */
  trainLabels: number;
  /** Evaluated (context, gold) pairs whose gold falls in the bucket. */
  pairs: number;
  /** `recall@k` over those pairs (0 when the bucket has none). */
  recall: Record<string, number>;
}

export interface LongTailReport {
  rule: string;
  /** The split whose labels were counted. */
  labelSplit: string;
  ks: readonly number[];
  buckets: BucketReport[];
}

/** Bucket (0 head, 1 torso, 2 tail) of every item index, from per-item label counts. */
export function popularityBuckets(labelCounts: ArrayLike<number>): Uint8Array {
  const n = labelCounts.length;
  let total = 0;
  for (let i = 0; i < n; i++) total += labelCounts[i]!;
  const order = Array.from({ length: n }, (_, i) => i).sort(
    (a, b) => labelCounts[b]! - labelCounts[a]! || a - b,
  );
  const buckets = new Uint8Array(n);
  let before = 0;
  for (const item of order) {
    buckets[item] = before < total / 3 ? 0 : before < (2 * total) / 3 ? 1 : 2;
    before += labelCounts[item]!;
  }
  return buckets;
}

export function longTailReport(
  pairs: PairRanks,
  catalog: Pick<Catalog, 'itemOfEntity'>,
  labelCounts: ArrayLike<number>,
  ks: readonly number[],
  labelSplit: string,
): LongTailReport {
  const itemBuckets = popularityBuckets(labelCounts);
  const reports: BucketReport[] = [...ITEM_BUCKETS, 'non-item' as const].map((name) => ({
    name,
    items: 0,
    trainLabels: 0,
    pairs: 0,
    recall: Object.fromEntries(ks.map((k) => [`recall@${k}`, 0])),
  }));
  itemBuckets.forEach((bucket, item) => {
    reports[bucket]!.items++;
    reports[bucket]!.trainLabels += labelCounts[item]!;
  });
  pairs.goldEntities.forEach((entity, i) => {
    const item = entity < catalog.itemOfEntity.length ? catalog.itemOfEntity[entity]! : -1;
    const report = reports[item < 0 ? 3 : itemBuckets[item]!]!;
    report.pairs++;
    for (const k of ks) report.recall[`recall@${k}`]! += pairValue('recall', k, pairs.ranks[i]!);
  });
  for (const report of reports) {
    for (const key of Object.keys(report.recall))
      report.recall[key] = report.pairs ? report.recall[key]! / report.pairs : 0;
  }
  return {
    rule: BUCKET_RULE,
    labelSplit,
    ks,
    buckets: reports.filter((r) => r.name !== 'non-item' || r.pairs > 0),
  };
}

/** The long-tail report of pairs on `dataset`, with labels counted on its train split (valid when it has none). */
export function longTailOfDataset(dataset: Dataset, pairs: PairRanks, ks: readonly number[]): LongTailReport {
  const split = labelSplit(dataset);
  const counts = countLabels(split.contexts, dataset.catalog.items.length);
  return longTailReport(pairs, dataset.catalog, counts, ks, split.name);
}
