import { foldedTokens, phraseStarts } from './text.js';

/**
 * How users say a catalog genre in words. Seekers rarely write the label ("sci-fi"), they write "science
 * fiction", "scary", "funny", "animated"; without these the genre-overlap features would miss most requests.
 */
const GENRE_ALIASES: Record<string, string[]> = {
  'sci-fi': ['sci fi', 'scifi', 'science fiction', 'space'],
  'science-fiction': ['sci fi', 'scifi', 'space'],
  'fantasy fiction': ['fantasy', 'magic', 'wizard'],
  'mystery fiction': ['mystery', 'whodunit', 'detective'],
  'crime fiction': ['crime', 'detective', 'heist'],
  'romance novel': ['romance', 'romantic', 'love story'],
  'horror fiction': ['horror', 'scary', 'creepy'],
  "children's literature": ['kids', 'children', 'picture book'],
  'young-adult fiction': ['young adult', 'ya', 'teen'],
  'non-fiction': ['nonfiction', 'true story', 'real life'],
  horror: ['scary', 'slasher', 'creepy'],
  comedy: ['funny', 'comedic', 'hilarious', 'laugh', 'rom com', 'romcom'],
  romance: ['romantic', 'love story', 'rom com', 'romcom', 'chick flick'],
  animation: ['animated', 'cartoon', 'pixar', 'anime'],
  family: ['kids', 'children', 'family friendly'],
  thriller: ['suspense', 'suspenseful', 'thrilling'],
  documentary: ['doc', 'true story', 'real life'],
  biography: ['biopic', 'true story', 'based on a true'],
  history: ['historical', 'period piece'],
  war: ['military', 'soldier'],
  sport: ['sports', 'football', 'basketball', 'baseball'],
  crime: ['heist', 'gangster', 'mafia', 'detective', 'cop'],
  mystery: ['whodunit', 'mysterious'],
  action: ['explosions', 'fight scenes', 'fighting'],
  fantasy: ['magic', 'magical', 'wizard'],
  music: ['band', 'singer'],
  musical: ['singing', 'broadway'],
};

/** Words that turn a following genre mention into a dislike ("I don't like horror", "not into comedies"). */
const NEGATION_CUES = new Set(
  "not no never don't dont dislike hate hates can't cant cannot isn't aren't won't without avoid nothing except doesn't didn't neither nor".split(
    ' ',
  ),
);
/** How many tokens before a genre mention a negation cue may sit ("I don't really like horror" → 3). */
const NEGATION_WINDOW = 4;

export interface GenreMentions {
  /** Catalog genres the text names (by label or alias). */
  named: Set<string>;
  /** Genres whose mentions all come right after a negation cue. */
  negated: Set<string>;
}

/** Genre phrases (folded tokens) per catalog genre label, built once per catalog. */
export class GenreLexicon {
  private readonly phrases: Array<{ genre: string; tokens: string[] }> = [];

  constructor(genres: Iterable<string>) {
    for (const genre of new Set(genres)) {
      // Catalogs spell genres differently ("horror" in CFCRS, "Science Fiction" in OpenDialKG).
      const key = genre.toLowerCase();
      const aliases = GENRE_ALIASES[key] ?? GENRE_ALIASES[key.replace(/ /g, '-')] ?? [];
      const surfaces = new Set([genre, genre.replace(/-/g, ' '), ...aliases]);
      for (const surface of surfaces) this.phrases.push({ genre, tokens: foldedTokens(surface) });
    }
  }

  /** Genres the text names, and those it names only negated. */
  mentions(text: string): GenreMentions {
    const tokens = foldedTokens(text);
    const named = new Set<string>();
    const affirmed = new Set<string>();
    for (const { genre, tokens: phrase } of this.phrases) {
      for (const start of phraseStarts(tokens, phrase)) {
        named.add(genre);
        const before = tokens.slice(Math.max(0, start - NEGATION_WINDOW), start);
        if (!before.some((t) => NEGATION_CUES.has(t))) affirmed.add(genre);
      }
    }
    return { named, negated: new Set([...named].filter((g) => !affirmed.has(g))) };
  }
}
