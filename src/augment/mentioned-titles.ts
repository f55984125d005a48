/**
 * Finds catalog titles written in a dialogue's text. Entity linking misses titles (INSPIRED's linking is
 * approximate, titles get written differently), and the teacher judged such repeats low (teacher/README.md),
 * so the retriever excludes them too. Common words are titles as well ("Good", "Life", "Romantic Comedy"),
 * so the rule asks for signs that a title is meant (docs/augment.md, "Excluded items"):
 *
 * - the title is the item name without a trailing "(year)"; text and titles are split into letter/digit tokens;
 * - a title of 3+ tokens matches its token sequence ignoring case;
 * - a title of 2 tokens matches only if one of the matched words is capitalised and not the first of a sentence;
 * - a one-token title matches only a capitalised word of 3+ letters that does not start a sentence and is not
 *   part of a person's name in the catalog ("Morgan", "Ryan");
 * - a match inside a longer matched title counts only as the longer title ("Bad Boys" in "Bad Boys for Life").
 */
export class TitleMatcher {
  private readonly root: TrieNode = newNode();
  private readonly nameWords: Set<string>;

  constructor(titles: readonly string[], personNames: Iterable<string> = []) {
    this.nameWords = new Set([...personNames].flatMap((name) => tokenize(name).map((t) => t.lower)));
    titles.forEach((name, item) => {
      const tokens = tokenize(titleOf(name)).map((t) => t.lower);
      if (tokens.length === 0 || (tokens.length === 1 && tokens[0]!.length < 3)) return;
      let node = this.root;
      for (const token of tokens) {
        let next = node.next.get(token);
        if (!next) {
          next = newNode();
          node.next.set(token, next);
        }
        node = next;
      }
      node.items.push(item);
    });
  }

  /** Item indices whose title occurs in `text`. */
  find(text: string): Set<number> {
    const found = new Set<number>();
    for (const span of this.spans(text)) for (const item of span.items) found.add(item);
    return found;
  }

  /**
   * `text` with every title occurrence replaced by `replacement`, so a corpus built from dialogues carries no
   * title words (a space fitted on it cannot learn which items co-occur in a dialogue).
   */
  mask(text: string, replacement = ''): string {
    let out = '';
    let at = 0;
    for (const span of this.spans(text)) {
      out += text.slice(at, span.from) + replacement;
      at = span.to;
    }
    return out + text.slice(at);
  }

  /** The matched title spans of `text` in order, without those inside a longer matched title. */
  private spans(text: string): { from: number; to: number; items: number[] }[] {
    const tokens = tokenize(text);
    const spans: { start: number; end: number; items: number[] }[] = [];
    for (let start = 0; start < tokens.length; start++) {
      let node: TrieNode | undefined = this.root;
      for (let end = start; end < tokens.length; end++) {
        node = node.next.get(tokens[end]!.lower);
        if (!node) break;
        if (node.items.length > 0 && this.accepts(tokens.slice(start, end + 1))) {
          spans.push({ start, end, items: node.items });
        }
      }
    }
    const outer = spans.filter(
      (span) =>
        !spans.some(
          (o) =>
            o !== span &&
            o.start <= span.start &&
            o.end >= span.end &&
            o.end - o.start > span.end - span.start,
        ),
    );
    // Overlapping outer spans (two titles sharing words) are merged for masking, kept apart for their items.
    const merged: { from: number; to: number; items: number[] }[] = [];
    for (const span of outer) {
      const from = tokens[span.start]!.from;
      const to = tokens[span.end]!.to;
      const last = merged.at(-1);
      if (last && from < last.to) {
        last.to = Math.max(last.to, to);
        last.items = [...last.items, ...span.items];
      } else merged.push({ from, to, items: span.items });
    }
    return merged;
  }

  private accepts(span: Token[]): boolean {
    if (span.length >= 3) return true;
    if (span.length === 2) return span.some((t) => t.capitalised && !t.sentenceStart);
    const [word] = span as [Token];
    return word.capitalised && !word.sentenceStart && !this.nameWords.has(word.lower);
  }
}

interface TrieNode {
  next: Map<string, TrieNode>;
  /** Items whose title ends at this node. */
  items: number[];
}

interface Token {
  lower: string;
  capitalised: boolean;
  /** First word of the text, of a line, or after . ! ? (capitalised there for grammar, not as a title). */
  sentenceStart: boolean;
  /** Character offsets of the word in the text. */
  from: number;
  to: number;
}

function newNode(): TrieNode {
  return { next: new Map(), items: [] };
}

export function titleOf(name: string): string {
  return name.replace(/\s*\(\d{4}\)\s*$/, '');
}

const SKIPPED_BEFORE_WORD = /[ \t"'“”‘’()[\]*_-]/u;

function tokenize(text: string): Token[] {
  return [...text.matchAll(/[\p{L}\p{N}]+/gu)].map((m) => {
    let i = m.index - 1;
    while (i >= 0 && SKIPPED_BEFORE_WORD.test(text[i]!)) i--;
    return {
      lower: m[0].toLowerCase(),
      capitalised: /^\p{Lu}/u.test(m[0]),
      sentenceStart: i < 0 || '.!?:\n\r'.includes(text[i]!),
      from: m.index,
      to: m.index + m[0].length,
    };
  });
}
