import type { ItemInfo } from '../data/types.js';
import { CrsaugError } from '../util/errors.js';

export const ITEM_PLACEHOLDERS = [
  'name',
  'year',
  'genres',
  'directors',
  'stars',
  'writers',
  'other',
  'plot',
] as const;
export type ItemPlaceholder = (typeof ITEM_PLACEHOLDERS)[number];

export interface ItemTextOptions {
  /** See DEFAULT_ITEM_TEMPLATE in config/augment.ts for the syntax. */
  template: string;
  /** Most people per role; 0 = all. */
  maxPeople: number;
  /** Plot cut to this many characters; 0 = whole plot. */
  plotChars: number;
}

const PLACEHOLDER = /\{([a-z]+)\}/g;
const OPTIONAL_PART = /\[([^[\]]*)\]/g;

/** Rejects unknown placeholders up front, so a typo in a config template is not silently left in every text. */
export function checkItemTemplate(template: string, field = 'itemTemplate'): void {
  for (const [, name] of template.matchAll(PLACEHOLDER)) {
    if (!(ITEM_PLACEHOLDERS as readonly string[]).includes(name!)) {
      throw new CrsaugError(`unknown placeholder {${name}} in ${field}`, {
        hint: `use ${ITEM_PLACEHOLDERS.map((p) => `{${p}}`).join(' ')}`,
      });
    }
  }
}

/** The item's description from the template: optional [parts] vanish when a placeholder in them is empty. */
export function renderItemText(item: ItemInfo, options: ItemTextOptions): string {
  const values = itemFields(item, options);
  const fill = (text: string) => text.replace(PLACEHOLDER, (_, name: ItemPlaceholder) => values[name] ?? '');
  const withOptional = options.template.replace(OPTIONAL_PART, (_, part: string) => {
    const names = [...part.matchAll(PLACEHOLDER)].map((m) => m[1] as ItemPlaceholder);
    return names.some((name) => !values[name]) ? '' : fill(part);
  });
  return fill(withOptional).trim();
}

function itemFields(item: ItemInfo, options: ItemTextOptions): Record<ItemPlaceholder, string> {
  const people = (list: string[]) =>
    (options.maxPeople > 0 ? list.slice(0, options.maxPeople) : list).join(', ');
  return {
    name: item.name,
    // CFCRS names carry the year ("Rush Hour (1998)"); other catalogs (OpenDialKG) keep it in its own field.
    year: item.year === undefined || nameHasYear(item) ? '' : String(item.year),
    genres: item.genres.join(', '),
    directors: people(item.directors),
    stars: people(item.stars),
    writers: people(item.writers),
    other: otherFields(item),
    plot: cutText(item.plot.trim(), options.plotChars),
  };
}

/** The catalog's further fields that describe the item (not identifiers such as imdb_id), with values. */
export function describingFields(item: Pick<ItemInfo, 'extra'>): [string, string[]][] {
  return Object.entries(item.extra).filter(([key, values]) => !/(^|_)id$/i.test(key) && values.length > 0);
}

/** Whether the item's name ends with its year in parentheses (the CFCRS naming). */
export function nameHasYear(item: Pick<ItemInfo, 'name'>): boolean {
  return /\(\d{4}\)\s*$/.test(item.name);
}

/**
 * The catalog's own fields beyond the named ones, as "Language: English, French" parts joined by ". "
 * (OpenDialKG has language; identifiers such as ReDial's imdb_id say nothing about the item and are left out).
 */
export function otherFields(item: Pick<ItemInfo, 'extra'>): string {
  return describingFields(item)
    .map(
      ([key, values]) => `${key[0]!.toUpperCase()}${key.slice(1).replace(/_/g, ' ')}: ${values.join(', ')}`,
    )
    .join('. ');
}

/** Cuts at the last word boundary before `limit` characters and marks the cut with "…"; 0 = no limit. */
export function cutText(text: string, limit: number): string {
  if (limit <= 0 || text.length <= limit) return text;
  const head = text.slice(0, limit);
  const space = head.lastIndexOf(' ');
  return `${(space > limit / 2 ? head.slice(0, space) : head).trimEnd()}…`;
}
