import type { Catalog, Dataset, RecContext, Split } from '../../src/data/types.js';

/**
 * A hand-made catalog for unit tests: entity ids 0..9 are non-item entities ("genre0", …), item i is entity
 * 10 + i and is named "Movie i".
 */
export const ITEM_ENTITY_OFFSET = 10;

export function tinyCatalog(itemCount: number): Catalog {
  const entityNames = [
    ...Array.from({ length: ITEM_ENTITY_OFFSET }, (_, i) => `genre${i}`),
    ...Array.from({ length: itemCount }, (_, i) => `Movie ${i}`),
  ];
  const itemEntity = Int32Array.from({ length: itemCount }, (_, i) => ITEM_ENTITY_OFFSET + i);
  const itemOfEntity = Int32Array.from(entityNames, (_, id) =>
    id >= ITEM_ENTITY_OFFSET ? id - ITEM_ENTITY_OFFSET : -1,
  );
  return {
    entityNames,
    entityIds: new Map(entityNames.map((name, id) => [name, id])),
    entityTypes: entityNames.map((_, id) => (id >= ITEM_ENTITY_OFFSET ? 'movie' : 'genre')),
    itemEntity,
    itemOfEntity,
    items: Array.from({ length: itemCount }, (_, i) => ({
      name: `Movie ${i}`,
      genres: [],
      directors: [],
      stars: [],
      writers: [],
      plot: '',
      extra: {},
    })),
  };
}

/** A context from entity ids; `gold` follows the loader's rule (items not already mentioned). */
export function tinyContext(
  dialogId: string,
  turnId: number,
  entities: number[],
  goldEntities: number[],
): RecContext {
  const mentioned = new Set(entities);
  return {
    dialogId,
    turnId,
    utterances: [],
    entities,
    goldEntities,
    gold: goldEntities
      .filter((e) => e >= ITEM_ENTITY_OFFSET && !mentioned.has(e))
      .map((e) => e - ITEM_ENTITY_OFFSET),
    recNames: [],
  };
}

export function tinyDataset(
  itemCount: number,
  splits: Partial<Record<'train' | 'valid' | 'test', RecContext[]>>,
): Dataset {
  const loaded: Dataset['splits'] = {};
  for (const [name, contexts] of Object.entries(splits) as [Split['name'], RecContext[]][]) {
    loaded[name] = { name, contexts, dialogues: 1, files: [], unknownRecNames: 0, unknownEntityNames: 0 };
  }
  return {
    name: 'tiny',
    description: 'hand-made test dataset',
    dir: '',
    catalog: tinyCatalog(itemCount),
    kg: { relations: [], heads: new Int32Array(0), relationIds: new Int32Array(0), tails: new Int32Array(0) },
    splits: loaded,
  };
}

/** Item i's entity id. */
export const e = (item: number) => ITEM_ENTITY_OFFSET + item;
