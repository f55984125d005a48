import { TitleMatcher, titleOf } from '../augment/mentioned-titles.js';
import { EntityLinker, type EntitySpan } from '../data/convert/entity-linker.js';
import { genreSurfaces } from '../data/convert/redial-raw.js';
import type { Dataset, RecContext } from '../data/types.js';
import { countLabels, labelSplit } from '../models/popularity.js';
import type { LinkedEntity } from './schemas.js';

/** A typed dialogue as the models read it, and what was found in it. */
export interface LinkedContext {
  context: RecContext;
  entities: LinkedEntity[];
  /** Item indices the context mentions: never recommended back (the evaluation protocol's rule). */
  mentioned: Set<number>;
}

interface Span extends EntitySpan {
  entity: number;
}

/**
 * Links free text to a dataset's knowledge graph the way the data was linked: the ReDial converter's
 * EntityLinker for genres (with their plural surfaces), people and full item names ("Heat (1995)"), and
 * the retriever's TitleMatcher for titles written without their year, with its rules against common words
 * ("Up", "Her" only when capitalised mid-sentence). A title shared by several items (remakes) links to the
 * one the train split names most.
 */
export class ContextLinker {
  private constructor(
    private readonly dataset: Dataset,
    private readonly names: EntityLinker,
    private readonly titles: TitleMatcher,
    private readonly popularity: Float64Array,
  ) {}

  static create(dataset: Dataset): ContextLinker {
    const { catalog } = dataset;
    const entries: { name: string; type: string; surface?: string }[] = [];
    const people: string[] = [];
    catalog.entityNames.forEach((name, entity) => {
      // Datasets hold a few empty or one-letter names; as words they would match "it's" or "a".
      if ((name.match(/[\p{L}\p{N}]/gu) ?? []).length < 2) return;
      const type = typeOf(dataset, entity);
      if (type === 'genre') {
        for (const surface of genreSurfaces(name)) entries.push({ name, type, surface });
      } else {
        entries.push({ name, type });
        if (type === 'person') people.push(name);
      }
    });
    const splits = Object.values(dataset.splits);
    const popularity =
      splits.length > 0
        ? countLabels(labelSplit(dataset).contexts, catalog.items.length)
        : new Float64Array(catalog.items.length);
    return new ContextLinker(
      dataset,
      new EntityLinker(entries),
      new TitleMatcher(
        catalog.items.map((i) => i.name),
        people,
      ),
      popularity,
    );
  }

  link(utterances: readonly string[]): LinkedContext {
    const { catalog } = this.dataset;
    const entities: LinkedEntity[] = [];
    const ids: number[] = [];
    const mentioned = new Set<number>();
    utterances.forEach((text, utterance) => {
      for (const span of this.spans(text)) {
        const item = catalog.itemOfEntity[span.entity]!;
        if (item >= 0) mentioned.add(item);
        ids.push(span.entity);
        entities.push({
          utterance,
          start: span.start,
          end: span.end,
          text: text.slice(span.start, span.end),
          name: span.name,
          type: span.type,
          item: item >= 0,
        });
      }
    });
    return {
      context: {
        dialogId: 'serve',
        turnId: utterances.length,
        utterances: [...utterances],
        entities: ids,
        gold: [],
        goldEntities: [],
        recNames: [],
      },
      entities,
      mentioned,
    };
  }

  /** The linked spans of one utterance, in text order, without overlaps (a title wins over words inside it). */
  private spans(text: string): Span[] {
    const { catalog } = this.dataset;
    const spans: Span[] = this.names
      .link(text)
      .map((s) => ({ ...s, entity: catalog.entityIds.get(s.name)! }))
      .filter((s) => s.entity !== undefined);
    const linkedItems = new Set(spans.map((s) => catalog.itemOfEntity[s.entity]!).filter((i) => i >= 0));
    const byTitle = new Map<string, number[]>();
    for (const item of this.titles.find(text)) {
      const title = titleOf(catalog.items[item]!.name).toLowerCase();
      byTitle.set(title, [...(byTitle.get(title) ?? []), item]);
    }
    for (const items of byTitle.values()) {
      if (items.some((i) => linkedItems.has(i))) continue;
      const item = items.reduce((best, i) => (this.popularity[i]! > this.popularity[best]! ? i : best));
      const itemSpans = spans.filter((s) => catalog.itemOfEntity[s.entity]! >= 0);
      const found = titleOccurrence(text, titleOf(catalog.items[item]!.name), itemSpans);
      // A word that is both a title and a genre or name ("Action", "Keanu") stays the genre or name.
      if (!found || spans.some((s) => s.start === found.start && s.end === found.end)) continue;
      // A longer title replaces the genre or person words inside it ("Romantic Comedy").
      for (let i = spans.length - 1; i >= 0; i--) {
        if (spans[i]!.start < found.end && spans[i]!.end > found.start) spans.splice(i, 1);
      }
      const entity = catalog.itemEntity[item]!;
      spans.push({
        ...found,
        name: catalog.entityNames[entity]!,
        type: typeOf(this.dataset, entity),
        entity,
      });
    }
    return spans.sort((a, b) => a.start - b.start);
  }
}

function typeOf(dataset: Dataset, entity: number): string {
  const { catalog } = dataset;
  return catalog.entityTypes[entity] || (catalog.itemOfEntity[entity]! >= 0 ? 'item' : 'entity');
}

/**
 * Where a title occurs as TitleMatcher matched it: its letter/digit words in order, anything else between
 * them ("Spider Man" for "Spider-Man"), ignoring case; the first occurrence outside a linked full item name.
 */
function titleOccurrence(
  text: string,
  title: string,
  itemSpans: readonly Span[],
): { start: number; end: number } | undefined {
  const words = title.match(/[\p{L}\p{N}]+/gu) ?? [];
  if (words.length === 0) return undefined;
  const pattern = new RegExp(`(?<![\\p{L}\\p{N}])${words.join('[^\\p{L}\\p{N}]+')}(?![\\p{L}\\p{N}])`, 'giu');
  for (const match of text.matchAll(pattern)) {
    const start = match.index;
    const end = start + match[0].length;
    if (!itemSpans.some((s) => s.start <= start && s.end >= end)) return { start, end };
  }
  return undefined;
}
