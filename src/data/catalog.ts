import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { InputError } from '../util/errors.js';
import { readJsonFile } from '../util/json.js';
import type { Catalog, ItemInfo, KnowledgeGraph } from './types.js';

/** The KG/catalog files of the CFCRS/iEvaLM processed layout (shared by redial, inspired, opendialkg). */
export const CATALOG_FILES = {
  entityIds: 'entity2id.json',
  entityTypes: 'entity2type.json',
  itemIds: 'item_ids.json',
  kg: 'kg.json',
  relations: 'relation2id.json',
  itemInfo: 'id2info.json',
} as const;

const EntityIdsSchema = z.record(z.string(), z.number().int().nonnegative());
const EntityTypesSchema = z.record(z.string(), z.string());
const ItemIdsSchema = z.array(z.number().int().nonnegative());
const KgSchema = z.record(z.string(), z.array(z.tuple([z.number().int(), z.number().int()])));
const StringList = z.union([z.string(), z.array(z.string())]).nullish();
/** One id2info record; the three sources name their fields differently (star vs actor, year inside the name). */
const ItemInfoRecordSchema = z.looseObject({
  name: z.string().optional(),
  year: z.union([z.string(), z.number()]).nullish(),
  plot: z.string().nullish(),
  genre: StringList,
  director: StringList,
  star: StringList,
  actor: StringList,
  writer: StringList,
});
const ItemInfoFileSchema = z.record(z.string(), ItemInfoRecordSchema);
type ItemInfoRecord = z.output<typeof ItemInfoRecordSchema>;

/** Fields that map onto named ItemInfo members; everything else list-like lands in `extra`. */
const KNOWN_INFO_FIELDS = new Set(['name', 'year', 'plot', 'genre', 'director', 'star', 'actor', 'writer']);

/**
 * Reads the catalog files of one dataset folder. `missingHint` says how to get the folder when a file is absent.
 * id2info records are matched to items by `name` (ReDial keys are ReDial movieIds, OpenDialKG keys are not
 * entity ids), so all three sources go through one path; the first record of a name wins.
 */
export function loadCatalog(dir: string, missingHint: string): { catalog: Catalog; kg: KnowledgeGraph } {
  const file = (name: string) => join(dir, name);
  const entityIds = readJsonFile(file(CATALOG_FILES.entityIds), EntityIdsSchema, missingHint);
  const itemIds = readJsonFile(file(CATALOG_FILES.itemIds), ItemIdsSchema, missingHint);
  const typesFile = file(CATALOG_FILES.entityTypes);
  const types = existsSync(typesFile) ? readJsonFile(typesFile, EntityTypesSchema) : {};
  const info = readJsonFile(file(CATALOG_FILES.itemInfo), ItemInfoFileSchema, missingHint);
  const catalog = buildCatalog(
    entityIds,
    itemIds,
    types,
    Object.values(info).map((record) => ({ record })),
    file(CATALOG_FILES.entityIds),
  );
  const relationIds = readJsonFile(file(CATALOG_FILES.relations), EntityIdsSchema, missingHint);
  const triples = readJsonFile(file(CATALOG_FILES.kg), KgSchema, missingHint);
  return { catalog, kg: buildKg(relationIds, triples, catalog.entityNames.length, file(CATALOG_FILES.kg)) };
}

/** Builds the in-memory catalog from entity ids, item entity ids, optional types and item metadata. */
export function buildCatalog(
  entityIds: Record<string, number>,
  itemIds: readonly number[],
  types: Record<string, string>,
  infos: readonly { record: ItemInfoRecord }[],
  sourceFile: string,
): Catalog {
  const size = Object.keys(entityIds).length;
  const entityNames = new Array<string>(size);
  const ids = new Map<string, number>();
  for (const [name, id] of Object.entries(entityIds)) {
    if (id >= size || entityNames[id] !== undefined) {
      throw new InputError(
        { file: sourceFile, field: name },
        `entity ids must be dense and unique (got ${id})`,
      );
    }
    entityNames[id] = name;
    ids.set(name, id);
  }
  const itemEntity = Int32Array.from(itemIds);
  const itemOfEntity = new Int32Array(size).fill(-1);
  itemEntity.forEach((entity, item) => {
    if (entity >= size)
      throw new InputError({ file: sourceFile }, `item entity id ${entity} is not an entity`);
    itemOfEntity[entity] = item;
  });
  const infoByName = new Map<string, ItemInfoRecord>();
  for (const { record } of infos)
    if (record.name && !infoByName.has(record.name)) infoByName.set(record.name, record);
  const items = Array.from(itemEntity, (entity) =>
    toItemInfo(entityNames[entity]!, infoByName.get(entityNames[entity]!)),
  );
  return {
    entityNames,
    entityIds: ids,
    entityTypes: entityNames.map((name) => types[name] ?? ''),
    itemEntity,
    itemOfEntity,
    items,
  };
}

function toItemInfo(name: string, record: ItemInfoRecord | undefined): ItemInfo {
  const extra: Record<string, string[]> = {};
  for (const [key, value] of Object.entries(record ?? {})) {
    if (!KNOWN_INFO_FIELDS.has(key) && value !== null && value !== undefined)
      extra[key] = asList(value as never);
  }
  return {
    name,
    year: parseYear(record?.year) ?? yearInName(name),
    genres: asList(record?.genre),
    directors: asList(record?.director),
    // OpenDialKG says actor where CFCRS says star; both are the cast.
    stars: dedupe([...asList(record?.star), ...asList(record?.actor)]),
    writers: asList(record?.writer),
    plot: record?.plot ?? '',
    extra,
  };
}

function asList(value: string | string[] | number | null | undefined): string[] {
  if (value === null || value === undefined) return [];
  return dedupe((Array.isArray(value) ? value : [String(value)]).map(String));
}

function dedupe(values: string[]): string[] {
  return [...new Set(values)];
}

function parseYear(value: string | number | null | undefined): number | undefined {
  const year = Number(value);
  return value !== null && value !== undefined && value !== '' && Number.isInteger(year) ? year : undefined;
}

/** CFCRS names movies "Title (Year)"; that is the only year ReDial/INSPIRED metadata has. */
function yearInName(name: string): number | undefined {
  const m = /\((\d{4})\)\s*$/.exec(name);
  return m ? Number(m[1]) : undefined;
}

/** Flattens `{head: [[relation, tail], …]}` into parallel arrays, checking ids against the vocabularies. */
export function buildKg(
  relationIds: Record<string, number>,
  triples: Record<string, [number, number][]>,
  entities: number,
  sourceFile: string,
): KnowledgeGraph {
  const relations: string[] = [];
  for (const [name, id] of Object.entries(relationIds)) relations[id] = name;
  const heads: number[] = [];
  const rels: number[] = [];
  const tails: number[] = [];
  for (const [headKey, edges] of Object.entries(triples)) {
    const head = Number(headKey);
    for (const [relation, tail] of edges) {
      if (!(head < entities && tail < entities && relation < relations.length)) {
        throw new InputError(
          { file: sourceFile, field: headKey },
          `triple [${relation}, ${tail}] refers to an unknown entity or relation`,
        );
      }
      heads.push(head);
      rels.push(relation);
      tails.push(tail);
    }
  }
  return {
    relations,
    heads: Int32Array.from(heads),
    relationIds: Int32Array.from(rels),
    tails: Int32Array.from(tails),
  };
}
