/** A linked span of text: where a KG name occurs and which canonical name it is. */
export interface EntitySpan {
  start: number;
  end: number;
  name: string;
  type: string;
}

const WORD_CHAR = /[\p{L}\p{N}_]/u;

const FIRST_WORD = /[\p{L}\p{N}_]+/uy;

function firstWord(text: string, start: number): string | undefined {
  FIRST_WORD.lastIndex = start;
  return FIRST_WORD.exec(text)?.[0];
}

function isWordChar(ch: string | undefined): boolean {
  return ch !== undefined && WORD_CHAR.test(ch);
}

/**
 * Finds KG names (genres, persons) in free text: case-insensitive, whole words only, longest name first,
 * non-overlapping, in text order, repeats kept. CFCRS used a fuzzier linker it did not publish
 * (e.g. "horroe" → horror), so this is an approximation; docs/datasets.md gives the measured agreement.
 */
export class EntityLinker {
  /** Lower-cased names by their first word, longest first. */
  private readonly byFirstWord = new Map<string, { key: string; name: string; type: string }[]>();

  /** `surface` is the text form to look for (default: the name itself). */
  constructor(names: Iterable<{ name: string; type: string; surface?: string }>) {
    for (const { name, type, surface } of names) {
      const key = (surface ?? name).toLowerCase();
      const first = firstWord(key, 0);
      // Names that do not start with a word character or change length when lower-cased cannot be matched here.
      if (!first || key.length !== (surface ?? name).length) continue;
      const bucket = this.byFirstWord.get(first) ?? [];
      bucket.push({ key, name, type });
      this.byFirstWord.set(first, bucket);
    }
    for (const bucket of this.byFirstWord.values()) bucket.sort((a, b) => b.key.length - a.key.length);
  }

  link(text: string): EntitySpan[] {
    const lower = text.toLowerCase();
    const spans: EntitySpan[] = [];
    let i = 0;
    while (i < text.length) {
      const match = isWordChar(text[i - 1]) ? undefined : this.matchAt(lower, i);
      if (match) {
        spans.push({ start: i, end: i + match.key.length, name: match.name, type: match.type });
        i += match.key.length;
      } else {
        i++;
      }
    }
    return spans;
  }

  private matchAt(lower: string, start: number) {
    const first = firstWord(lower, start);
    if (!first) return undefined;
    for (const candidate of this.byFirstWord.get(first) ?? []) {
      if (lower.startsWith(candidate.key, start) && !isWordChar(lower[start + candidate.key.length]))
        return candidate;
    }
    return undefined;
  }
}
