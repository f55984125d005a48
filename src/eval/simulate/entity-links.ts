import type { EntityLinker } from '../../data/convert/entity-linker.js';
import { kgEntityLinker } from '../../data/convert/redial-raw.js';
import type { Catalog } from '../../data/types.js';

/**
 * Links a simulated utterance to catalog entity ids with the linker of the ReDial train conversion (KG genres
 * with their surface forms, and persons; whole words, longest first), so a simulated turn reaches the CRS the
 * way a dataset turn does. A dataset without entity types links nothing.
 */
export class CatalogLinker {
  private readonly linker: EntityLinker;

  constructor(private readonly catalog: Catalog) {
    this.linker = kgEntityLinker(
      catalog.entityNames.map((name, id) => [name, catalog.entityTypes[id]!] as const),
    );
  }

  /** Entity ids found in `text`, in text order, repeats kept. */
  link(text: string): number[] {
    return this.linker.link(text).map((span) => this.catalog.entityIds.get(span.name)!);
  }
}
