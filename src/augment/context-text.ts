import type { RecContext } from '../data/types.js';

export interface ContextTextOptions {
  /** Only the last N utterances; 0 = all. */
  maxUtterances: number;
  userLabel?: string;
  systemLabel?: string;
}

/**
 * The dialogue so far as "User: …" / "Recommender: …" lines. Speaker roles follow the utterance's position
 * in the whole dialogue (even = user), so cutting to the last N utterances never swaps them.
 */
export function renderContextText(context: RecContext, options: ContextTextOptions): string {
  const user = options.userLabel ?? 'User';
  const system = options.systemLabel ?? 'Recommender';
  const first =
    options.maxUtterances > 0 ? Math.max(0, context.utterances.length - options.maxUtterances) : 0;
  const lines: string[] = [];
  for (let i = first; i < context.utterances.length; i++) {
    const text = context.utterances[i]!.replace(/\s+/g, ' ').trim();
    if (text) lines.push(`${i % 2 === 0 ? user : system}: ${text}`);
  }
  return lines.join('\n');
}

/** Wraps a text in an embedding model's instruction format (e.g. GritLM's query and document prefixes). */
export function wrapForEmbedding(text: string, prefix: string, suffix: string): string {
  return `${prefix}${text}${suffix}`;
}

/** The key that identifies a context across every augment file. */
export function contextKey(dialogId: string, turnId: number): string {
  return `${dialogId}#${turnId}`;
}
