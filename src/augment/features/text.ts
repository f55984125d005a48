import type { ItemInfo } from '../../data/types.js';
import { describingFields } from '../item-text.js';

/**
 * Lower-cased word tokens with stop words kept (negation cues such as "don't" and "not" matter here),
 * each folded to a light singular form so "comedies" meets "comedy" and "thrillers" meets "thriller".
 */
export function foldedTokens(text: string): string[] {
  const out: string[] = [];
  for (const match of text.toLowerCase().matchAll(/[\p{L}\p{N}]+(?:['’][\p{L}]+)?/gu))
    out.push(fold(match[0].replace('’', "'")));
  return out;
}

function fold(word: string): string {
  if (word.length <= 3 || word.includes("'")) return word;
  if (word.endsWith('ies')) return `${word.slice(0, -3)}y`;
  if (word.endsWith('s') && !word.endsWith('ss') && !word.endsWith('us')) return word.slice(0, -1);
  return word;
}

/** The item's title without the trailing "(year)". */
export function bareTitle(item: ItemInfo): string {
  return item.name.replace(/\s*\(\d{4}\)\s*$/, '');
}

/**
 * What a reader knows about the item: title, genres, people, the catalog's other descriptive fields (e.g.
 * OpenDialKG's language; none in the CFCRS catalogs) and plot (the text lexical matching runs on).
 */
export function itemDescription(item: ItemInfo): string {
  return [
    bareTitle(item),
    item.genres.join(' '),
    item.directors.join(' '),
    item.stars.join(' '),
    item.writers.join(' '),
    ...describingFields(item).map(([, values]) => values.join(' ')),
    item.plot,
  ].join(' ');
}

/** Positions where `phrase` (already folded tokens) starts in `tokens`. */
export function phraseStarts(tokens: readonly string[], phrase: readonly string[]): number[] {
  const starts: number[] = [];
  if (phrase.length === 0) return starts;
  for (let i = 0; i + phrase.length <= tokens.length; i++) {
    let j = 0;
    while (j < phrase.length && tokens[i + j] === phrase[j]) j++;
    if (j === phrase.length) starts.push(i);
  }
  return starts;
}

/** How many of the latest user turns the recency-weighted features and the hybrid pool's BM25 query look at. */
export const RECENT_USER_TURNS = 3;

/** The user's (seeker's) utterances: even positions of the context (odd ones are the recommender's). */
export function userTurns(utterances: readonly string[]): string[] {
  return utterances.filter((u, i) => i % 2 === 0 && u.trim() !== '');
}
