import type { ItemInfo } from '../../data/types.js';

/**
 * Whether a text gives a target away. Texts and titles are compared as word sequences (lower case, accents
 * and apostrophes dropped, any other non-alphanumeric character a word break), so "Spider-Man", "spider man"
 * and "SPIDER MAN!" are all the title "Spider-Man (2002)"; the year is not part of the title.
 *
 * - title: the title's words appear in a row, or joined into one word ("spiderman"). For a title that is one
 *   common word ("Up", "It", "Her") this rejects every text using that word: strict on purpose.
 * - words (option): any distinctive title word, i.e. a title word that is not an English function word, a
 *   number under three digits or a roman numeral ("Avengers: Endgame" forbids "avengers" and "endgame").
 */
export interface TitleLeak {
  /** Catalog name of the target given away. */
  target: string;
  /** The words found. */
  match: string;
  kind: 'title' | 'word';
}

/** English function words: never distinctive on their own. */
const FUNCTION_WORDS = new Set(
  `a an the and or but nor of in on at to from by for with without about into onto over under up down out off
  is are was were be been being am do does did have has had will would can could shall should may might must
  i me my mine you your yours he him his she her hers it its we us our ours they them their theirs this that
  these those there here what which who whom whose when where why how not no yes so as than then too very all
  any some one each every both few more most other such only own same just again ever never once`.split(
    /\s+/,
  ),
);

const ROMAN = /^[ivxlc]+$/;

/** A text as lower-case words (see TitleGuard). */
export function textWords(text: string): string[] {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/['’`]/g, '')
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
}

/** A catalog name without its trailing "(year)". */
export function titleOf(name: string): string {
  return name.replace(/\s*\(\d{4}\)\s*$/, '').trim();
}

function isDistinctive(word: string): boolean {
  if (FUNCTION_WORDS.has(word) || ROMAN.test(word)) return false;
  return !/^\d{1,2}$/.test(word);
}

interface GuardedTitle {
  name: string;
  words: string[];
  joined: string;
}

export class TitleGuard {
  private readonly titles: GuardedTitle[];
  /** Distinctive title words (empty unless the guard checks words). */
  readonly forbiddenWords: string[];

  constructor(targets: readonly Pick<ItemInfo, 'name'>[], options: { words: boolean }) {
    this.titles = targets
      .map((t) => ({ name: t.name, words: textWords(titleOf(t.name)) }))
      .filter((t) => t.words.length > 0)
      .map((t) => ({ ...t, joined: t.words.join('') }));
    this.forbiddenWords = options.words
      ? [...new Set(this.titles.flatMap((t) => t.words.filter(isDistinctive)))]
      : [];
  }

  /** The first way `text` gives a target away, or undefined when it does not. */
  check(text: string): TitleLeak | undefined {
    const words = textWords(text);
    for (const title of this.titles) {
      if (containsRun(words, title.words) || words.includes(title.joined)) {
        return { target: title.name, match: title.words.join(' '), kind: 'title' };
      }
    }
    const present = new Set(words);
    const word = this.forbiddenWords.find((w) => present.has(w));
    if (word === undefined) return undefined;
    const target = this.titles.find((t) => t.words.includes(word))!.name;
    return { target, match: word, kind: 'word' };
  }
}

function containsRun(words: readonly string[], run: readonly string[]): boolean {
  outer: for (let i = 0; i + run.length <= words.length; i++) {
    for (let j = 0; j < run.length; j++) if (words[i + j] !== run[j]) continue outer;
    return true;
  }
  return false;
}
