/**
 * The in-memory dataset model every other layer reads. Entity ids are the ids of the dataset's
 * entity2id.json (items, people, genres, …); item indices are positions in the catalog's
 * recommendable items (0 … items-1), which is the space models score and evaluation ranks.
 */

export type SplitName = 'train' | 'valid' | 'test';
export const SPLIT_NAMES: readonly SplitName[] = ['train', 'valid', 'test'];

/** Item metadata used for item text (retrieval, prompts) and features; empty arrays/strings when unknown. */
export interface ItemInfo {
  name: string;
  year?: number;
  genres: string[];
  directors: string[];
  stars: string[];
  writers: string[];
  plot: string;
  /** Other metadata fields of the source (language, …), as lists of strings. */
  extra: Record<string, string[]>;
}

export interface Catalog {
  /** Entity name by entity id. */
  entityNames: string[];
  /** Entity id by name. */
  entityIds: Map<string, number>;
  /** Entity type by entity id ('movie', 'person', 'genre', …), or '' when the dataset has no types. */
  entityTypes: string[];
  /** Entity id of each item index. */
  itemEntity: Int32Array;
  /** Item index of each entity id, -1 for entities that are not recommendable items. */
  itemOfEntity: Int32Array;
  /** Metadata by item index. */
  items: ItemInfo[];
}

/** The knowledge graph as stored (one direction, head → tail); models add reverse edges themselves. */
export interface KnowledgeGraph {
  relations: string[];
  heads: Int32Array;
  relationIds: Int32Array;
  tails: Int32Array;
}

/** One recommendation turn: a dialogue context and the items the recommender named next. */
export interface RecContext {
  dialogId: string;
  turnId: number;
  /** Utterances before this turn; even index = user (seeker), odd index = system (recommender). */
  utterances: string[];
  /** Entity ids mentioned in the context so far, in mention order, repeats kept (unknown names dropped). */
  entities: number[];
  /**
   * Evaluation/training targets: item indices of this turn's gold items, in `rec` order. With repeated-item
   * removal (the default) gold items already among `entities` are left out; so are rec names not in the catalog.
   */
  gold: number[];
  /** Every gold rec name found as an entity, as entity ids (including re-mentions and non-item entities). */
  goldEntities: number[];
  /** The `rec` names as written in the source. */
  recNames: string[];
  /** The recommender's utterance at this turn, when the source has it. */
  response?: string;
}

export interface Split {
  name: SplitName;
  /** Every rec turn of the split, including those with no target left after removal. */
  contexts: RecContext[];
  /** Number of distinct dialogues among the split's rec turns. */
  dialogues: number;
  /** Source file(s) the split was read from. */
  files: string[];
  /** Rec names that were not found in the catalog (counted, never fatal). */
  unknownRecNames: number;
  /** Context entity names that were not found in the catalog. */
  unknownEntityNames: number;
}

export interface Dataset {
  /** Registry name (e.g. 'inspired') or the custom dataset's name. */
  name: string;
  /** One line on what this dataset is, including caveats (e.g. a partial train split). */
  description: string;
  /** Folder the dataset was loaded from. */
  dir: string;
  catalog: Catalog;
  kg: KnowledgeGraph;
  splits: Partial<Record<SplitName, Split>>;
}
