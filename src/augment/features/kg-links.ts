import type { Catalog, KnowledgeGraph } from '../../data/types.js';

/** Relation types the features count separately; any other relation of a custom KG counts as 'other'. */
export const KG_RELATION_GROUPS = ['genre', 'star', 'director', 'writer', 'other'] as const;
export type KgRelationGroup = (typeof KG_RELATION_GROUPS)[number];

/** Relation names of other KGs that mean one of the groups (OpenDialKG says actor where CFCRS says star). */
const RELATION_ALIASES: Record<string, KgRelationGroup> = { actor: 'star', author: 'writer' };

function groupOf(relation: string): KgRelationGroup {
  const r = relation.toLowerCase();
  if (RELATION_ALIASES[r]) return RELATION_ALIASES[r];
  return (KG_RELATION_GROUPS as readonly string[]).includes(r) ? (r as KgRelationGroup) : 'other';
}

/**
 * IDF-weighted overlap of one (context, item) pair: the item's neighbours (genres, people, …) that the
 * context names or that an item it names shares, each weighted by log(items / items linked to it), so a
 * shared director counts far more than a shared "drama".
 */
export interface KgIdfOverlap {
  /** IDF mass of the item's neighbours found in the context's profile, per group. */
  shared: Record<KgRelationGroup, number>;
  /** IDF mass of all the item's neighbours, per group (the normaliser). */
  total: Record<KgRelationGroup, number>;
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
  /** log(items / items linked to the entity) of every non-item entity some item links to. */
  private readonly idf = new Map<number, number>();

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
    const linkedItems = new Map<number, number>();
    for (const map of this.neighbours)
      for (const entity of map.keys()) linkedItems.set(entity, (linkedItems.get(entity) ?? 0) + 1);
    const items = Math.max(1, catalog.items.length);
    for (const [entity, n] of linkedItems) this.idf.set(entity, Math.log(items / n));
  }

  /**
   * The context's profile: the non-item entities it names and the neighbours of the items it names (what
   * the user asked for or talked about), computed once per context for idfOverlap.
   */
  profile(contextEntities: readonly number[]): Set<number> {
    const profile = new Set<number>();
    for (const entity of new Set(contextEntities)) {
      const mentionedItem = this.catalog.itemOfEntity[entity]!;
      if (mentionedItem < 0) profile.add(entity);
      else for (const n of this.neighbours[mentionedItem]!.keys()) profile.add(n);
    }
    return profile;
  }

  /** The IDF-weighted overlap between a context profile and an item's neighbours. */
  idfOverlap(profile: ReadonlySet<number>, item: number): KgIdfOverlap {
    const overlap: KgIdfOverlap = { shared: zeros(), total: zeros() };
    for (const [entity, group] of this.neighbours[item]!) {
      const weight = this.idf.get(entity) ?? 0;
      overlap.total[group] += weight;
      if (profile.has(entity)) overlap.shared[group] += weight;
    }
    return overlap;
  }

  /**
   * Every item's summed IDF overlap with the profile (0 for items sharing nothing), by walking the items
   * linked to each profile entity: the KG side of a hybrid candidate pool.
   */
  scoreAll(profile: ReadonlySet<number>): Float64Array {
    const scores = new Float64Array(this.catalog.items.length);
    if (!this.byEntity) {
      this.byEntity = new Map();
      this.neighbours.forEach((map, item) => {
        for (const entity of map.keys()) {
          const list = this.byEntity!.get(entity);
          if (list) list.push(item);
          else this.byEntity!.set(entity, [item]);
        }
      });
    }
    for (const entity of profile) {
      const weight = this.idf.get(entity) ?? 0;
      for (const item of this.byEntity.get(entity) ?? []) scores[item]! += weight;
    }
    return scores;
  }

  private byEntity?: Map<number, number[]>;

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
