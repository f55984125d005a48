import { renderContextText } from '../../augment/context-text.js';
import { cutText } from '../../augment/item-text.js';
import { quoteData } from '../../augment/prompt.js';
import type { ItemInfo, RecContext } from '../../data/types.js';
import type { ChatMessage } from '../../providers/types.js';
import type { AttributeSlot, TargetAttribute } from './target-attributes.js';
import type { TitleGuard } from './title-guard.js';

/** What the LLM user is told about its target: attributes by slot (leaking values already left out), plot. */
export interface Persona {
  attributes: Record<AttributeSlot, TargetAttribute[]>;
  plot: string;
  forbiddenWords: readonly string[];
}

const SLOT_LABELS: Record<AttributeSlot, string> = {
  genre: 'Genres',
  star: 'Starring',
  director: 'Directed by',
  writer: 'Written by',
  decade: 'Released in the',
};

/** At most this many values per slot in the persona (stars are many; the leads come first). */
const PERSONA_VALUES = 3;

/**
 * The persona for a target: its attributes and plot, without anything the guard would reject (a person named
 * like the title is left out; in the plot, title words become "…" and a sentence still naming the title is
 * dropped), so the description never puts the title in the model's mouth.
 */
export function buildPersona(
  attributes: Record<AttributeSlot, TargetAttribute[]>,
  item: ItemInfo,
  guard: TitleGuard,
  plotChars: number,
): Persona {
  const safe = {} as Record<AttributeSlot, TargetAttribute[]>;
  for (const [slot, values] of Object.entries(attributes) as [AttributeSlot, TargetAttribute[]][]) {
    safe[slot] = values.filter((v) => !guard.check(v.value)).slice(0, PERSONA_VALUES);
  }
  const plot = item.plot
    .split(/(?<=[.!?])\s+/)
    .map((sentence) => redact(sentence, guard.forbiddenWords))
    .filter((sentence) => sentence && !guard.check(sentence))
    .join(' ');
  return { attributes: safe, plot: cutText(plot, plotChars), forbiddenWords: guard.forbiddenWords };
}

/** The sentence with each forbidden word replaced by "…" (a sentence still leaking is then dropped). */
function redact(sentence: string, words: readonly string[]): string {
  let out = sentence;
  for (const word of words) {
    const escaped = word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    out = out.replace(new RegExp(`(?<![\\p{L}\\p{N}])${escaped}(?![\\p{L}\\p{N}])`, 'giu'), '…');
  }
  return out;
}

function personaText(persona: Persona): string {
  const lines = (Object.keys(SLOT_LABELS) as AttributeSlot[])
    .filter((slot) => persona.attributes[slot].length > 0)
    .map((slot) => `${SLOT_LABELS[slot]}: ${persona.attributes[slot].map((a) => a.value).join(', ')}`);
  if (persona.plot) lines.push(`Story: ${persona.plot}`);
  return lines.join('\n');
}

function forbiddenText(persona: Persona): string {
  return persona.forbiddenWords.length
    ? ` Never use these words either: ${persona.forbiddenWords.map((w) => `"${w}"`).join(', ')}.`
    : '';
}

/** System + user messages asking for the user's next message after a recommendation that missed. */
export function buildUserMessages(persona: Persona, context: RecContext): ChatMessage[] {
  const system = `You play a user who is chatting with a movie recommender to find a movie to watch. You already know the movie you want, but you never say its title: the recommender has to find it.
The movie you want:
<movie>
${quoteData(personaText(persona))}
</movie>
Never write its title.${forbiddenText(persona)}
The recommender has just suggested a movie that is not the one you want. Answer as the user, in one or two short sentences: say it is not what you want, and tell one new thing about what you are looking for (a genre, an actor, the director, the mood or the story), not everything at once. Write only the user's message.`;
  const user = `Dialogue so far:\n<dialogue>\n${quoteData(renderContextText(context, { maxUtterances: 0 }))}\n</dialogue>\n\nWrite the user's next message.`;
  return [
    { role: 'system', content: system },
    { role: 'user', content: user },
  ];
}

/** The conversation extended by a rejected answer and a request to write it again. */
export function buildRetryMessages(
  messages: ChatMessage[],
  answer: string,
  problem: string,
  persona: Persona,
): ChatMessage[] {
  return [
    ...messages,
    { role: 'assistant', content: answer },
    {
      role: 'user',
      content: `That message cannot be sent (${problem}). Write the user's message again without the movie's title.${forbiddenText(persona)}`,
    },
  ];
}
