import type { Catalog, KnowledgeGraph } from '../../data/types.js';

/** Relation types the features count separately; any other relation of a custom KG counts as 'other'. */
export const KG_RELATION_GROUPS = ['genre', 'star', 'director', 'writer', 'other'] as const;
export type KgRelationGroup = (typeof KG_RELATION_GROUPS)[number];

function groupOf(relation: string): KgRelationGroup {
  const r = relation.toLowerCase();
  return (KG_RELATION_GROUPS as readonly string[]).includes(r) ? (r as KgRelationGroup) : 'other';
}

/** Links of one (context, item) pair, per relation group. */
export interface KgLinkCounts {
  /** Entities the context names itself (a genre, a person) that the item links to. */
  direct: Record<KgRelationGroup, number>;
  /** The item's neighbours that a movie named in the context shares. */
  viaMentionedItems: Record<KgRelationGroup, number>;
  /** The item's neighbour count, the normaliser of both. */
  itemNeighbours: Record<KgRelationGroup, number>;
}

const zeros = (): Record<KgRelationGroup, number> => ({
  genre: 0,
  star: 0,
  director: 0,
  writer: 0,
  other: 0,
});

/**
 * The item-side view of the knowledge graph: each item's neighbours by relation group, in both stored
 * directions (the KG stores head → tail once).
 */
export class KgLinks {
  private readonly neighbours: Array<Map<number, KgRelationGroup>>;

  constructor(
    private readonly catalog: Catalog,
    kg: KnowledgeGraph,
  ) {
    const groups = kg.relations.map(groupOf);
    this.neighbours = catalog.items.map(() => new Map());
    const link = (from: number, to: number, group: KgRelationGroup) => {
      const item = catalog.itemOfEntity[from]!;
      if (item >= 0 && catalog.itemOfEntity[to]! < 0) this.neighbours[item]!.set(to, group);
    };
    for (let e = 0; e < kg.heads.length; e++) {
      const group = groups[kg.relationIds[e]!]!;
      link(kg.heads[e]!, kg.tails[e]!, group);
      link(kg.tails[e]!, kg.heads[e]!, group);
    }
  }

  /** Counts the links between the context's entities and the item. */
  count(contextEntities: readonly number[], item: number): KgLinkCounts {
    const counts: KgLinkCounts = { direct: zeros(), viaMentionedItems: zeros(), itemNeighbours: zeros() };
    const named = new Set<number>();
    const shared = new Set<number>();
    for (const entity of new Set(contextEntities)) {
      const mentionedItem = this.catalog.itemOfEntity[entity]!;
      if (mentionedItem < 0) named.add(entity);
      else if (mentionedItem !== item) for (const n of this.neighbours[mentionedItem]!.keys()) shared.add(n);
    }
    for (const [entity, group] of this.neighbours[item]!) {
      counts.itemNeighbours[group]++;
      if (named.has(entity)) counts.direct[group]++;
      if (shared.has(entity)) counts.viaMentionedItems[group]++;
    }
    return counts;
  }
}
