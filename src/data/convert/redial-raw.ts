import { join } from 'node:path';
import { z } from 'zod';
import { readJsonFile } from '../../util/json.js';
import { EntityLinker, type EntitySpan } from './entity-linker.js';
import type { LinkedRedialDialog, LinkedRedialMessage } from './linked.js';
import { collapseWhitespace, htmlUnescape } from './python-text.js';

/** One dialogue of the official ReDial release (data README §5.4). */
export const RawRedialDialogSchema = z.looseObject({
  conversationId: z.union([z.string(), z.number()]),
  movieMentions: z.union([z.record(z.string(), z.string().nullable()), z.array(z.unknown())]),
  respondentQuestions: z.unknown(),
  messages: z.array(
    z.looseObject({
      text: z.string(),
      senderWorkerId: z.number().int(),
    }),
  ),
  respondentWorkerId: z.number().int(),
  initiatorWorkerId: z.number().int(),
  initiatorQuestions: z.unknown(),
});
export type RawRedialDialog = z.output<typeof RawRedialDialogSchema>;

const ENTITY_TYPES_LINKED = new Set(['genre', 'person']);

/**
 * Surface forms CFCRS linked to genres that are not the genre name itself ("comedies", "romantic").
 * On the 360 raw dialogues also in CFCRS valid they raise turns with the exact entity list from 93.3% to 94.9%.
 */
export function genreSurfaces(genre: string): string[] {
  const plural = genre.endsWith('y') ? `${genre.slice(0, -1)}ies` : `${genre}s`;
  return genre === 'romance' ? [genre, plural, 'romantic'] : [genre, plural];
}

/**
 * The linker of KG genres (with their surface forms) and persons, from (name, type) entries. A blank name
 * (INSPIRED types its "" rec label as a genre) is left out: its plural surface "s" would link every "that's".
 */
export function kgEntityLinker(types: Iterable<readonly [string, string]>): EntityLinker {
  const names = [...types]
    .filter(([name, type]) => ENTITY_TYPES_LINKED.has(type) && name.trim() !== '')
    .flatMap(([name, type]) =>
      (type === 'genre' ? genreSurfaces(name) : [name]).map((surface) => ({ name, type, surface })),
    );
  return new EntityLinker(names);
}

/**
 * Official raw ReDial → CFCRS linked dialogue (data README §6.3): consecutive messages of one sender are
 * merged; `item` lists each `@movieId` that id2info knows, by its KG name; `entity` lists KG genre/person
 * names found in the text (approximate, see EntityLinker); `masked_text` puts placeholders on both.
 */
export class RedialRawLinker {
  constructor(
    private readonly movieNames: ReadonlyMap<string, string>,
    private readonly entities: EntityLinker,
  ) {}

  /** Reads id2info.json (movieId → name) and entity2type.json (genre/person names) of a ReDial folder. */
  static fromDir(dir: string, missingHint: string): RedialRawLinker {
    const info = readJsonFile(
      join(dir, 'id2info.json'),
      z.record(z.string(), z.looseObject({ name: z.string() })),
      missingHint,
    );
    const types = readJsonFile(join(dir, 'entity2type.json'), z.record(z.string(), z.string()), missingHint);
    return new RedialRawLinker(
      new Map(Object.entries(info).map(([id, record]) => [id, record.name])),
      kgEntityLinker(Object.entries(types)),
    );
  }

  link(raw: RawRedialDialog): LinkedRedialDialog {
    const merged: { senderWorkerId: number; texts: string[] }[] = [];
    for (const message of raw.messages) {
      const last = merged[merged.length - 1];
      if (last && last.senderWorkerId === message.senderWorkerId) last.texts.push(message.text);
      else merged.push({ senderWorkerId: message.senderWorkerId, texts: [message.text] });
    }
    const messages = merged.map((m, turnId) =>
      this.annotate(m.senderWorkerId, htmlUnescape(collapseWhitespace(m.texts.join(' '))), turnId),
    );
    // Key order of the CFCRS files, so written dialogues read like theirs.
    return {
      movieMentions: raw.movieMentions,
      respondentQuestions: raw.respondentQuestions,
      messages,
      conversationId: String(raw.conversationId),
      respondentWorkerId: raw.respondentWorkerId,
      initiatorWorkerId: raw.initiatorWorkerId,
      initiatorQuestions: raw.initiatorQuestions,
    };
  }

  private annotate(senderWorkerId: number, text: string, turnId: number): LinkedRedialMessage {
    const spans: (EntitySpan | { start: number; end: number; name: string; type: 'item' })[] = [];
    for (const m of text.matchAll(/@(\d+)/g)) {
      const name = this.movieNames.get(m[1]!);
      if (name !== undefined) spans.push({ start: m.index, end: m.index + m[0].length, name, type: 'item' });
    }
    const items = spans.map((s) => s.name);
    const entitySpans = this.entities.link(text);
    spans.push(...entitySpans);
    spans.sort((a, b) => a.start - b.start);
    let masked = '';
    let at = 0;
    for (const span of spans) {
      masked += `${text.slice(at, span.start)}<${span.type}>`;
      at = span.end;
    }
    masked += text.slice(at);
    const entity = entitySpans.map((s) => s.name);
    return {
      senderWorkerId,
      text,
      turn_id: turnId,
      entity,
      item: items,
      thread: [...entity, ...items],
      masked_text: masked,
    };
  }
}
