import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TitleGuard, textWords, titleOf } from '../../../src/eval/simulate/title-guard.js';

const guard = (name: string, words = true) => new TitleGuard([{ name }], { words });

test('a title is found whatever its case, accents, apostrophes or punctuation; the year is not part of it', () => {
  assert.equal(titleOf('Spider-Man: Far from Home (2019)'), 'Spider-Man: Far from Home');
  assert.deepEqual(textWords('Schindler’s List — AMÉLIE!'), ['schindlers', 'list', 'amelie']);
  const spider = guard('Spider-Man (2002)', false);
  for (const text of ['I loved spider man', 'Spider-Man!', 'maybe spiderman?', 'SPIDER   MAN']) {
    assert.equal(spider.check(text)?.kind, 'title', text);
  }
  assert.equal(spider.check('a spider and a man'), undefined);
  assert.equal(guard('Amélie (2001)', false).check('Something like amelie')?.match, 'amelie');
  assert.equal(guard("Schindler's List (1993)", false).check('schindlers list')?.kind, 'title');
  assert.equal(guard('1917 (2019)', false).check('set in 1917')?.kind, 'title');
});

test('distinctive words: title words that are not function words, short numbers or roman numerals', () => {
  assert.deepEqual(guard('Avengers: Endgame (2019)').forbiddenWords, ['avengers', 'endgame']);
  assert.deepEqual(guard('The Godfather: Part II (1974)').forbiddenWords, ['godfather', 'part']);
  assert.deepEqual(guard('Toy Story 2 (1999)').forbiddenWords, ['toy', 'story']);
  assert.deepEqual(guard('Up (2009)').forbiddenWords, []);
  const avengers = guard('Avengers: Endgame (2019)');
  assert.deepEqual(avengers.check('I want the one where the Avengers fight'), {
    target: 'Avengers: Endgame (2019)',
    match: 'avengers',
    kind: 'word',
  });
  assert.equal(guard('Avengers: Endgame (2019)', false).check('the Avengers fight'), undefined);
  // A one-word title that is a common word: any use of the word is a leak (strict on purpose).
  assert.equal(guard('Up (2009)').check("I'm fed up with sequels")?.kind, 'title');
  assert.equal(guard('Up (2009)').check('an upbeat comedy'), undefined);
  // Several targets: any of them.
  const both = new TitleGuard([{ name: 'Heat (1995)' }, { name: 'Ronin (1998)' }], { words: true });
  assert.equal(both.check('something like ronin')?.target, 'Ronin (1998)');
  assert.equal(both.check('a slow burn thriller'), undefined);
});
