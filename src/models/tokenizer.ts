/**
 * A word-level tokenizer learned from a corpus, with a hashed character-trigram fallback for words outside
 * the vocabulary, so rare titles and names still map to shared sub-word ids instead of one UNK.
 * Learning is deterministic: words ranked by count (desc), ties by the word itself.
 *
 * Ids: 0 = padding, 1 = user role, 2 = system role, then the vocabulary words, then the fallback buckets.
 */
export const PAD_ID = 0;
export const USER_ID = 1;
export const SYSTEM_ID = 2;
const SPECIAL_TOKENS = 3;

const WORD = /[\p{L}\p{N}]+|[^\s\p{L}\p{N}]/gu;

export function splitWords(text: string): string[] {
  return text.toLowerCase().match(WORD) ?? [];
}

/** The `size` most frequent words with at least `minCount` occurrences. */
export function learnVocabulary(texts: Iterable<string>, size: number, minCount: number): string[] {
  const counts = new Map<string, number>();
  for (const text of texts) for (const w of splitWords(text)) counts.set(w, (counts.get(w) ?? 0) + 1);
  return [...counts.entries()]
    .filter(([, n]) => n >= minCount)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, size)
    .map(([w]) => w);
}

/** FNV-1a of a string (stable across runs and platforms). */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

export class Tokenizer {
  private readonly ids: Map<string, number>;

  constructor(
    readonly vocabulary: readonly string[],
    readonly fallbackBuckets: number,
  ) {
    this.ids = new Map(vocabulary.map((w, i) => [w, SPECIAL_TOKENS + i]));
  }

  get size(): number {
    return SPECIAL_TOKENS + this.vocabulary.length + this.fallbackBuckets;
  }

  /** Token ids of a text: a known word is one id, an unknown word is its boundary-marked trigrams' bucket ids. */
  encode(text: string): number[] {
    const out: number[] = [];
    for (const w of splitWords(text)) {
      const id = this.ids.get(w);
      if (id !== undefined) out.push(id);
      else if (this.fallbackBuckets > 0) {
        const marked = `<${w}>`;
        for (let i = 0; i + 3 <= marked.length; i++) {
          out.push(
            SPECIAL_TOKENS + this.vocabulary.length + (fnv1a(marked.slice(i, i + 3)) % this.fallbackBuckets),
          );
        }
      }
    }
    return out;
  }

  /**
   * A dialogue as one sequence: each utterance is its role token (even index = user, odd = system) followed
   * by its tokens, and `roles` gives every token its speaker (0 user, 1 system) even when truncation cut the
   * role token off. Only the last `maxTokens` ids are kept, so truncation drops the oldest turns first.
   */
  encodeDialogue(utterances: readonly string[], maxTokens: number): { ids: number[]; roles: number[] } {
    const ids: number[] = [];
    const roles: number[] = [];
    utterances.forEach((u, i) => {
      const tokens = [i % 2 === 0 ? USER_ID : SYSTEM_ID, ...this.encode(u)];
      ids.push(...tokens);
      for (const _ of tokens) roles.push(i % 2);
    });
    return { ids: ids.slice(-maxTokens), roles: roles.slice(-maxTokens) };
  }
}
