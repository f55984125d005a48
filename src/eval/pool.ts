import type { ScorePair } from '../augment/score-request.js';
import { pairsOf } from '../data/pairs.js';
import type { Catalog, RecContext } from '../data/types.js';
import { CrsaugError } from '../util/errors.js';
import { Rng } from '../util/rng.js';
import type { Judgments } from './judgments.js';
import { filteredList } from './protocol.js';

/**
 * TREC-style pooling for judged evaluation: per context, the union of several systems' top `depth` (on the
 * reference protocol's filtered lists), plus the gold items, and which of those pairs still lack a judgment.
 */
export interface PoolSystem {
  /** Name recorded as the `retrieval` of the pairs it proposed. */
  name: string;
  /** One ranked list (item indices, best first) per context, aligned with the pooled contexts. */
  rankings: readonly Int32Array[];
}

export interface PoolOptions {
  /** Items taken from each system's filtered list (the k of the judged metrics). */
  depth: number;
  /** Ranked list length kept before removing context items (the protocol's 100). */
  topK: number;
  /** Add each context's gold items to its pool (recorded as proposed by 'gold'). */
  includeGold: boolean;
  /** Pool only these context indices (e.g. a sample); default every evaluated context. */
  contextIndices?: readonly number[];
}

export const DEFAULT_POOL_OPTIONS: PoolOptions = { depth: 10, topK: 100, includeGold: true };

export const GOLD_PROPOSER = 'gold';

export interface PooledContext {
  contextIndex: number;
  context: RecContext;
  /** Pooled items in first-proposed order (systems in the given order, rank by rank, then gold). */
  items: number[];
  /** Who proposed each item: system names, and GOLD_PROPOSER. */
  proposedBy: Map<number, string[]>;
  /** Pooled items without a judgment, in `items` order. */
  unjudged: number[];
}

export interface Pool {
  systems: string[];
  depth: number;
  contexts: PooledContext[];
  /** (context, item) pairs in the pool. */
  pairs: number;
  /** Pairs without a judgment. */
  unjudgedPairs: number;
}

/**
 * Pools the systems' top `depth` over the evaluated contexts (those with a gold pair under the filtered
 * protocol, as the judged metrics average over) or over `contextIndices`.
 */
export function buildPool(
  contexts: readonly RecContext[],
  systems: readonly PoolSystem[],
  catalog: Catalog,
  judgments?: Judgments,
  options: PoolOptions = DEFAULT_POOL_OPTIONS,
): Pool {
  for (const system of systems) {
    if (system.rankings.length !== contexts.length) {
      throw new CrsaugError(
        `system ${system.name}: ${system.rankings.length} ranked lists for ${contexts.length} contexts`,
      );
    }
  }
  const chosen = options.contextIndices ?? [
    ...new Set(pairsOf(contexts, catalog).map((pair) => pair.contextIndex)),
  ];
  const pooled = chosen.map((contextIndex): PooledContext => {
    const context = contexts[contextIndex]!;
    const proposedBy = new Map<number, string[]>();
    const propose = (item: number, by: string) => {
      const names = proposedBy.get(item);
      if (!names) proposedBy.set(item, [by]);
      else if (!names.includes(by)) names.push(by);
    };
    for (const system of systems) {
      const list = filteredList(context, system.rankings[contextIndex]!.subarray(0, options.topK), catalog);
      for (const item of list.subarray(0, options.depth)) propose(item, system.name);
    }
    if (options.includeGold) for (const item of context.gold) propose(item, GOLD_PROPOSER);
    const items = [...proposedBy.keys()];
    const unjudged = items.filter((item) => !judgments?.get(context.dialogId, context.turnId, item));
    return { contextIndex, context, items, proposedBy, unjudged };
  });
  return {
    systems: systems.map((s) => s.name),
    depth: options.depth,
    contexts: pooled,
    pairs: pooled.reduce((n, c) => n + c.items.length, 0),
    unjudgedPairs: pooled.reduce((n, c) => n + c.unjudged.length, 0),
  };
}

/**
 * The evaluated contexts a pool covers when at most `maxContexts` can be judged (0 = all): those that already
 * have a judgment first, so filling their holes keeps the judged set one sample, then a seeded random sample
 * of the others. Indices in context order.
 */
export function poolContexts(
  contexts: readonly RecContext[],
  catalog: Catalog,
  judgments: Judgments | undefined,
  maxContexts: number,
  seed: number,
): number[] {
  const evaluated = [...new Set(pairsOf(contexts, catalog).map((pair) => pair.contextIndex))];
  if (maxContexts === 0 || evaluated.length <= maxContexts) return evaluated;
  const judged = (c: number) => judgments?.hasContext(contexts[c]!.dialogId, contexts[c]!.turnId) ?? false;
  const first = evaluated.filter(judged).slice(0, maxContexts);
  const others = new Rng(seed).shuffle(evaluated.filter((c) => !judged(c)));
  return [...first, ...others.slice(0, maxContexts - first.length)].sort((a, b) => a - b);
}

/** The pool's unjudged pairs as the teacher scorer's pairs (item by catalog name), context by context. */
export function unjudgedScorePairs(pool: Pool, catalog: Catalog): ScorePair[] {
  return pool.contexts.flatMap(({ context, unjudged }) =>
    unjudged.map((item) => ({
      dialogId: context.dialogId,
      turnId: context.turnId,
      item: catalog.items[item]!.name,
    })),
  );
}
