import { formatTable } from '../util/table.js';
import { evaluatedContexts, pairsOf } from './pairs.js';
import type { Dataset, SplitName } from './types.js';

/** The figures `crsaug data stats` prints for one split. */
export interface SplitStats {
  /** Distinct dialogues with at least one rec turn. */
  dialogues: number;
  /** Rec turns (lines of the processed file). */
  recTurns: number;
  /** Rec turns with at least one evaluated (context, gold) pair. */
  contexts: number;
  /** Evaluated (context, gold) pairs (after repeated-item removal unless it was turned off). */
  pairs: number;
  /** Pairs whose gold entity is not a recommendable item (counted, never hit). */
  nonItemPairs: number;
  items: number;
  entities: number;
  kgTriples: number;
  unknownRecNames: number;
  unknownEntityNames: number;
  files: string[];
}

export function splitStats(dataset: Dataset, split: SplitName, removeRepeated = true): SplitStats {
  const s = dataset.splits[split];
  if (!s) throw new Error(`split ${split} of ${dataset.name} was not loaded`);
  const pairs = pairsOf(s.contexts, dataset.catalog, { removeRepeated });
  return {
    dialogues: s.dialogues,
    recTurns: s.contexts.length,
    contexts: evaluatedContexts(s.contexts, dataset.catalog, { removeRepeated }).length,
    pairs: pairs.length,
    nonItemPairs: pairs.filter((p) => p.item < 0).length,
    items: dataset.catalog.items.length,
    entities: dataset.catalog.entityNames.length,
    kgTriples: dataset.kg.heads.length,
    unknownRecNames: s.unknownRecNames,
    unknownEntityNames: s.unknownEntityNames,
    files: s.files,
  };
}

/** A Markdown table of split statistics (what docs/datasets.md pastes). */
export function formatStatsTable(dataset: Dataset, stats: Partial<Record<SplitName, SplitStats>>): string {
  const columns: [string, (s: SplitStats) => number][] = [
    ['dialogues', (s) => s.dialogues],
    ['rec turns', (s) => s.recTurns],
    ['contexts', (s) => s.contexts],
    ['pairs', (s) => s.pairs],
    ['non-item pairs', (s) => s.nonItemPairs],
    ['items', (s) => s.items],
    ['entities', (s) => s.entities],
    ['KG triples', (s) => s.kgTriples],
    ['unknown rec names', (s) => s.unknownRecNames],
    ['unknown entity names', (s) => s.unknownEntityNames],
  ];
  const rows = Object.entries(stats).map(([split, s]) => [
    dataset.name,
    split,
    ...columns.map(([, f]) => f(s!).toLocaleString('en-US')),
  ]);
  return formatTable(['dataset', { header: 'split', align: 'left' }, ...columns.map(([c]) => c)], rows);
}
