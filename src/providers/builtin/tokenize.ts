/**
 * Function words that carry no topic; dropping them keeps the TF-IDF vocabulary and bigrams about content
 * ("horror movie", not "of the").
 */
const STOP_WORDS = new Set(
  `a about above after again against all am an and any are as at be because been before being below between both
but by can could did do does doing down during each few for from further had has have having he her here hers
herself him himself his how i if in into is it its itself just me more most my myself no nor not now of off on
once only or other our ours ourselves out over own same she should so some such than that the their theirs them
themselves then there these they this those through to too under until up very was we were what when where which
while who whom why will with would you your yours yourself yourselves i'm it's don't that's i've you're i'll
i'd can't didn't doesn't isn't wasn't`.split(/\s+/),
);

/** Lower-cased word tokens (letters, digits, inner apostrophes) without stop words and single letters. */
export function words(text: string): string[] {
  const out: string[] = [];
  for (const match of text.toLowerCase().matchAll(/[\p{L}\p{N}]+(?:'[\p{L}]+)?/gu)) {
    const word = match[0];
    if (word.length > 1 && !STOP_WORDS.has(word)) out.push(word);
  }
  return out;
}

/** Word unigrams plus bigrams of neighbouring content words (joined by a space). */
export function terms(text: string): string[] {
  const unigrams = words(text);
  const out = [...unigrams];
  for (let i = 1; i < unigrams.length; i++) out.push(`${unigrams[i - 1]} ${unigrams[i]}`);
  return out;
}
