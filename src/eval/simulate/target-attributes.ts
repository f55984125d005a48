import type { Catalog, KnowledgeGraph } from '../../data/types.js';

/** What a simulated user can say about its target: the slots of the attribute agenda, in agenda order. */
export const ATTRIBUTE_SLOTS = ['genre', 'star', 'director', 'writer', 'decade'] as const;
export type AttributeSlot = (typeof ATTRIBUTE_SLOTS)[number];

export interface TargetAttribute {
  slot: AttributeSlot;
  /** The value as said: a KG entity name, or "1990s" for the decade. */
  value: string;
  /** The KG entity, or -1 for a value that is not an entity (the decade). */
  entity: number;
}

/**
 * An item's attributes by slot, from the catalog's metadata (its order: genres as listed, people in billing
 * order) restricted to values that are KG entities linked to the item, so every revealed value is something
 * a KG-based CRS can reach; plus the decade from the item's year.
 */
export class TargetAttributes {
  private readonly neighbours = new Map<number, Set<number>>();

  constructor(
    private readonly catalog: Catalog,
    kg: KnowledgeGraph,
  ) {
    for (let i = 0; i < kg.heads.length; i++) {
      this.link(kg.heads[i]!, kg.tails[i]!);
      this.link(kg.tails[i]!, kg.heads[i]!);
    }
  }

  of(item: number): Record<AttributeSlot, TargetAttribute[]> {
    const info = this.catalog.items[item]!;
    const linked = this.neighbours.get(this.catalog.itemEntity[item]!) ?? new Set<number>();
    const values = (slot: AttributeSlot, names: readonly string[]): TargetAttribute[] =>
      names.flatMap((value) => {
        const entity = this.catalog.entityIds.get(value);
        return entity !== undefined && linked.has(entity) ? [{ slot, value, entity }] : [];
      });
    return {
      genre: values('genre', info.genres),
      star: values('star', info.stars),
      director: values('director', info.directors),
      writer: values('writer', info.writers),
      decade:
        info.year === undefined
          ? []
          : [{ slot: 'decade', value: `${Math.floor(info.year / 10) * 10}s`, entity: -1 }],
    };
  }

  private link(from: number, to: number): void {
    let set = this.neighbours.get(from);
    if (!set) {
      set = new Set();
      this.neighbours.set(from, set);
    }
    set.add(to);
  }
}
