import { z } from 'zod';
import type { Catalog, RecContext } from './types.js';

/**
 * One line of `{split}_data_processed.jsonl` (CFCRS prepare.py output; iEvaLM's OpenDialKG uses integer
 * dialog ids and has no `template`). A custom dataset's context files use the same schema.
 */
export const ProcessedSampleSchema = z.looseObject({
  dialog_id: z.union([z.string(), z.number()]),
  turn_id: z.number().int(),
  context: z.array(z.string()),
  entity: z.array(z.string()),
  rec: z.array(z.string()),
  resp: z.string().optional(),
  template: z.array(z.string()).optional(),
});
export type ProcessedSample = z.output<typeof ProcessedSampleSchema>;

/** Names that were not found in the catalog while turning samples into contexts. */
export interface UnknownNameCounts {
  recNames: number;
  entityNames: number;
}

/**
 * Turns a processed sample into a RecContext (the reference loaders' semantics, paper-notes §4.3):
 * every `rec` name found in entity2id is a gold entity; with `removeRepeated`, golds already among the
 * context entities are dropped (FNSCRS `--repeated_item_removed`); `gold` keeps only golds that are items.
 */
export function toRecContext(
  sample: ProcessedSample,
  catalog: Catalog,
  removeRepeated: boolean,
  unknown: UnknownNameCounts,
): RecContext {
  const entities: number[] = [];
  for (const name of sample.entity) {
    const id = catalog.entityIds.get(name);
    if (id === undefined) unknown.entityNames++;
    else entities.push(id);
  }
  const goldEntities: number[] = [];
  for (const name of sample.rec) {
    const id = catalog.entityIds.get(name);
    if (id === undefined) unknown.recNames++;
    else goldEntities.push(id);
  }
  const mentioned = new Set(entities);
  const gold: number[] = [];
  for (const entity of goldEntities) {
    if (removeRepeated && mentioned.has(entity)) continue;
    const item = catalog.itemOfEntity[entity]!;
    if (item >= 0) gold.push(item);
  }
  return {
    dialogId: String(sample.dialog_id),
    turnId: sample.turn_id,
    utterances: sample.context,
    entities,
    gold,
    goldEntities,
    recNames: sample.rec,
    ...(sample.resp === undefined ? {} : { response: sample.resp }),
  };
}
