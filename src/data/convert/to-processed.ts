import type { ProcessedSample } from '../samples.js';
import type { LinkedInspiredDialog, LinkedRedialDialog } from './linked.js';
import { collapseWhitespace, htmlUnescape } from './python-text.js';

const MASK = '<mask>';
const REDIAL_PLACEHOLDERS = ['<item>', '<person>', '<genre>'];
const INSPIRED_PLACEHOLDERS = ['<movie>', '<person>', '<genre>'];

/** One turn as the rec-sample loop sees it (the two datasets differ only in how a turn is read). */
interface TurnView {
  text: string;
  template: string;
  entities: string[];
  items: string[];
  fromRecommender: boolean;
}

/**
 * CFCRS prepare.py (rec task, data README §6.1), exactly: emits one sample per recommender turn with items,
 * inserting '' before the first turn when the recommender speaks first so even context indices are the user,
 * and accumulating entities then items of every turn. ReDial needs an earlier entity; INSPIRED a non-empty context.
 */
function samplesOf(
  dialogId: string,
  turns: TurnView[],
  isRecTurn: (turn: TurnView, context: string[], entities: string[]) => boolean,
): ProcessedSample[] {
  const samples: ProcessedSample[] = [];
  const context: string[] = [];
  const entities: string[] = [];
  const templates: string[] = [];
  turns.forEach((turn, i) => {
    templates.push(turn.template);
    if (isRecTurn(turn, context, entities)) {
      samples.push({
        dialog_id: dialogId,
        turn_id: i,
        context: [...context],
        entity: [...entities],
        rec: turn.items,
        resp: turn.text,
        template: [...templates],
      });
    }
    if (i === 0 && turn.fromRecommender) context.push('');
    context.push(turn.text);
    entities.push(...turn.entities, ...turn.items);
  });
  return samples;
}

function maskPlaceholders(text: string, placeholders: readonly string[]): string {
  return placeholders.reduce((t, p) => t.replaceAll(p, MASK), text);
}

/** ReDial text as the rec task sees it: `@id` → the dialogue's mention name, whitespace collapsed, HTML unescaped. */
export function redialUtterance(text: string, movieMentions: Record<string, string | null>): string {
  const named = text.replace(/@\d+/g, (mention) => {
    const name = Object.hasOwn(movieMentions, mention.slice(1)) ? movieMentions[mention.slice(1)] : undefined;
    return typeof name === 'string' ? collapseWhitespace(name) : mention;
  });
  return htmlUnescape(collapseWhitespace(named));
}

export function redialToProcessed(dialog: LinkedRedialDialog): ProcessedSample[] {
  const mentions = Array.isArray(dialog.movieMentions) ? {} : dialog.movieMentions;
  const turns = dialog.messages.map((m) => ({
    text: redialUtterance(m.text, mentions),
    template: maskPlaceholders(m.masked_text, REDIAL_PLACEHOLDERS),
    entities: m.entity,
    items: m.item,
    fromRecommender: m.senderWorkerId === dialog.respondentWorkerId,
  }));
  return samplesOf(
    String(dialog.conversationId),
    turns,
    (turn, _context, entities) => turn.fromRecommender && entities.length > 0 && turn.items.length > 0,
  );
}

export function inspiredToProcessed(dialog: LinkedInspiredDialog): ProcessedSample[] {
  const turns = dialog.dialog.map((t) => ({
    text: t.text,
    template: maskPlaceholders(t.text_template, INSPIRED_PLACEHOLDERS),
    entities: t.entity,
    items: t.movie,
    fromRecommender: t.role === 'RECOMMENDER',
  }));
  return samplesOf(
    dialog.dialog_id,
    turns,
    (turn, context) => turn.fromRecommender && context.length > 0 && turn.items.length > 0,
  );
}
