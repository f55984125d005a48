import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { z } from 'zod';
import { InputError } from '../util/errors.js';
import { readJsonFile } from '../util/json.js';
import { loadJsonl } from '../util/jsonl.js';
import { buildCatalog, buildKg } from './catalog.js';
import { readProcessedSplit } from './split.js';
import { type Dataset, SPLIT_NAMES, type Split, type SplitName } from './types.js';

/** The file that marks a folder as a custom dataset (docs/custom-dataset.md). */
export const CUSTOM_ITEMS_FILE = 'items.jsonl';
export const CUSTOM_KG_FILE = 'kg.jsonl';
export const CUSTOM_META_FILE = 'dataset.json';
/** Context files of a custom dataset, one per split, in the processed-sample schema. */
export const customSplitFile = (split: SplitName) => `${split}.jsonl`;

const TextList = z.array(z.string()).default([]);
/** One recommendable item: a unique name plus any text fields useful for retrieval and prompts. */
export const CustomItemSchema = z.strictObject({
  name: z.string().min(1),
  description: z.string().default(''),
  year: z.number().int().optional(),
  genres: TextList,
  directors: TextList,
  stars: TextList,
  writers: TextList,
  /** Any other text fields (brand, author, …); a string becomes a one-element list. */
  fields: z.record(z.string(), z.union([z.string(), z.array(z.string())])).default({}),
});
/** One KG triple by names; names that are not items become non-item entities. */
export const CustomTripleSchema = z.strictObject({
  head: z.string().min(1),
  relation: z.string().min(1),
  tail: z.string().min(1),
});
export const CustomMetaSchema = z.strictObject({
  name: z.string().optional(),
  description: z.string().optional(),
});

/**
 * Loads a custom dataset folder: items.jsonl (the catalog), optional kg.jsonl, optional dataset.json, and
 * {train,valid,test}.jsonl contexts in the processed-sample schema. Items get entity ids 0…n-1 in file
 * order, then KG-only names in first-seen order; from there on it is the registry datasets' code path.
 */
export async function loadCustomDataset(
  dir: string,
  options: { splits?: SplitName[]; removeRepeated: boolean },
): Promise<Dataset> {
  const itemsFile = join(dir, CUSTOM_ITEMS_FILE);
  const items = await loadJsonl(itemsFile, CustomItemSchema);
  const entities = new NameIds();
  const infos = items.map(({ line, value }) => {
    if (entities.has(value.name)) {
      throw new InputError({ file: itemsFile, line, field: 'name' }, `duplicate item name "${value.name}"`);
    }
    entities.idOf(value.name);
    return {
      record: {
        ...value.fields,
        name: value.name,
        plot: value.description,
        year: value.year,
        genre: value.genres,
        director: value.directors,
        star: value.stars,
        writer: value.writers,
      },
    };
  });
  const itemIds = items.map((_, i) => i);
  const kgFile = join(dir, CUSTOM_KG_FILE);
  const triples = existsSync(kgFile) ? await loadJsonl(kgFile, CustomTripleSchema) : [];
  const relations = new NameIds();
  const kg: Record<string, [number, number][]> = {};
  for (const { value } of triples) {
    const head = entities.idOf(value.head);
    kg[head] ??= [];
    kg[head].push([relations.idOf(value.relation), entities.idOf(value.tail)]);
  }
  const types = Object.fromEntries(items.map(({ value }) => [value.name, 'item']));
  const catalog = buildCatalog(entities.ids, itemIds, types, infos, itemsFile);
  const metaFile = join(dir, CUSTOM_META_FILE);
  const meta = existsSync(metaFile) ? readJsonFile(metaFile, CustomMetaSchema) : {};
  const splitNames = options.splits ?? SPLIT_NAMES.filter((s) => existsSync(join(dir, customSplitFile(s))));
  const splits: Partial<Record<SplitName, Split>> = {};
  for (const name of splitNames) {
    splits[name] = await readProcessedSplit(name, join(dir, customSplitFile(name)), catalog, {
      removeRepeated: options.removeRepeated,
      missingHint: `write ${customSplitFile(name)} as described in docs/custom-dataset.md`,
    });
  }
  return {
    name: meta.name ?? basename(dir),
    description: meta.description ?? `custom dataset in ${dir}`,
    dir,
    catalog,
    kg: buildKg(relations.ids, kg, entities.size, kgFile),
    splits,
  };
}

/** Dense ids for names in first-seen order. */
class NameIds {
  readonly ids: Record<string, number> = {};
  size = 0;

  has(name: string): boolean {
    return Object.hasOwn(this.ids, name);
  }

  idOf(name: string): number {
    if (!this.has(name)) this.ids[name] = this.size++;
    return this.ids[name]!;
  }
}
